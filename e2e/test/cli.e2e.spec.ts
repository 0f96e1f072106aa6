import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { verifyPassword } from '@mysaas/auth';
import { ExitCode, run, type Input } from '@mysaas/cli';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { createTestDatabase, createTestPlatform, uniqueSlug, withUrlParts, type TestDatabase, type TestPlatform } from '@mysaas/testing';

/** The bin as npm links it: the CLI as a separate process, with only the environment given. */
const BIN = resolve(__dirname, '../../node_modules/.bin/saas');

/** Sent in pool database URLs, checked never to be printed: the test server's own password when it has one (embedded), else any (a trusting server). */
let DB_PASSWORD = 'pool-db-Passw0rd-never-shown';
const ADMIN_PASSWORD = 'tenant-admin-password-1';

interface SaasRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface PoolView {
  name: string;
  release: number;
  status: string;
  databaseServer: string;
  appRole: string;
  upstreams: string[];
  tenantCount?: number;
}

interface TenantView {
  slug: string;
  name: string;
  status: string;
  pool: string;
  schema: string;
}

interface TenantJobStats {
  tenant: string;
  paused: boolean;
  pausedFor: string[];
  queued: number;
}

/**
 * `saas`, the platform engineers' command line, against a real control plane (with its job
 * service) on a real platform database: every pool and tenant command, and the ways they fail.
 * Each run is checked never to print the admin token.
 */
describe('saas end to end, against the control plane', () => {
  let platform: TestPlatform;
  let jobsDb: TestDatabase;
  let controlPlane: StartedControlPlane;
  let emptyDataDir: string;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');

  beforeAll(async () => {
    platform = await createTestPlatform();
    // A server that checks passwords (the embedded one) needs the real one; a trusting one takes any.
    DB_PASSWORD = decodeURIComponent(new URL(platform.poolDb.url).password) || DB_PASSWORD;
    jobsDb = await createTestDatabase('jobs');
    controlPlane = await startControlPlane({ ...platform.controlPlaneConfig(), jobs: { storeUrl: jobsDb.url, queueUrl: jobsDb.url } });
    emptyDataDir = mkdtempSync(join(tmpdir(), 'saas-e2e-'));
  }, 60_000);

  afterAll(async () => {
    await controlPlane?.close();
    await jobsDb?.drop();
    await platform?.cleanup();
    if (emptyDataDir !== undefined) rmSync(emptyDataDir, { recursive: true, force: true });
  });

  const adminEnv = (extra: Record<string, string> = {}) => ({ SAAS_URL: controlPlane.url, SAAS_TOKEN: platform.secrets.adminToken, ...extra });

  /** `saas <args>` in this process, through the CLI's exported run(). */
  async function saas(args: string[], options: { env?: Record<string, string>; stdin?: Input } = {}): Promise<SaasRun> {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      cwd: emptyDataDir,
      env: options.env ?? adminEnv(),
    });
    expect(stdout + stderr).not.toContain(platform.secrets.adminToken);
    return { code, stdout, stderr };
  }

  /** The --json answer of a run that must have succeeded. */
  async function saasJson<T>(...args: string[]): Promise<T> {
    const { code, stdout, stderr } = await saas([...args, '--json']);
    expect({ args, code, stderr }).toEqual({ args, code: ExitCode.Ok, stderr: '' });
    return JSON.parse(stdout) as T;
  }

  const poolUrl = (password = DB_PASSWORD) => withUrlParts(platform.poolDb.url, { password });
  const createTenantArgs = (slug: string, pool: string) => ['tenants', 'create', slug, '--name', `${slug} Inc`, '--pool', pool, '--admin-email', `Owner@${slug}.test`];

  describe('pools', () => {
    it('lists the test platform pool v1, active, with its database server and no credentials', async () => {
      const { pools } = await saasJson<{ pools: PoolView[] }>('pools', 'list');
      expect(pools).toEqual([expect.objectContaining({ name: 'v1', release: 1, status: 'active', appRole: platform.pool.appRole, tenantCount: 0 })]);

      const table = await saas(['pools', 'list']);
      expect(table.code).toBe(ExitCode.Ok);
      expect(table.stdout.split('\n')[0]).toMatch(/^POOL +RELEASE +STATUS +DEFAULT +TENANTS +DATABASE +APP ROLE +UPSTREAMS$/);
      expect(table.stdout).toMatch(new RegExp(`^v1 +1 +active +0 +\\S+/${platform.poolDb.name} +${platform.pool.appRole} +—$`, 'm'));
      expect(table.stdout).not.toContain('postgres://');
    });

    it('shows one pool', async () => {
      expect(await saasJson<PoolView>('pools', 'show', 'v1')).toMatchObject({ name: 'v1', status: 'active', upstreams: [] });
      const { code, stdout } = await saas(['pools', 'show', 'v1']);
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toMatch(/^Pool: +v1\nRelease: +1\nStatus: +active\n/);
    });

    it("exits 1 with the control plane's message for a pool that does not exist", async () => {
      const { code, stdout, stderr } = await saas(['pools', 'show', 'nope']);
      expect({ code, stdout }).toEqual({ code: ExitCode.Failed, stdout: '' });
      expect(stderr).toBe('error: pool nope does not exist (POOL_NOT_FOUND)\nhint: `saas pools list` shows the pools\n');
    });

    it('registers a pool once the control plane has checked its database, and never prints the database password', async () => {
      const { code, stdout, stderr } = await saas([
        'pools', 'create', 'v2', '--release', '2', '--database-url', poolUrl(), '--app-role', platform.pool.appRole,
        '--upstream', 'http://127.0.0.1:9', '--upstream', 'HTTP://LocalHost:10/',
      ]);

      expect({ code, stderr }).toEqual({ code: ExitCode.Ok, stderr: '' });
      expect(stdout).toMatch(/^Pool v2 is registered: it serves its tenants and takes new ones\.\nPool: +v2\nRelease: +2\n/);
      expect(stdout).toMatch(/^Upstreams: +http:\/\/127\.0\.0\.1:9, http:\/\/localhost:10$/m);
      expect(stdout).not.toContain(DB_PASSWORD);
      // The password did reach the control plane, which keeps it: the CLI only kept it off the screen.
      const stored = await platform.control.pool.query<{ database_url: string }>('SELECT database_url FROM platform.pools WHERE name = $1', ['v2']);
      expect(decodeURIComponent(new URL(stored.rows[0]!.database_url).password)).toBe(DB_PASSWORD);
      const shown = await saas(['pools', 'show', 'v2', '--json']);
      expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'v2', release: 2, status: 'active', upstreams: ['http://127.0.0.1:9', 'http://localhost:10'] });
      expect(shown.stdout).not.toContain(DB_PASSWORD);
    });

    it('takes the database password from SAAS_POOL_DATABASE_PASSWORD when the URL has none', async () => {
      const { code, stdout } = await saas(
        ['pools', 'create', 'v3', '--release', '3', '--database-url', platform.poolDb.url, '--app-role', platform.pool.appRole, '--json'],
        { env: adminEnv({ SAAS_POOL_DATABASE_PASSWORD: DB_PASSWORD }) },
      );
      expect(code).toBe(ExitCode.Ok);
      expect(JSON.parse(stdout)).toMatchObject({ name: 'v3', release: 3, status: 'active' });
      const stored = await platform.control.pool.query<{ database_url: string }>('SELECT database_url FROM platform.pools WHERE name = $1', ['v3']);
      expect(decodeURIComponent(new URL(stored.rows[0]!.database_url).password)).toBe(DB_PASSWORD);
    });

    it('reports a pool database it cannot reach, an app role it cannot use and a name taken, each without the password', async () => {
      const unreachable = await saas(['pools', 'create', 'v9', '--release', '9', '--database-url', `postgres://nobody:${DB_PASSWORD}@127.0.0.1:1/none`, '--app-role', 'x']);
      const noRole = await saas(['pools', 'create', 'v9', '--release', '9', '--database-url', poolUrl(), '--app-role', 'no_such_role']);
      const taken = await saas(['pools', 'create', 'v2', '--release', '2', '--database-url', poolUrl(), '--app-role', platform.pool.appRole]);

      expect(unreachable.code).toBe(ExitCode.Failed);
      expect(unreachable.stderr).toMatch(/^error: cannot connect to the pool database: .*\(POOL_DATABASE_UNREACHABLE\)\n/);
      expect(noRole.code).toBe(ExitCode.Failed);
      expect(noRole.stderr).toMatch(/^error: appRole no_such_role must exist on the pool database server .*\(POOL_APP_ROLE_UNUSABLE\)\n/);
      expect(taken.code).toBe(ExitCode.Failed);
      expect(taken.stderr).toBe('error: pool v2 already exists (POOL_NAME_TAKEN)\nhint: `saas pools show <name>` shows the pool of that name\n');
      for (const run of [unreachable, noRole, taken]) expect(run.stdout + run.stderr).not.toContain(DB_PASSWORD);
    });

    it('refuses a pool name the control plane would refuse as a usage error (2), before any request', async () => {
      const { code, stderr } = await saas(['pools', 'create', 'V2', '--release', '2', '--database-url', poolUrl(), '--app-role', platform.pool.appRole]);
      expect(code).toBe(ExitCode.Usage);
      expect(stderr).toContain('error: pool name "V2" is invalid');
      expect(stderr).not.toContain(DB_PASSWORD);
    });

    it('drains a pool: still listed, no longer taking tenants', async () => {
      const { code, stdout } = await saas(['pools', 'drain', 'v2']);
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toBe('Pool v2 is draining: it still serves its tenants but takes no new ones.\n');
      expect(await saasJson<PoolView>('pools', 'show', 'v2')).toMatchObject({ status: 'draining' });
    });

    it('retires a pool with no tenants', async () => {
      const { code, stdout } = await saas(['pools', 'retire', 'v3']);
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toBe('Pool v3 is retired: it serves nothing.\n');
      const { pools } = await saasJson<{ pools: PoolView[] }>('pools', 'list');
      expect(pools.map((p) => [p.name, p.status])).toEqual([['v1', 'active'], ['v2', 'draining'], ['v3', 'retired']]);
    });

    it("exits 1 with the control plane's message when draining or retiring a pool that does not exist", async () => {
      for (const action of ['drain', 'retire']) {
        const { code, stderr } = await saas(['pools', action, 'nope']);
        expect({ action, code }).toEqual({ action, code: ExitCode.Failed });
        expect(stderr).toContain('error: pool nope does not exist (POOL_NOT_FOUND)');
      }
    });
  });

  describe('tenants', () => {
    it('creates a tenant on a pool with the admin password from SAAS_TENANT_ADMIN_PASSWORD, the one its admin then has', async () => {
      const { code, stdout, stderr } = await saas([...createTenantArgs(acme, 'v1'), '--json'], { env: adminEnv({ SAAS_TENANT_ADMIN_PASSWORD: ADMIN_PASSWORD }) });

      expect({ code, stderr }).toEqual({ code: ExitCode.Ok, stderr: '' });
      const created = JSON.parse(stdout) as TenantView;
      expect(created).toMatchObject({ slug: acme, name: `${acme} Inc`, status: 'active', pool: 'v1' });
      expect(stdout).not.toContain(ADMIN_PASSWORD);
      const users = await platform.poolDb.pool.query<{ email: string; password_hash: string }>(`SELECT email, password_hash FROM "${created.schema}".users`);
      expect(users.rows.map((u) => u.email)).toEqual([`owner@${acme}.test`]);
      await expect(verifyPassword(users.rows[0]!.password_hash, ADMIN_PASSWORD)).resolves.toBe(true);
    });

    it('asks for the admin password on a terminal when the environment has none', async () => {
      const { code, stdout, stderr } = await saas(createTenantArgs(globex, 'v1'), { stdin: terminal(ADMIN_PASSWORD, ADMIN_PASSWORD) });

      expect(code).toBe(ExitCode.Ok);
      expect(stderr).toBe(`Password for the admin of ${globex}: \nThe same password again: \n`);
      expect(stdout).toMatch(new RegExp(`^Tenant ${globex} is active on pool v1; Owner@${globex}\\.test signs in as its admin\\.\\n`));
      expect(stdout).not.toContain(ADMIN_PASSWORD);
    });

    it('is a usage error (2) with no admin password and no terminal to ask on; nothing is created', async () => {
      const slug = uniqueSlug('nopw');
      const { code, stderr } = await saas(createTenantArgs(slug, 'v1'), { stdin: new PassThrough() });
      expect(code).toBe(ExitCode.Usage);
      expect(stderr).toContain('SAAS_TENANT_ADMIN_PASSWORD is not set, and there is no terminal to ask on');
      expect((await saas(['tenants', 'show', slug])).code).toBe(ExitCode.Failed);
    });

    it("refuses, with the control plane's message, a tenant on an unknown pool, on a draining pool, or with a slug taken", async () => {
      const env = adminEnv({ SAAS_TENANT_ADMIN_PASSWORD: ADMIN_PASSWORD });
      const unknownPool = await saas(createTenantArgs(uniqueSlug('np'), 'nope'), { env });
      const draining = await saas(createTenantArgs(uniqueSlug('dr'), 'v2'), { env });
      const taken = await saas(createTenantArgs(acme, 'v1'), { env });

      expect([unknownPool.code, draining.code, taken.code]).toEqual([ExitCode.Failed, ExitCode.Failed, ExitCode.Failed]);
      expect(unknownPool.stderr).toBe('error: pool "nope" does not exist (TENANT_POOL_UNKNOWN)\nhint: `saas pools list` shows the pools\n');
      expect(draining.stderr).toBe(
        'error: pool v2 is draining and takes no new tenants (TENANT_POOL_NOT_ACCEPTING)\n' +
          'hint: only an active pool takes new tenants: `saas pools list` shows each status\n',
      );
      expect(taken.stderr).toContain(`error: a tenant with slug "${acme}" already exists (TENANT_SLUG_TAKEN)\n`);
      for (const run of [unknownPool, draining, taken]) expect(run.stdout + run.stderr).not.toContain(ADMIN_PASSWORD);
    });

    it('lists tenants by pool and status, a page or --all', async () => {
      const onV1 = await saasJson<{ tenants: TenantView[]; next: string | null }>('tenants', 'list', '--pool', 'v1', '--all');
      expect(onV1.tenants.map((t) => t.slug)).toEqual([acme, globex]);
      expect(onV1.next).toBeNull();
      expect((await saasJson<{ tenants: TenantView[] }>('tenants', 'list', '--after', acme)).tenants.map((t) => t.slug)).toEqual([globex]);
      expect((await saasJson<{ tenants: TenantView[] }>('tenants', 'list', '--pool', 'v2')).tenants).toEqual([]);

      const table = await saas(['tenants', 'list', '--pool', 'v1']);
      expect(table.code).toBe(ExitCode.Ok);
      expect(table.stdout).toMatch(new RegExp(`^TENANT +NAME +STATUS +POOL +CREATED\\n${acme} +${acme} Inc +active +v1 +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\n`));
      expect((await saas(['tenants', 'list', '--pool', 'v2'])).stdout).toBe('No tenants on pool v2.\n');
      expect((await saasJson<{ pools: PoolView[] }>('pools', 'list')).pools.find((p) => p.name === 'v1')?.tenantCount).toBe(2);
    });

    it('shows a tenant', async () => {
      expect(await saasJson<TenantView>('tenants', 'show', acme)).toMatchObject({ slug: acme, status: 'active', pool: 'v1' });
      const { code, stdout } = await saas(['tenants', 'show', acme]);
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toMatch(new RegExp(`^Tenant: +${acme}\\nName: +${acme} Inc\\nStatus: +active\\nPool: +v1\\n`));
      expect(stdout).toMatch(/^Max concurrent requests: +platform default$/m);
    });

    it("exits 1 with the control plane's message for a tenant that does not exist", async () => {
      for (const args of [['show', 'nope'], ['suspend', 'nope'], ['resume', 'nope']]) {
        const { code, stdout, stderr } = await saas(['tenants', ...args]);
        expect({ args, code, stdout }).toEqual({ args, code: ExitCode.Failed, stdout: '' });
        expect(stderr).toBe('error: no tenant with slug "nope" (TENANT_NOT_FOUND)\nhint: `saas tenants list` shows the tenants\n');
      }
    });

    it("suspends a tenant, which holds its jobs (saas jobs stats says why), and resumes it", async () => {
      const suspended = await saas(['tenants', 'suspend', acme]);
      expect(suspended.code).toBe(ExitCode.Ok);
      expect(suspended.stdout).toBe(`Tenant ${acme} is suspended: its users are turned away and its jobs wait (saas tenants resume ${acme}).\n`);
      expect((await saasJson<{ tenants: TenantView[] }>('tenants', 'list', '--status', 'suspended')).tenants.map((t) => t.slug)).toEqual([acme]);

      const held = await saasJson<{ tenants: TenantJobStats[] }>('jobs', 'stats', '--tenant', acme);
      expect(held.tenants).toEqual([expect.objectContaining({ tenant: acme, paused: true, pausedFor: ['suspended'], queued: 0 })]);
      const stats = await saas(['jobs', 'stats']);
      expect(stats.code).toBe(ExitCode.Ok);
      expect(stats.stdout).toMatch(new RegExp(`^${acme} +standard +suspended +0 +0 +— +0 +0%$`, 'm'));

      const resumed = await saas(['tenants', 'resume', acme]);
      expect(resumed.stdout).toBe(`Tenant ${acme} is active.\n`);
      expect(await saasJson<TenantView>('tenants', 'show', acme)).toMatchObject({ status: 'active' });
      expect((await saasJson<{ tenants: TenantJobStats[] }>('jobs', 'stats', '--tenant', acme)).tenants[0]).toMatchObject({ paused: false, pausedFor: [] });
    });

    it('will not retire a pool that still has tenants', async () => {
      const { code, stderr } = await saas(['pools', 'retire', 'v1']);
      expect(code).toBe(ExitCode.Failed);
      expect(stderr).toContain('error: pool v1 still has 2 tenant(s): move them to another pool first (drain it meanwhile, so it takes no new ones) (POOL_STATUS_CHANGE_REFUSED)\n');
      expect(await saasJson<PoolView>('pools', 'show', 'v1')).toMatchObject({ status: 'active' });
    });
  });

  describe('without the admin token', () => {
    it('says the dev stack is not running when neither SAAS_TOKEN nor a stack.json is there, and how to point it at one', async () => {
      const { code, stdout, stderr } = await saas(['pools', 'list'], { env: { MYSAAS_DATA_DIR: emptyDataDir } });
      expect({ code, stdout }).toEqual({ code: ExitCode.Failed, stdout: '' });
      expect(stderr).toBe(
        `error: the dev stack is not running (no ${join(emptyDataDir, 'stack.json')})\n` +
          'hint: start it with `npm start` in the repository, or set SAAS_URL and SAAS_TOKEN\n',
      );
    });

    it('refuses SAAS_URL without SAAS_TOKEN', async () => {
      const { code, stderr } = await saas(['tenants', 'list'], { env: { SAAS_URL: controlPlane.url, MYSAAS_DATA_DIR: emptyDataDir } });
      expect(code).toBe(ExitCode.Failed);
      expect(stderr).toBe("error: SAAS_URL is set but SAAS_TOKEN is not\nhint: set SAAS_TOKEN to that control plane's admin token (its PLATFORM_ADMIN_TOKEN)\n");
    });

    it('reports a wrong token as the control plane refuses it, without printing it', async () => {
      const wrong = 'wrong-admin-token-0123456789abcdef';
      const { code, stdout, stderr } = await saas(['tenants', 'show', acme], { env: { SAAS_URL: controlPlane.url, SAAS_TOKEN: wrong } });
      expect({ code, stdout }).toEqual({ code: ExitCode.Failed, stdout: '' });
      expect(stderr).toMatch(/^error: .* \(ADMIN_TOKEN_INVALID\)\nhint: check SAAS_TOKEN: it must be this control plane's admin token/);
      expect(stderr).not.toContain(wrong);
    });
  });

  describe('as the built bin, in a process of its own', () => {
    /** Asynchronously, so that the control plane in this process can answer meanwhile. */
    async function saasBin(args: string[], env: Record<string, string>): Promise<SaasRun> {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env, cwd: emptyDataDir });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: unknown; stdout: string; stderr: string };
        if (typeof failed.code !== 'number') throw error;
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    }

    it('answers with the same JSON, and ends with exit code 1 on a failure and 2 on a mistyped command', async () => {
      const env = adminEnv();
      const shown = await saasBin(['tenants', 'show', acme, '--json'], env);
      const unknown = await saasBin(['tenants', 'show', 'nope'], env);
      const mistyped = await saasBin(['pools', 'create', 'v4'], env);
      const noToken = await saasBin(['jobs', 'stats'], { MYSAAS_DATA_DIR: emptyDataDir });

      expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(shown.stdout)).toMatchObject({ slug: acme, status: 'active' });
      expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('error: no tenant with slug "nope" (TENANT_NOT_FOUND)') });
      expect(mistyped).toMatchObject({ code: 2, stderr: expect.stringContaining("error: required option '--release <n>' not specified") });
      expect(noToken).toMatchObject({ code: 1, stderr: expect.stringContaining('error: the dev stack is not running') });
      for (const run of [shown, unknown, mistyped, noToken]) expect(run.stdout + run.stderr).not.toContain(platform.secrets.adminToken);
    });
  });
});

/** A stand-in terminal on which each line is typed in turn, once saas starts reading. */
function terminal(...lines: string[]): Input {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  input.on('resume', () => setImmediate(() => input.write(`${lines.shift() ?? ''}\r`)));
  return input;
}
