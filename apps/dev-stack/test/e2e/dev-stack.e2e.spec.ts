import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '@mysaas/auth';
import { cookieFrom, eventually, http } from '@mysaas/testing';
import { wipeDataDir } from '../../src/data-dir';
import { runCli, runToEnd, type Ready, type RunningCli } from './cli-process';


/**
 * What `npm start` promises on a machine with nothing but Node.js: embedded Postgres, the
 * whole platform with pools v1 and v2 side by side, demo tenants on both that can sign in,
 * data that survives a restart, a clean stop on Ctrl-C. Runs the real command (built), always
 * embedded whatever DATABASE_URL says.
 */
describe('npm start (the embedded dev stack)', () => {
  const dataDir = join(tmpdir(), `mysaas-dev-stack-${randomBytes(4).toString('hex')}`);
  let running: RunningCli | undefined;

  afterAll(async () => {
    await running?.interrupt();
    await wipeDataDir(dataDir);
  });

  const platform = <T>(ready: Ready, path: string) =>
    http(ready.controlPlane.url, { path, headers: { authorization: `Bearer ${ready.controlPlane.adminToken}` } }).then((res) => {
      expect(res.status).toBe(200);
      return res.json<T>();
    });

  const signIn = (ready: Ready, slug: string) =>
    http(`http://127.0.0.1:${ready.gateway.port}`, {
      method: 'POST',
      path: '/auth/login',
      host: `${slug}.localhost:${ready.gateway.port}`,
      body: { email: `demo@${slug}.test`, password: 'demo-password-1' },
    });

  it('starts the platform with demo tenants acme and globex on v1 and initech on v2, that can sign in', async () => {
    running = await runCli(['--data-dir', dataDir]);
    const { ready } = running;
    expect(ready.tenants.map((t) => [t.slug, t.pool, t.url, t.email, t.password])).toEqual([
      ['acme', 'v1', `http://acme.localhost:${ready.gateway.port}`, 'demo@acme.test', 'demo-password-1'],
      ['globex', 'v1', `http://globex.localhost:${ready.gateway.port}`, 'demo@globex.test', 'demo-password-1'],
      ['initech', 'v2', `http://initech.localhost:${ready.gateway.port}`, 'demo@initech.test', 'demo-password-1'],
    ]);
    for (const slug of ['acme', 'globex', 'initech']) {
      const res = await signIn(ready, slug);
      expect(res.status).toBe(200);
      expect(cookieFrom(res, SESSION_COOKIE)).toBeDefined();
    }
    expect(running.stderr()).toContain('✓ Postgres servers');
  }, 120_000);

  it('registers pools v1 (release 1) and v2 (release 2), each with its own app server, and puts initech on v2', async () => {
    const { ready } = running!;
    const { pools } = await platform<{ pools: Array<{ name: string; release: number; status: string; upstreams: string[] }> }>(ready, '/platform/pools');
    expect(pools.map((p) => [p.name, p.release, p.status, p.upstreams])).toEqual([
      ['v1', 1, 'active', [ready.appServers.v1]],
      ['v2', 2, 'active', [ready.appServers.v2]],
    ]);
    expect(ready.appServers.v1).not.toBe(ready.appServers.v2);
    // New tenants go to the newest release's pool unless named.
    expect((await platform<{ isDefault: boolean }>(ready, '/platform/pools/v2')).isDefault).toBe(true);
    expect(await platform(ready, '/platform/tenants/initech')).toMatchObject({ slug: 'initech', pool: 'v2', status: 'active' });
  });

  it("serves each pool's tenants with its release's behaviour: titled links on v2, a clear refusal on v1", async () => {
    const { ready } = running!;
    const gateway = `http://127.0.0.1:${ready.gateway.port}`;
    const create = async (slug: string) => {
      const cookie = cookieFrom(await signIn(ready, slug), SESSION_COOKIE)!;
      const host = `${slug}.localhost:${ready.gateway.port}`;
      return http(gateway, { method: 'POST', path: '/api/links', host, cookie, headers: { origin: `http://${host}` }, body: { url: 'https://example.com/r2', title: 'Release 2', tags: ['new'] } });
    };
    const onV2 = await create('initech');
    expect(onV2.status).toBe(201);
    expect(onV2.json()).toMatchObject({ title: 'Release 2', tags: ['new'] });
    const onV1 = await create('acme');
    expect(onV1.status).toBe(400);
    expect(onV1.json()).toMatchObject({ code: 'LINK_NEEDS_NEWER_RELEASE' });
  });

  it('runs link imports of tenants on both pools on its job worker with no Redis, and the saas command finds the stack by itself', async () => {
    const { ready } = running!;
    expect(ready.jobs.queue).toMatch(/^BullMQ on Postgres/);
    const gateway = `http://127.0.0.1:${ready.gateway.port}`;
    for (const slug of ['globex', 'initech']) {
      const host = `${slug}.localhost:${ready.gateway.port}`;
      const cookie = cookieFrom(await signIn(ready, slug), SESSION_COOKIE)!;
      const links = [{ url: 'https://example.com/imported', code: 'imported' }, { url: 'not a url' }];
      const posted = await http(gateway, { method: 'POST', path: '/api/links/imports', host, cookie, body: { links } });
      expect(posted.status).toBe(202);
      const { id } = posted.json<{ id: string }>();
      await eventually(async () => {
        const state = await http(gateway, { path: `/api/links/imports/${id}`, host, cookie });
        expect(state.json()).toMatchObject({ status: 'done', imported: 1, failed: 1 });
      }, 30_000);
    }

    const saas = join(__dirname, '../../../cli/bin/saas.js');
    const { stdout } = await promisify(execFile)(process.execPath, [saas, 'jobs', 'stats', '--tenant', 'globex', '--json'], {
      env: { PATH: process.env.PATH ?? '', MYSAAS_DATA_DIR: dataDir },
    });
    expect(JSON.parse(stdout)).toMatchObject({ tenants: [{ tenant: 'globex', plan: 'standard', paused: false }] });
    expect(stdout).not.toContain(ready.controlPlane.adminToken);
  }, 60_000);

  it('moves a tenant live from v1 to v2 with `saas tenants move` (logical replication between its embedded servers), and back with `saas moves rollback`', async () => {
    // globex: the restart test below counts acme's links.
    const { ready } = running!;
    const saas = join(__dirname, '../../../cli/bin/saas.js');
    const run = (args: string[]) => promisify(execFile)(process.execPath, [saas, ...args], { env: { PATH: process.env.PATH ?? '', MYSAAS_DATA_DIR: dataDir } });
    const host = `globex.localhost:${ready.gateway.port}`;
    const gateway = `http://127.0.0.1:${ready.gateway.port}`;
    const cookie = cookieFrom(await signIn(ready, 'globex'), SESSION_COOKIE)!;
    expect((await http(gateway, { method: 'POST', path: '/api/links', host, cookie, body: { url: 'https://example.com/before-the-move', code: 'premove' } })).status).toBe(201);

    const moved = JSON.parse((await run(['tenants', 'move', 'globex', '--to', 'v2', '--json'])).stdout) as { id: string; state: string; method: string };
    expect(moved).toMatchObject({ state: 'switched', method: 'logical' });
    // Served by v2's release now (titled links), with its data and its session.
    const list = await http(gateway, { path: '/api/links', host, cookie });
    expect(list.status).toBe(200);
    expect(list.json<{ links: Array<{ code: string; tags?: string[] }> }>().links).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'premove', tags: [] })]));
    expect((await http(gateway, { method: 'POST', path: '/api/links', host, cookie, body: { url: 'https://example.com/on-v2', code: 'onvtwo' } })).status).toBe(201);

    const back = JSON.parse((await run(['moves', 'rollback', moved.id, '--json'])).stdout) as { state: string };
    expect(back.state).toBe('rolled_back');
    const codes = (await http(gateway, { path: '/api/links', host, cookie })).json<{ links: Array<{ code: string }> }>().links.map((l) => l.code);
    expect(codes).toEqual(expect.arrayContaining(['premove', 'onvtwo']));
  }, 60_000);

  it('refuses to wipe the data folder while its servers run', async () => {
    await expect(wipeDataDir(dataDir)).rejects.toThrow('stop `npm start` first');
  });

  it('stops cleanly on Ctrl-C and keeps data and sessions for the next start, without seeding twice', async () => {
    const before = running!.ready;
    const login = await signIn(before, 'acme');
    const cookie = cookieFrom(login, SESSION_COOKIE)!;
    const created = await http(`http://127.0.0.1:${before.gateway.port}`, {
      method: 'POST', path: '/api/links', host: `acme.localhost:${before.gateway.port}`, cookie,
      body: { url: 'https://example.com/kept', code: 'kept' },
    });
    expect(created.status).toBe(201);
    const stderr = running!.stderr;
    expect(await running!.interrupt()).toBe(0);
    running = undefined;
    expect(stderr()).toContain(`Data kept in ${dataDir}`);

    running = await runCli(['--data-dir', dataDir]);
    const after = running.ready;
    const links = await http(`http://127.0.0.1:${after.gateway.port}`, { path: '/api/links', host: `acme.localhost:${after.gateway.port}`, cookie });
    expect(links.status).toBe(200);
    expect(links.json<{ links: Array<{ code: string }> }>().links.map((l) => l.code)).toEqual(['kept']);
    const { tenants } = await platform<{ tenants: Array<{ slug: string; pool: string }> }>(after, '/platform/tenants');
    expect(tenants.map((t) => [t.slug, t.pool])).toEqual([['acme', 'v1'], ['globex', 'v1'], ['initech', 'v2']]);
    // The embedded servers came back on other ports: new tenants still go onto both pools.
    for (const [slug, pool] of [['hooli', 'v1'], ['pied-piper', 'v2']] as const) {
      const created = await http(after.controlPlane.url, {
        method: 'POST',
        path: '/platform/tenants',
        headers: { authorization: `Bearer ${after.controlPlane.adminToken}` },
        body: { slug, name: slug, adminEmail: `demo@${slug}.test`, adminPassword: 'demo-password-1', pool },
      });
      expect({ slug, status: created.status }).toEqual({ slug, status: 201 });
    }
  }, 120_000);

  it('wipes the data folder with --reset-only once stopped', async () => {
    expect(await running!.interrupt()).toBe(0);
    running = undefined;
    const output = await runToEnd(['--reset-only', '--data-dir', dataDir]);
    expect(output.code).toBe(0);
    expect(output.stderr).toContain(`Wiped ${dataDir}`);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('prints help with --help', async () => {
    const output = await runToEnd(['--help']);
    expect(output.code).toBe(0);
    expect(output.stdout).toContain('Usage: npm start');
    expect(output.stdout).toContain('--reset');
  });

  it('refuses a bad --port with a clear message and exit code 2', async () => {
    const output = await runToEnd(['--port', 'abc']);
    expect(output.code).toBe(2);
    expect(output.stderr).toContain('--port: "abc" is not a port number');
  });
});
