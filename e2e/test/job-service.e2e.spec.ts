import { SESSION_COOKIE } from '@mysaas/auth';
import { startAppServer, type StartedAppServer } from '@mysaas/app-server';
import { loadWorkerConfig } from '@mysaas/config';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { startGateway, type StartedGateway } from '@mysaas/gateway';
import { PostgresJobStore } from '@mysaas/jobs';
import { parseTenantSlug } from '@mysaas/tenancy';
import { BusinessModules } from '@mysaas/modules';
import { createRegistry, createLogger, startMetricsServer, type MetricsServer } from '@mysaas/observability';
import {
  cookieFrom,
  createTenant,
  createTestDatabase,
  createTestPlatform,
  eventually,
  http,
  metricValue,
  testRedisUrl,
  uniqueSlug,
  type HttpRequest,
  type HttpResponse,
  type TestDatabase,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { jobMetrics, startWorkerService, type WorkerService } from '@mysaas/worker';

interface ImportView {
  id: string;
  status: string;
  total: number;
  imported: number;
  skipped: number;
  failed: number;
  errors?: Array<{ row: number; url: string; code: string | null; reason: string }>;
}

const backends: Array<[string, (jobsDb: TestDatabase) => string]> = [['the PostgreSQL backend', (jobsDb) => jobsDb.url]];
const redisUrl = testRedisUrl();
if (redisUrl !== undefined) backends.push(['Redis', () => redisUrl]);

/**
 * The job service as its users meet it, every app in place: a tenant imports links through the
 * gateway, the app server queues the import's chunks, the worker runs them on the tenant's
 * pool, and platform engineers watch, pause, limit and replay through the control plane.
 */
describe.each(backends)('the job service end to end, on %s', (_name, queueUrlOf) => {
  let platform: TestPlatform;
  let jobsDb: TestDatabase;
  let controlPlane: StartedControlPlane;
  let appServer: StartedAppServer;
  let gateway: StartedGateway;
  let worker: WorkerService;
  let workerMetrics: MetricsServer;
  let store: PostgresJobStore;
  let acme: TestTenant;
  let globex: TestTenant;
  const cookies = new Map<string, string>();

  beforeAll(async () => {
    platform = await createTestPlatform();
    jobsDb = await createTestDatabase('jobs');
    const queueUrl = queueUrlOf(jobsDb);
    acme = await createTenant(platform, { slug: uniqueSlug('acme'), name: 'Acme Corp' });
    globex = await createTenant(platform, { slug: uniqueSlug('globex'), name: 'Globex' });
    controlPlane = await startControlPlane({ ...platform.controlPlaneConfig(), jobs: { storeUrl: jobsDb.url, queueUrl } });
    appServer = await startAppServer(platform.appServerConfig({ jobs: { storeUrl: jobsDb.url } }));
    await platform.setUpstreams([appServer.url]);
    gateway = await startGateway(platform.gatewayConfig());
    const registry = createRegistry('worker');
    worker = await startWorkerService(
      loadWorkerConfig({
        JOBS_DATABASE_URL: jobsDb.url,
        JOBS_QUEUE_URL: queueUrl,
        ROUTING_DATABASE_URL: platform.routingUrl,
        POOL_DATABASE_URLS: JSON.stringify({ [platform.pool.name]: platform.poolAppUrl }),
        JOBS_CONCURRENCY: '4',
        JOBS_WINDOW: '8',
        LOG_LEVEL: 'warn',
      }),
      { registry: await BusinessModules.jobs(), logger: createLogger({ app: 'worker', level: 'warn' }), observe: (s, locator) => jobMetrics(registry, s, (ids) => locator.slugs(ids)) },
    );
    workerMetrics = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
    store = new PostgresJobStore(jobsDb.url);
    for (const tenant of [acme, globex]) {
      const signIn = await call(tenant, { method: 'POST', path: '/auth/login', body: tenant.admin });
      expect(signIn.status).toBe(200);
      cookies.set(tenant.slug, cookieFrom(signIn, SESSION_COOKIE)!);
    }
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await appServer?.close();
    await worker?.stop();
    await workerMetrics?.close();
    await controlPlane?.close();
    await store?.close();
    if (redisUrl !== undefined && queueUrlOf(jobsDb!) === redisUrl) {
      // The Redis queue outlives the test database: empty it for the next run.
      const { jobBackend } = await import('@mysaas/jobs');
      const backend = jobBackend({ kind: 'redis', url: redisUrl });
      await backend.queue('mysaas-jobs').obliterate({ force: true }).catch(() => undefined);
      await backend.close();
    }
    await jobsDb?.drop();
    await platform?.cleanup();
  });

  function call(tenant: TestTenant, req: Omit<HttpRequest, 'host'>): Promise<HttpResponse> {
    const cookie = cookies.get(tenant.slug);
    return http(gateway.url, { ...req, host: `${tenant.slug}.localhost:${gateway.port}`, ...(cookie === undefined ? {} : { cookie }) });
  }
  const admin = (method: string, path: string, body?: unknown) =>
    http(controlPlane.url, { method, path, body, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
  const postImport = (tenant: TestTenant, links: unknown[]) => call(tenant, { method: 'POST', path: '/api/links/imports', body: { links } });
  const importOf = async (tenant: TestTenant, id: string) => (await call(tenant, { path: `/api/links/imports/${id}` })).json<ImportView>();
  const statsOf = async (tenant: TestTenant) => (await admin('GET', `/platform/jobs/stats?tenant=${tenant.slug}`)).json<{ tenants: Array<Record<string, unknown>> }>().tenants[0]!;
  const done = async (tenant: TestTenant, id: string, timeoutMs = 20_000) => {
    await eventually(async () => expect((await importOf(tenant, id)).status).toMatch(/^(done|failed)$/), timeoutMs);
    return importOf(tenant, id);
  };
  const urls = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ url: `https://example.com/${prefix}/${i}` }));

  it('imports 10,000 links posted through the gateway on the worker, reporting each bad row and importing the rest', async () => {
    // Long URLs: the body (about 2 MB) is past the ordinary 1 MiB limit, within the bulk one.
    const links: Array<{ url: string; code?: string }> = Array.from({ length: 10_000 }, (_, i) => ({
      url: `https://example.com/catalogue/${'section-'.repeat(20)}/${i}`,
      code: `imp${i}`,
    }));
    links[10] = { url: 'not a url', code: 'bad1' };
    links[20] = { url: 'https://example.com/x', code: 'no spaces allowed' };
    links[30] = { url: 'https://example.com/y', code: 'imp0' }; // the first row's code, for another URL
    const accepted = await postImport(acme, links);
    expect(accepted.status).toBe(202);
    const { id, status, total } = accepted.json<ImportView>();
    expect({ status, total }).toEqual({ status: 'queued', total: 10_000 });

    const finished = await done(acme, id, 60_000);
    expect(finished).toMatchObject({ status: 'done', total: 10_000, imported: 9_997, skipped: 0, failed: 3 });
    expect(finished.errors!.map((e) => e.row)).toEqual([11, 21, 31]);
    expect(finished.errors![0]).toMatchObject({ url: 'not a url', code: 'bad1' });
    expect(finished.errors!.map((e) => e.reason).join(' | ')).toMatch(/url/i);
    // Globex saw nothing of it.
    const globexLinks = await call(globex, { path: '/api/links' });
    expect(globexLinks.status).toBe(200);
    expect(JSON.stringify(globexLinks.json())).not.toContain('imp0');

    const tooMany = await postImport(acme, urls(10_001, 'too-many'));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json()).toMatchObject({ code: 'LINK_IMPORT_TOO_LARGE' });
  }, 90_000);

  it("shows a tenant's jobs to operators, and holds them while paused until resumed", async () => {
    expect((await admin('POST', `/platform/tenants/${globex.slug}/jobs/pause`)).json()).toMatchObject({ tenant: globex.slug, paused: true, pausedFor: ['operator'] });
    const { id } = (await postImport(globex, urls(3, 'paused'))).json<ImportView>();
    await eventually(async () => expect(await statsOf(globex)).toMatchObject({ paused: true, queued: 1, running: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // many polls of the dispatcher
    expect((await importOf(globex, id)).status).toBe('queued');
    expect((await statsOf(globex)).oldestQueuedAgeMs).toBeGreaterThanOrEqual(1_000);

    expect((await admin('POST', `/platform/tenants/${globex.slug}/jobs/resume`)).json()).toMatchObject({ paused: false, pausedFor: [] });
    expect(await done(globex, id)).toMatchObject({ status: 'done', imported: 3 });
    await eventually(async () => expect(await statsOf(globex)).toMatchObject({ queued: 0, running: 0, startedLastMinute: 1 }));
    const all = (await admin('GET', '/platform/jobs/stats')).json<{ tenants: Array<{ tenant: string; servedShare: number }> }>();
    const shares = all.tenants.filter((t) => [acme.slug as string, globex.slug as string].includes(t.tenant)).map((t) => t.servedShare);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  }, 40_000);

  it("holds a suspended tenant's jobs, apart from an operator's pause, until it is resumed", async () => {
    expect((await admin('POST', `/platform/tenants/${globex.slug}/suspend`)).status).toBe(200);
    expect(await statsOf(globex)).toMatchObject({ paused: true, pausedFor: ['suspended'] });
    // An operator's resume does not lift the suspension's hold.
    expect((await admin('POST', `/platform/tenants/${globex.slug}/jobs/resume`)).json()).toMatchObject({ paused: true, pausedFor: ['suspended'] });
    expect((await admin('POST', `/platform/tenants/${globex.slug}/resume`)).status).toBe(200);
    expect(await statsOf(globex)).toMatchObject({ paused: false, pausedFor: [] });
  });

  it("refuses an import past the backlog limit of the tenant's plan with 429, leaving nothing behind", async () => {
    const plan = { weight: 1, maxRunning: 1, maxQueued: 1 };
    expect((await admin('PUT', '/platform/job-plans/e2e-tiny', plan)).json()).toMatchObject({ name: 'e2e-tiny', ...plan, ratePerSecond: null });
    expect((await admin('PUT', `/platform/tenants/${globex.slug}/job-plan`, { plan: 'e2e-tiny' })).json()).toEqual({ tenant: globex.slug, plan: 'e2e-tiny' });
    const before = (await call(globex, { path: '/api/links/imports' })).json<{ imports: unknown[] }>().imports.length;

    const refused = await postImport(globex, urls(501, 'refused')); // two chunks, one allowed
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'JOB_BACKLOG_FULL', message: `${globex.slug} already has 1 jobs waiting; wait for some to finish, or ask for a larger backlog` });
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await call(globex, { path: '/api/links/imports' })).json<{ imports: unknown[] }>().imports).toHaveLength(before);

    expect((await admin('PUT', `/platform/tenants/${globex.slug}/job-plan`, { plan: 'standard' })).status).toBe(200);
    expect((await postImport(globex, urls(501, 'allowed'))).status).toBe(202);
  });

  it('lists dead jobs by tenant and replays them through the API', async () => {
    // A job no worker knows: it fails for good at once, as a dead letter of acme.
    const tenant = { id: acme.id, slug: parseTenantSlug(acme.slug), name: acme.name };
    const stored = await store.add({ tenant, name: 'e2e.unknown', data: { v: 1, tenant, payload: {} }, opts: { attempts: 1 }, cost: 1 });
    expect(stored.ok).toBe(true);
    const deadId = (stored as { id: string }).id; // the queue id the job gets
    await eventually(async () => expect((await admin('GET', `/platform/jobs/dead?tenant=${acme.slug}`)).json<{ jobs: Array<{ id: string }> }>().jobs.map((j) => j.id)).toContain(deadId), 15_000);
    const listed = (await admin('GET', `/platform/jobs/dead?tenant=${acme.slug}`)).json<{ jobs: Array<Record<string, unknown>> }>().jobs.find((j) => j.id === deadId)!;
    expect(listed).toMatchObject({ tenant: acme.slug, name: 'e2e.unknown', attemptsMade: 1 });
    expect(listed.failedReason).toMatch(/no job named e2e\.unknown/);
    expect((await admin('GET', `/platform/jobs/dead?tenant=${globex.slug}`)).json<{ jobs: unknown[] }>().jobs).toEqual([]);

    const replayed = await admin('POST', `/platform/jobs/dead/${deadId}/replay`);
    expect(replayed.status).toBe(200);
    const [{ newId }] = replayed.json<{ replayed: Array<{ id: string; newId: string }> }>().replayed as [{ id: string; newId: string }];
    expect(newId).not.toBe(deadId);
    await eventually(async () => expect((await admin('GET', `/platform/jobs/dead?tenant=${acme.slug}`)).json<{ jobs: Array<{ id: string }> }>().jobs.map((j) => j.id)).toContain(newId), 15_000);
    const again = await admin('POST', `/platform/jobs/dead/${deadId}/replay`);
    expect(again.status).toBe(404);
    expect(again.json()).toMatchObject({ code: 'DEAD_JOB_NOT_FOUND' });
  }, 40_000);

  it('answers bad operator input with a 4xx that says what was wrong', async () => {
    expect((await admin('GET', '/platform/jobs/stats?tenant=no-such-tenant')).json()).toMatchObject({ statusCode: 404, code: 'TENANT_NOT_FOUND' });
    expect((await admin('PUT', '/platform/job-plans/Not_A_Name', { weight: 1, maxRunning: 1, maxQueued: 1 })).json()).toMatchObject({ statusCode: 400, code: 'JOB_PLAN_INVALID' });
    const negative = await admin('PUT', '/platform/job-plans/ok-name', { weight: -1, maxRunning: 1, maxQueued: 1 });
    expect(negative.status).toBe(400);
    expect(negative.json<{ message: string }>().message).toMatch(/weight must be at least 0.01/);
    expect((await admin('PUT', `/platform/tenants/${acme.slug}/job-plan`, { plan: 'no-such-plan' })).json()).toMatchObject({ statusCode: 404, code: 'JOB_PLAN_NOT_FOUND' });
    expect((await admin('POST', '/platform/jobs/dead/replay', {})).status).toBe(400);
    expect((await admin('PUT', '/platform/job-plans/standard', { weight: 2, maxRunning: 8, maxQueued: 200000, isDefault: false })).json()).toMatchObject({ code: 'JOB_PLAN_INVALID' });
  });

  it('serves the queue dashboard only with the admin token (a browser gives it as the password)', async () => {
    const anonymous = await http(controlPlane.url, { path: '/platform/queues' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="MySaaS queues"/);
    const wrong = await http(controlPlane.url, { path: '/platform/queues', headers: { authorization: `Basic ${Buffer.from('ops:wrong-token').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const page = await http(controlPlane.url, { path: '/platform/queues', headers: { authorization: `Basic ${Buffer.from(`ops:${platform.secrets.adminToken}`).toString('base64')}` } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>MySaaS jobs</title>');
    const queues = await admin('GET', '/platform/queues/api/queues');
    expect(queues.json<{ queues: Array<{ name: string }> }>().queues.map((q) => q.name)).toEqual(['mysaas-jobs']);
  });

  it("exposes each tenant's queue depth, waits and outcomes as Prometheus series on the worker", async () => {
    const text = (await http(workerMetrics.url.replace(/\/metrics$/, ''), { path: '/metrics' })).text;
    expect(metricValue(text, 'mysaas_job_wait_seconds_count', { app: 'worker', tenant: acme.slug, job: 'links.import' })).toBeGreaterThanOrEqual(20);
    expect(metricValue(text, 'mysaas_jobs_ended_total', { app: 'worker', tenant: acme.slug, job: 'links.import', outcome: 'completed' })).toBeGreaterThanOrEqual(20);
    expect(metricValue(text, 'mysaas_jobs_ended_total', { app: 'worker', tenant: acme.slug, job: 'e2e.unknown', outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(new RegExp(`mysaas_jobs_queued\\{tenant="(${acme.slug}|${globex.slug})"`));
  });
});
