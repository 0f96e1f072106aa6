#!/usr/bin/env node
// Runs one benchmark: `npm run bench -- <name> [options]` (the npm script builds first), or
// `node bench/run.mjs <name> [options]` once the workspace is built.
//
// A benchmark is a file bench/<name>.mjs exporting `summary` (one line), `help` (its usage
// text) and `main(args) -> Promise<exit code>`. Benchmarks load the built workspace packages
// (dist/), never the TypeScript sources. Helpers live in bench/lib/ and are not benchmarks.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

function benchmarkNames() {
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.mjs') && file !== 'run.mjs')
    .map((file) => file.slice(0, -'.mjs'.length))
    .sort();
}

async function load(name) {
  return import(pathToFileURL(join(BENCH_DIR, `${name}.mjs`)).href);
}

async function usage() {
  const names = benchmarkNames();
  const width = Math.max(...names.map((n) => n.length));
  const lines = [];
  for (const name of names) {
    const mod = await load(name);
    lines.push(`  ${name.padEnd(width)}   ${mod.summary ?? ''}`);
  }
  const details = [];
  for (const name of names) {
    const mod = await load(name);
    if (mod.help) details.push(`Options of "${name}":\n${mod.help.trimEnd()}`);
  }
  return `Usage: npm run bench -- <benchmark> [options]
       node bench/run.mjs <benchmark> [options]      (after npm run build)

Benchmarks (bench/<name>.mjs):
${lines.join('\n')}

${details.join('\n\n')}

Progress goes to stderr; results (a markdown table, or one JSON object with --json) to stdout.
Exit codes: 0 ok, 1 failed or a measurement had errors, 2 bad usage.
\`npm run bench -- <benchmark> --help\` shows one benchmark's options.
`;
}

async function main(argv) {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`No benchmark named: give one of ${benchmarkNames().join(', ')}.\n\n${await usage()}`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return 0;
  }
  const names = benchmarkNames();
  if (!names.includes(name)) {
    process.stderr.write(
      `Unknown benchmark "${name}". Available: ${names.join(', ')}.\n` +
        'Usage: npm run bench -- <benchmark> [options]   (npm run bench -- --help for details)\n',
    );
    return 2;
  }
  const mod = await load(name);
  if (typeof mod.main !== 'function') {
    process.stderr.write(`bench/${name}.mjs does not export main(args)\n`);
    return 1;
  }
  return mod.main(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (error) => {
    process.stderr.write(`\nBenchmark failed: ${error?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
