#!/usr/bin/env node
// Fails when a change to the shared tooling would leave turbo's task hashes unchanged, i.e.
// when turbo could replay a cached (stale) green run after the TypeScript base config, the
// Jest preset or the ESLint config changed. Each shared file is touched in turn (a newline
// appended, then restored) and every task's hash must differ from before.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
// turbo.json and package-lock.json are read by turbo itself (their meaning, not their bytes).
const SHARED = ['tsconfig.base.json', 'tsconfig.nest.json', 'jest.preset.js', 'eslint.config.mjs'];
const TASKS = ['build', 'typecheck', 'lint', 'test'];

function hashes() {
  const out = execFileSync('npx', ['turbo', 'run', ...TASKS, '--dry=json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  return new Map(JSON.parse(out).tasks.map((task) => [task.taskId, task.hash]));
}

const before = hashes();
const stale = [];
for (const file of SHARED) {
  const path = join(ROOT, file);
  const original = readFileSync(path);
  try {
    appendFileSync(path, '\n');
    const after = hashes();
    const unchanged = [...before].filter(([task, hash]) => after.get(task) === hash).map(([task]) => task);
    if (unchanged.length > 0) stale.push(`${file}: ${unchanged.length} of ${before.size} task hashes did not change (${unchanged.slice(0, 4).join(', ')}${unchanged.length > 4 ? ', …' : ''})`);
  } finally {
    writeFileSync(path, original);
  }
}
if (stale.length > 0) {
  console.error(`turbo could replay stale results after a tooling change:\n  ${stale.join('\n  ')}\nList the file in turbo.json's globalDependencies.`);
  process.exit(1);
}
console.log(`turbo inputs: ok (${SHARED.length} shared files each change all ${before.size} task hashes)`);
