import { SESSION_COOKIE } from '@mysaas/auth';
import { startAppServer, type StartedAppServer } from '@mysaas/app-server';
import { loadWorkerConfig } from '@mysaas/config';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { announceRoutingChange, ident } from '@mysaas/db';
import { startGateway, type StartedGateway } from '@mysaas/gateway';
import { BusinessModules } from '@mysaas/modules';
import { createLogger } from '@mysaas/observability';
import {
  cookieFrom,
  createTenant,
  createTestDatabase,
  createTestPlatform,
  eventually,
  http,
  uniqueSlug,
  type HttpRequest,
  type HttpResponse,
  type TestDatabase,
  type TestPlatform,
  type TestPool,
  type TestTenant,
} from '@mysaas/testing';
import { startWorkerService, type WorkerService } from '@mysaas/worker';

interface MoveBody {
  id: string;
  state: string;
  method: string;
  cutoverPauseMs: number | null;
  error: string | null;
}

/**
 * A live move as a tenant's users meet it, every app in place: pool v1 (release 1) and pool
 * v2 (release 2, its own database and app server), one gateway, one worker, the control plane.
 * The tenant keeps writing through the gateway and importing through the worker while it
 * moves; nothing it was told was saved may be missing or doubled, and no request may fail.
 */
describe('a live tenant move, end to end', () => {
  let platform: TestPlatform;
  let v2: TestPool;
  let jobsDb: TestDatabase;
  let controlPlane: StartedControlPlane;
  let v1Server: StartedAppServer;
  let v2Server: StartedAppServer;
  let gateway: StartedGateway;
  let worker: WorkerService;
  const cookies = new Map<string, string>();

  beforeAll(async () => {
    platform = await createTestPlatform();
    v2 = await platform.addPool('v2', { release: 2 });
    jobsDb = await createTestDatabase('jobs');
    controlPlane = await startControlPlane({ ...platform.controlPlaneConfig(), jobs: { storeUrl: jobsDb.url, queueUrl: jobsDb.url } });
    v1Server = await startAppServer(platform.appServerConfig({ jobs: { storeUrl: jobsDb.url } }));
    v2Server = await startAppServer(v2.appServerConfig({ jobs: { storeUrl: jobsDb.url } }));
    await platform.setUpstreams([v1Server.url]);
    await platform.control.pool.query('UPDATE platform.pools SET upstreams = $2 WHERE name = $1', ['v2', [v2Server.url]]);
    await announceRoutingChange(platform.control.pool, { kind: 'pool', pool: 'v2' });
    gateway = await startGateway(platform.gatewayConfig());
    worker = await startWorkerService(
      loadWorkerConfig({
        JOBS_DATABASE_URL: jobsDb.url,
        ROUTING_DATABASE_URL: platform.routingUrl,
        POOL_DATABASE_URLS: JSON.stringify({ v1: platform.poolAppUrl, v2: v2.appUrl }),
        JOBS_CONCURRENCY: '2',
        JOBS_WINDOW: '4',
        // Slow enough that an import is still running when the move begins.
        JOBS_RATE_PER_SECOND: '5',
        LOG_LEVEL: 'error',
      }),
      { registry: await BusinessModules.jobs(), logger: createLogger({ app: 'worker', level: 'error' }) },
    );
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await v1Server?.close();
    await v2Server?.close();
    await worker?.stop();
    await controlPlane?.close();
    await jobsDb?.drop();
    await platform?.cleanup();
  });

  async function signIn(tenant: TestTenant): Promise<void> {
    const res = await call(tenant, { method: 'POST', path: '/auth/login', body: tenant.admin });
    expect(res.status).toBe(200);
    cookies.set(tenant.slug, cookieFrom(res, SESSION_COOKIE)!);
  }
  function call(tenant: TestTenant, req: Omit<HttpRequest, 'host'>): Promise<HttpResponse> {
    const cookie = cookies.get(tenant.slug);
    return http(gateway.url, { ...req, host: `${tenant.slug}.localhost:${gateway.port}`, ...(cookie === undefined ? {} : { cookie }) });
  }
  const admin = (method: string, path: string, body?: unknown) =>
    http(controlPlane.url, { method, path, body, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
  async function moved(tenant: TestTenant, to: string): Promise<MoveBody> {
    const started = await admin('POST', '/platform/moves', { tenant: tenant.slug, to });
    expect(started.status).toBe(202);
    const { id } = started.json<MoveBody>();
    await eventually(async () => expect((await admin('GET', `/platform/moves/${id}`)).json<MoveBody>().state).toMatch(/^(switched|failed)$/), 30_000);
    return (await admin('GET', `/platform/moves/${id}`)).json<MoveBody>();
  }
  const codesOn = async (db: TestDatabase, tenant: TestTenant, like: string) =>
    (await db.pool.query<{ code: string }>(`SELECT code FROM ${ident(tenant.schema)}.links WHERE code LIKE $1 ORDER BY code`, [like])).rows.map((r) => r.code);

  it('moves a tenant that writes through the gateway the whole time: every acknowledged write on the new pool once, no request failed', async () => {
    const acme = await createTenant(platform, { slug: uniqueSlug('acme') });
    const bystander = await createTenant(platform, { slug: uniqueSlug('other') });
    await signIn(acme);
    await signIn(bystander);

    const acked: string[] = [];
    const failures: string[] = [];
    const bystanderFailures: string[] = [];
    let stop = false;
    const writer = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const code = `w${n}n${i}`;
        const res = await call(acme, { method: 'POST', path: '/api/links', body: { url: `https://example.com/${code}`, code } });
        if (res.status === 201) acked.push(code);
        else failures.push(`${res.status} ${res.text}`);
      }
    };
    const bystanderReads = async () => {
      while (!stop) {
        const res = await call(bystander, { path: '/api/links' });
        if (res.status !== 200) bystanderFailures.push(`${res.status} ${res.text}`);
      }
    };
    const writers = [writer(1), writer(2), writer(3), bystanderReads()];
    await eventually(async () => expect(acked.length).toBeGreaterThan(20), 10_000);

    const move = await moved(acme, 'v2');
    const ackedAtSwitch = acked.length;
    await eventually(async () => expect(acked.length).toBeGreaterThan(ackedAtSwitch + 20), 10_000);
    stop = true;
    await Promise.all(writers);

    expect(move).toMatchObject({ state: 'switched', error: null });
    expect(failures).toEqual([]);
    expect(bystanderFailures).toEqual([]);
    const onNew = await codesOn(v2.db, acme, 'w%');
    expect(onNew).toEqual([...acked].sort());
    // The old pool kept exactly what was written before the cutover, and nothing after it.
    const onOld = await codesOn(platform.poolDb, acme, 'w%');
    expect(onOld.length).toBeGreaterThan(0);
    expect(onOld.length).toBeLessThan(onNew.length);
    expect(onNew).toEqual(expect.arrayContaining(onOld));
    // Served by release 2 now: links carry titles and tags.
    const list = await call(acme, { path: '/api/links?limit=1' });
    expect(list.json<{ links: Array<Record<string, unknown>> }>().links[0]).toHaveProperty('tags');
    console.log(`live move (${move.method}): cutover pause ${move.cutoverPauseMs} ms, ${acked.length} writes acknowledged, ${onOld.length} of them before the cutover`);
  }, 90_000);

  it('runs the jobs of an import queued before and during the move, each once, the later ones on the new pool', async () => {
    const globex = await createTenant(platform, { slug: uniqueSlug('globex') });
    await signIn(globex);
    const links = Array.from({ length: 5_000 }, (_, i) => ({ url: `https://example.com/import/${i}`, code: `imp${i}` }));
    const posted = await call(globex, { method: 'POST', path: '/api/links/imports', body: { links } });
    expect(posted.status).toBe(202);
    const { id } = posted.json<{ id: string }>();
    const progress = async () => (await call(globex, { path: `/api/links/imports/${id}` })).json<{ status: string; imported: number }>();
    await eventually(async () => expect((await progress()).imported).toBeGreaterThan(0), 15_000);
    // The rest of the import waits out the move in the queue (an operator's hold, and the move's own).
    expect((await admin('POST', `/platform/tenants/${globex.slug}/jobs/pause`)).status).toBe(200);
    const importedBefore = (await progress()).imported;

    const move = await moved(globex, 'v2');
    expect(move.state).toBe('switched');
    expect((await admin('POST', `/platform/tenants/${globex.slug}/jobs/resume`)).status).toBe(200);
    await eventually(async () => expect((await progress()).status).toBe('done'), 30_000);

    expect(await progress()).toMatchObject({ status: 'done', imported: 5_000 });
    const onNew = await codesOn(v2.db, globex, 'imp%');
    expect(onNew).toHaveLength(5_000);
    expect(new Set(onNew).size).toBe(5_000);
    // The chunks done before the move were copied; the ones queued across it ran on v2 only.
    const onOld = await codesOn(platform.poolDb, globex, 'imp%');
    expect(onOld.length).toBeGreaterThanOrEqual(importedBefore);
    expect(onOld.length).toBeLessThan(5_000);
  }, 90_000);
});
