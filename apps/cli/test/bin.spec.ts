import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { readEnv } from '@mysaas/config';
import { FakeControlPlane } from './fake-control-plane';

// The built bin as npm links it (`npx saas` runs this); the test task depends on the build.
const REPO_ROOT = resolve(__dirname, '../../..');
const BIN = join(REPO_ROOT, 'node_modules/.bin/saas');
const TOKEN = 'test-admin-token-0123456789abcdef';

const STATS = {
  tenants: [{ tenant: 'acme', plan: 'standard', paused: false, queued: 12, running: 3, oldestQueuedAgeMs: 1500, startedLastMinute: 40, servedShare: 0.25 }],
  totals: { queued: 12, running: 3, startedLastMinute: 40 },
};

describe('the saas bin', () => {
  let controlPlane: FakeControlPlane;

  beforeAll(async () => {
    controlPlane = await FakeControlPlane.start();
  });
  afterEach(() => controlPlane.reset());
  afterAll(() => controlPlane.close());

  /** Asynchronously, so that this process's fake control plane can answer meanwhile. */
  async function saas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { PATH: readEnv('PATH') ?? '', SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN };
    try {
      const { stdout, stderr } = await promisify(execFile)(BIN, args, { env, cwd: REPO_ROOT });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: unknown; stdout: string; stderr: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('is linked by npm install (even before the build) to apps/cli/bin/saas.js, a script with a node shebang', () => {
    expect(realpathSync(BIN)).toBe(join(REPO_ROOT, 'apps/cli/bin/saas.js'));
    expect(readFileSync(BIN, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
  });

  it('runs `saas jobs stats --json` against the control plane at SAAS_URL', async () => {
    controlPlane.answer('GET /platform/jobs/stats', { body: STATS });

    const { code, stdout, stderr } = await saas('jobs', 'stats', '--json');

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual(STATS);
    expect(controlPlane.onlyRequest().headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('exits 1 when the operation fails and 2 when the command is mistyped', async () => {
    controlPlane.answer('POST /platform/tenants/acme/jobs/pause', {
      status: 401,
      body: { statusCode: 401, code: 'ADMIN_TOKEN_INVALID', message: 'the admin token is not valid', requestId: 'r1' },
    });

    const failed = await saas('jobs', 'pause', 'acme');
    const mistyped = await saas('jobs', 'dead', 'replay');

    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('error: the admin token is not valid (ADMIN_TOKEN_INVALID)');
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toContain('give either a dead job id or --tenant <slug>');
  });

  it('stops quietly when its output pipe closes early (saas … | head)', async () => {
    const child = spawn(BIN, ['--help'], { env: { PATH: readEnv('PATH') ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closed before the bin has started, so its first write meets EPIPE
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const [code] = (await once(child, 'close')) as [number | null];

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
