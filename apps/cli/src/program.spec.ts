import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FakeControlPlane, refusingUrl } from '../test/fake-control-plane';
import { runSaas } from '../test/run-saas';
import { CliSession } from './cli-session';
import { createProgram } from './program';

const TOKEN = 'test-admin-token-0123456789abcdef';
const STATS = {
  tenants: [{ tenant: 'acme', plan: 'standard', paused: false, queued: 1, running: 0, oldestQueuedAgeMs: 10, startedLastMinute: 0, servedShare: 0 }],
  totals: { queued: 1, running: 0, startedLastMinute: 0 },
};

const PLAN = { name: 'standard', weight: 2, maxRunning: 8, ratePerSecond: null, burst: null, maxQueued: 100 };
const REPLAYED = { replayed: [{ id: 'b42', newId: 'b97' }] };

const POOL = {
  name: 'v1',
  release: 1,
  status: 'active',
  databaseServer: 'db:5432/mysaas',
  appRole: 'app',
  upstreams: [],
  tenantCount: 0,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
};
const TENANT = {
  id: 'id-acme',
  slug: 'acme',
  name: 'Acme',
  status: 'active',
  pool: 'v1',
  schema: 't_acme',
  role: 't_acme',
  limits: { maxConcurrentRequests: null, statementTimeoutMs: null },
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
};

const MOVE = {
  id: '3f0c9a52-7b1e-4d2a-9c61-0e8f5b2d4a17',
  tenant: 'acme',
  from: 'v1',
  to: 'v2',
  fromRelease: 1,
  toRelease: 1,
  state: 'copying',
  method: null,
  rowsCopied: null,
  copyMs: null,
  cutoverPauseMs: null,
  attempts: 1,
  error: null,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  switchedAt: null,
  finishedAt: null,
};

const ROLLOUT = {
  id: '7c2e4b18-93d5-4f0a-b6e1-5a8d9c3f2e71',
  pool: 'v2',
  state: 'running',
  waves: [100],
  canaries: [],
  plan: [['acme']],
  currentWave: 0,
  policy: { windowMs: 30_000, minRequests: 5, maxErrorRateIncrease: 0.05, maxLatencyRatio: 2, minLatencyIncreaseMs: 50 },
  report: {},
  error: null,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  finishedAt: null,
};

/** Each command that reaches the control plane: a command line, the request it makes, a valid answer. */
const EVERY_REQUEST: { command: string; args: string[]; route: string; answer: object; reads?: Record<string, object>; env?: Record<string, string> }[] = [
  { command: 'pools list', args: [], route: 'GET /platform/pools', answer: { pools: [POOL] } },
  { command: 'pools show', args: ['v1'], route: 'GET /platform/pools/v1', answer: POOL },
  {
    command: 'pools create',
    args: ['v1', '--release', '1', '--database-url', 'postgres://admin@db:5432/mysaas', '--app-role', 'app'],
    route: 'POST /platform/pools',
    answer: POOL,
  },
  { command: 'pools drain', args: ['v1'], route: 'PATCH /platform/pools/v1', answer: { ...POOL, status: 'draining' } },
  {
    command: 'pools retire',
    args: ['v1'],
    route: 'PATCH /platform/pools/v1',
    answer: { ...POOL, status: 'retired' },
    reads: { 'GET /platform/pools': { pools: [POOL] } },
  },
  { command: 'tenants list', args: [], route: 'GET /platform/tenants', answer: { tenants: [TENANT], next: null } },
  { command: 'tenants show', args: ['acme'], route: 'GET /platform/tenants/acme', answer: TENANT },
  {
    command: 'tenants create',
    args: ['acme', '--name', 'Acme', '--pool', 'v1', '--admin-email', 'owner@acme.test'],
    route: 'POST /platform/tenants',
    answer: TENANT,
    env: { SAAS_TENANT_ADMIN_PASSWORD: 'admin-password-0123' },
  },
  { command: 'tenants suspend', args: ['acme'], route: 'POST /platform/tenants/acme/suspend', answer: { ...TENANT, status: 'suspended' } },
  { command: 'tenants resume', args: ['acme'], route: 'POST /platform/tenants/acme/resume', answer: TENANT },
  { command: 'jobs stats', args: [], route: 'GET /platform/jobs/stats', answer: STATS },
  {
    command: 'jobs dead list',
    args: [],
    route: 'GET /platform/jobs/dead',
    answer: { jobs: [{ id: 'b42', tenant: 'acme', name: 'x', failedReason: null, attemptsMade: 1, failedAt: '2026-11-26T12:00:00.000Z' }] },
  },
  { command: 'jobs dead replay', args: ['b42'], route: 'POST /platform/jobs/dead/b42/replay', answer: REPLAYED },
  { command: 'jobs dead replay', args: ['--tenant', 'acme'], route: 'POST /platform/jobs/dead/replay', answer: REPLAYED },
  { command: 'jobs pause', args: ['acme'], route: 'POST /platform/tenants/acme/jobs/pause', answer: { tenant: 'acme', paused: true } },
  { command: 'jobs resume', args: ['acme'], route: 'POST /platform/tenants/acme/jobs/resume', answer: { tenant: 'acme', paused: false } },
  { command: 'jobs plans list', args: [], route: 'GET /platform/job-plans', answer: { plans: [PLAN] } },
  {
    command: 'jobs plans set',
    args: ['standard', '--weight', '2'],
    route: 'PUT /platform/job-plans/standard',
    answer: PLAN,
    reads: { 'GET /platform/job-plans': { plans: [PLAN] } },
  },
  { command: 'tenants set-job-plan', args: ['acme', 'business'], route: 'PUT /platform/tenants/acme/job-plan', answer: { tenant: 'acme', plan: 'business' } },
  {
    command: 'tenants move',
    args: ['acme', '--to', 'v2'],
    route: 'POST /platform/moves',
    answer: MOVE,
    reads: { [`GET /platform/moves/${MOVE.id}`]: { ...MOVE, state: 'switched', events: [] } },
  },
  { command: 'moves list', args: [], route: 'GET /platform/moves', answer: { moves: [MOVE] } },
  { command: 'moves show', args: [MOVE.id], route: `GET /platform/moves/${MOVE.id}`, answer: { ...MOVE, events: [] } },
  { command: 'moves finalize', args: [MOVE.id, '--no-wait'], route: `POST /platform/moves/${MOVE.id}/finalize`, answer: { ...MOVE, state: 'finalizing' } },
  { command: 'moves rollback', args: [MOVE.id, '--no-wait'], route: `POST /platform/moves/${MOVE.id}/rollback`, answer: { ...MOVE, state: 'rolling_back' } },
  { command: 'moves resume', args: [MOVE.id, '--no-wait'], route: `POST /platform/moves/${MOVE.id}/resume`, answer: MOVE },
  {
    command: 'rollout',
    args: ['v2'],
    route: 'POST /platform/rollouts',
    answer: ROLLOUT,
    reads: { [`GET /platform/rollouts/${ROLLOUT.id}`]: { ...ROLLOUT, state: 'done', currentWave: 1 } },
  },
  { command: 'rollouts list', args: [], route: 'GET /platform/rollouts', answer: { rollouts: [ROLLOUT] } },
  { command: 'rollouts show', args: [ROLLOUT.id], route: `GET /platform/rollouts/${ROLLOUT.id}`, answer: ROLLOUT },
  { command: 'rollouts resume', args: [ROLLOUT.id, '--no-wait'], route: `POST /platform/rollouts/${ROLLOUT.id}/resume`, answer: ROLLOUT },
  { command: 'rollouts rollback', args: [ROLLOUT.id, '--no-wait'], route: `POST /platform/rollouts/${ROLLOUT.id}/rollback`, answer: { ...ROLLOUT, state: 'rolling_back' } },
];

describe('saas', () => {
  let controlPlane: FakeControlPlane;
  const env = () => ({ SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN });
  const saas = (...args: string[]) => runSaas(args, { env: env() });

  beforeAll(async () => {
    controlPlane = await FakeControlPlane.start();
  });
  afterEach(() => controlPlane.reset());
  afterAll(() => controlPlane.close());

  describe('when the control plane refuses', () => {
    it('prints its message and code, says to check SAAS_TOKEN on a 401, and exits 1', async () => {
      controlPlane.answer('GET /platform/jobs/stats', {
        status: 401,
        body: { statusCode: 401, code: 'ADMIN_TOKEN_INVALID', message: 'the admin token is not valid', requestId: 'r1' },
      });

      const { code, stdout, stderr } = await saas('jobs', 'stats');

      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'error: the admin token is not valid (ADMIN_TOKEN_INVALID)\n' +
          "hint: check SAAS_TOKEN: it must be this control plane's admin token (its PLATFORM_ADMIN_TOKEN)\n",
      );
    });

    it('prints a 404 and exits 1', async () => {
      const { code, stderr } = await saas('jobs', 'pause', 'nope');
      expect(code).toBe(1);
      expect(stderr).toContain('error: Cannot POST /platform/tenants/nope/jobs/pause (NOT_FOUND)\nhint: check the pool, tenant, plan or job id');
    });

    it('names the request id of a 500, for the log', async () => {
      controlPlane.answer('GET /platform/job-plans', {
        status: 500,
        body: { statusCode: 500, code: 'INTERNAL', message: 'Internal server error', requestId: 'req-77' },
      });
      const { code, stderr } = await saas('jobs', 'plans', 'list');
      expect(code).toBe(1);
      expect(stderr).toBe('error: Internal server error (INTERNAL)\nhint: the control plane failed; see its log for request req-77\n');
    });

    it('reports an error page that is not JSON by its status', async () => {
      controlPlane.answer('GET /platform/job-plans', { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
      const { code, stderr } = await saas('jobs', 'plans', 'list');
      expect(code).toBe(1);
      expect(stderr).toContain('error: GET /platform/job-plans failed with HTTP 502 Bad Gateway (HTTP 502)\n');
    });
  });

  describe('when the answer is not what the command expects', () => {
    it('says a non-JSON answer is not JSON, and asks whether the URL is the right one', async () => {
      controlPlane.answer('GET /platform/jobs/stats', { body: '<!doctype html><title>Sign in</title>', contentType: 'text/html' });
      const { code, stderr } = await saas('jobs', 'stats');
      expect(code).toBe(1);
      expect(stderr).toBe(
        'error: the control plane answered GET /platform/jobs/stats with something that is not JSON (text/html)\n' +
          `hint: is ${controlPlane.url} the control plane's address (not the gateway's)?\n`,
      );
    });

    it('names the first field that does not fit, with no stack trace', async () => {
      controlPlane.answer('GET /platform/jobs/stats', { body: { tenants: [{ ...STATS.tenants[0], queued: 'many' }], totals: STATS.totals } });
      const { code, stderr } = await saas('jobs', 'stats');
      expect(code).toBe(1);
      expect(stderr).toMatch(/^error: unexpected answer to GET \/platform\/jobs\/stats: tenants\.0\.queued: .*number/);
      expect(stderr).not.toContain('    at ');
    });
  });

  it('says the control plane cannot be reached when nothing listens at SAAS_URL', async () => {
    const url = await refusingUrl();
    const { code, stderr } = await runSaas(['jobs', 'stats'], { env: { SAAS_URL: url, SAAS_TOKEN: TOKEN } });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error: cannot reach the control plane at ${url} (connection refused)\nhint: is the control plane running at ${url}? Check SAAS_URL.\n`,
    );
  });

  describe('next to a running dev stack', () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'saas-stack-'));
      writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify({ adminToken: TOKEN }));
    });
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it("talks to the control plane named in stack.json with the stack's admin token", async () => {
      writeFileSync(join(dataDir, 'stack.json'), JSON.stringify({ controlPlaneUrl: controlPlane.url, pid: process.pid }));
      controlPlane.answer('GET /platform/jobs/stats', { body: STATS });

      const { code } = await runSaas(['jobs', 'stats'], { env: { MYSAAS_DATA_DIR: dataDir } });

      expect(code).toBe(0);
      expect(controlPlane.onlyRequest().headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('says the stack is not running, and how to start it, when its process has ended', async () => {
      const pid = spawnSync(process.execPath, ['-e', '']).pid;
      writeFileSync(join(dataDir, 'stack.json'), JSON.stringify({ controlPlaneUrl: controlPlane.url, pid }));

      const { code, stderr } = await runSaas(['jobs', 'stats'], { env: { MYSAAS_DATA_DIR: dataDir } });

      expect(code).toBe(1);
      expect(stderr).toBe(
        `error: the dev stack is not running (its process ${pid} has ended)\n` +
          'hint: start it with `npm start` in the repository, or set SAAS_URL and SAAS_TOKEN\n',
      );
      expect(controlPlane.requests).toEqual([]);
    });
  });

  describe('the admin token', () => {
    it.each(EVERY_REQUEST)('never appears in what `saas $command` prints ($route), even when the server echoes it', async ({ command, args, route, answer, reads = {}, env: extra = {} }) => {
      const saas = (...line: string[]) => runSaas(line, { env: { ...env(), ...extra } });
      const saasLine = () => saas(...command.split(' '), ...args);
      for (const [read, body] of Object.entries(reads)) controlPlane.answer(read, { body: { ...body, note: `received Bearer ${TOKEN}` } });
      controlPlane.answer(route, { body: { ...answer, note: `received Bearer ${TOKEN}` } });
      const json = await saas(...command.split(' '), ...args, '--json');
      const table = await saasLine();
      controlPlane.answer(route, {
        status: 403,
        body: { statusCode: 403, code: 'FORBIDDEN', message: `token ${TOKEN} may not`, requestId: 'r' },
      });
      const refused = await saasLine();

      expect([json.code, table.code, refused.code]).toEqual([0, 0, 1]);
      expect(controlPlane.requests.length).toBeGreaterThanOrEqual(3);
      for (const request of controlPlane.requests) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.parse(json.stdout).note).toBe('received Bearer ***');
      expect(refused.stderr).toContain('error: token *** may not (FORBIDDEN)');
      for (const run of [json, table, refused]) expect(run.stdout + run.stderr).not.toContain(TOKEN);
    });
  });

  describe('usage', () => {
    it('shows the help and exits 2 when no command is given', async () => {
      const { code, stdout, stderr } = await saas();
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('Usage: saas [options] [command]');
    });

    it('suggests the command meant and exits 2 for a mistyped one', async () => {
      const { code, stderr } = await saas('jobs', 'stat');
      expect(code).toBe(2);
      expect(stderr).toContain("error: unknown command 'stat'\n(Did you mean stats?)");
    });

    it('gives every command a --help with an example (and --json where it asks the control plane), on stdout, exiting 0', async () => {
      const commands = allCommands(createProgram(new CliSession({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: '/' })));
      const requesting = new Set(EVERY_REQUEST.map(({ command }) => command));
      expect(commands).toEqual(expect.arrayContaining([...requesting]));

      for (const command of commands) {
        const { code, stdout } = await saas(...command.split(' '), '--help');
        expect({ command, code }).toEqual({ command, code: 0 });
        expect(stdout).toContain(`Usage: saas ${command}`);
        expect(stdout).toMatch(/Examples:\n {2}\$ saas /);
        if (requesting.has(command)) expect({ command, json: stdout.includes('--json') }).toEqual({ command, json: true });
      }
    });
  });

  describe('on a terminal', () => {
    it('makes table headers bold, and leaves them plain under NO_COLOR or in a pipe', async () => {
      controlPlane.answer('GET /platform/jobs/stats', { body: STATS });
      const tty = await runSaas(['jobs', 'stats'], { env: env(), tty: true });
      const noColor = await runSaas(['jobs', 'stats'], { env: { ...env(), NO_COLOR: '1' }, tty: true });
      const pipe = await saas('jobs', 'stats');

      expect(tty.stdout).toContain('\u001b[1mTENANT\u001b[22m');
      expect(noColor.stdout).not.toContain('\u001b');
      expect(pipe.stdout).not.toContain('\u001b');
    });
  });
});

/** The command paths, e.g. "jobs dead list", of every command that does something. */
function allCommands(command: Command, prefix = ''): string[] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const path = `${prefix}${sub.name()}`;
      return sub.commands.length === 0 ? [path] : [path, ...allCommands(sub, `${path} `)];
    });
}
