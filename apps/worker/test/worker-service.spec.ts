import { loadWorkerConfig, ConfigError, type WorkerConfig } from '@mysaas/config';
import { PostgresJobStore, TenantJobs } from '@mysaas/jobs';
import { createLogger } from '@mysaas/observability';
import { currentTenantScope, defineJob, JobRegistry, runAsTenant } from '@mysaas/tenant-runtime';
import { createTenant, createTestDatabase, createTestPlatform, eventually, type TestDatabase, type TestPlatform, type TestTenant } from '@mysaas/testing';
import { Registry } from 'prom-client';
import { dispatchWindowMetric } from '../src/job-metrics';
import { TenantLocator } from '../src/tenant-locator';
import { startWorkerService, type WorkerService } from '../src/worker-service';

/** Records who ran it, as which database user, in which schema. */
const ran: Array<{ tenant: string; user: string; schema: string }> = [];
const whoAmI = defineJob({
  name: 'test.who-am-i',
  attempts: 1,
  parse: (data) => data as Record<string, never>,
  run: async (_payload, job) => {
    const [row] = (await currentTenantScope().transaction.manager.query('SELECT current_user AS "user", current_schema() AS schema')) as Array<{ user: string; schema: string }>;
    ran.push({ tenant: job.tenant.slug, ...row! });
  },
});

/**
 * The worker app's own promises: it finds each tenant's pool when the job runs and reaches it
 * with the pool's app login (never an admin), and a fleet of workers has exactly one
 * dispatcher, another taking over when it stops.
 */
describe('the job worker', () => {
  let platform: TestPlatform;
  let jobsDb: TestDatabase;
  let acme: TestTenant;
  let store: PostgresJobStore;
  const services: WorkerService[] = [];
  const logger = createLogger({ app: 'worker', level: 'silent' });

  const configOf = (overrides: Record<string, string> = {}): WorkerConfig =>
    loadWorkerConfig({
      JOBS_DATABASE_URL: jobsDb.url,
      ROUTING_DATABASE_URL: platform.routingUrl,
      POOL_DATABASE_URLS: JSON.stringify({ [platform.pool.name]: platform.poolAppUrl }),
      JOBS_CONCURRENCY: '2',
      JOBS_WINDOW: '4',
      ...overrides,
    });
  const start = async (overrides: Record<string, string> = {}) => {
    const service = await startWorkerService(configOf(overrides), { registry: new JobRegistry([whoAmI]), logger });
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    platform = await createTestPlatform();
    jobsDb = await createTestDatabase('jobs');
    acme = await createTenant(platform);
    store = new PostgresJobStore(jobsDb.url);
  }, 30_000);

  afterAll(async () => {
    for (const service of services) await service.stop().catch(() => undefined);
    await store?.close();
    await jobsDb?.drop();
    await platform?.cleanup();
  });

  it("finds a tenant's pool from routing and reaches it with the pool's app login", async () => {
    const locator = new TenantLocator({ routingDatabaseUrl: platform.routingUrl, pools: configOf().pools, database: configOf().database });
    try {
      const { tenant, db } = await locator.locate(acme.id);
      expect(tenant).toEqual({ id: acme.id, slug: acme.slug, name: acme.name });
      const [row] = await runAsTenant(db, tenant, async () => (await currentTenantScope().transaction.manager.query('SELECT session_user AS login')) as Array<{ login: string }>);
      expect(row!.login).toBe(platform.pool.appRole);
      await expect(locator.locate('00000000-0000-0000-0000-000000000000')).rejects.toThrow(/is not in routing/);
      // A tenant on a pool this worker has no login for: said plainly (the job retries, then waits among the dead).
      await platform.control.pool.query("INSERT INTO platform.pools (name, release, database_url, app_role) VALUES ('v9', 1, 'postgres://x@127.0.0.1:1/x', 'mysaas_app_v9') ON CONFLICT DO NOTHING");
      await platform.control.pool.query("UPDATE platform.tenants SET pool = 'v9' WHERE id = $1", [acme.id]);
      await expect(locator.locate(acme.id)).rejects.toThrow('this worker has no login for pool v9 (add it to POOL_DATABASE_URLS)');
    } finally {
      await platform.control.pool.query('UPDATE platform.tenants SET pool = $2 WHERE id = $1', [acme.id, platform.pool.name]);
      await locator.close();
    }
  });

  it('refuses a configuration without pool logins, saying what it needs', () => {
    expect(() => configOf({ POOL_DATABASE_URLS: 'v1=postgres://x' })).toThrow(ConfigError);
    expect(() => configOf({ POOL_DATABASE_URLS: 'v1=postgres://x' })).toThrow(/POOL_DATABASE_URLS.*JSON object of pool name to postgres:\/\/ URL/s);
    expect(() => configOf({ POOL_DATABASE_URLS: '{}' })).toThrow(/at least one pool/);
  });

  it('runs jobs on every worker of the fleet with one dispatcher, and another takes over when it stops', async () => {
    const first = await start();
    const second = await start();
    expect([first.dispatching, second.dispatching].sort()).toEqual([false, true]);
    const [leader, standby] = first.dispatching ? [first, second] : [second, first];
    // The window it dispatches with (JOBS_WINDOW to start with: 4), on the dispatch-window gauge; 0 from the one standing by.
    expect(leader.dispatchWindow).toBe(4);
    expect(standby.dispatchWindow).toBeUndefined();
    const gauge = async (service: WorkerService) => {
      const registry = new Registry();
      dispatchWindowMetric(registry, () => service.dispatchWindow);
      return (await registry.getSingleMetric('mysaas_jobs_dispatch_window')!.get()).values.map((v) => v.value);
    };
    expect(await gauge(leader)).toEqual([4]);
    expect(await gauge(standby)).toEqual([0]);

    const locator = new TenantLocator({ routingDatabaseUrl: platform.routingUrl, pools: configOf().pools, database: configOf().database });
    try {
      const { tenant, db } = await locator.locate(acme.id);
      const queue = (n: number) => runAsTenant(db, tenant, () => new TenantJobs({ store }).enqueueMany(whoAmI, Array.from({ length: n }, () => ({}))));
      await queue(4);
      await eventually(async () => expect(ran).toHaveLength(4), 15_000);
      expect(new Set(ran.map((r) => `${r.tenant} ${r.user} ${r.schema}`))).toEqual(new Set([`${acme.slug} ${acme.role} ${acme.schema}`]));

      await leader.stop();
      await eventually(async () => expect(standby.dispatching).toBe(true), 10_000);
      await queue(3);
      await eventually(async () => expect(ran).toHaveLength(7), 15_000);
      await standby.stop();
    } finally {
      await locator.close();
    }
  }, 60_000);

  it('lets a process only dispatch (JOBS_DISPATCH=only): it hands jobs over and runs none, the workers (JOBS_DISPATCH=off) run them', async () => {
    // JOBS_DISPATCH_NICE=0: a dispatch-only service lowers its process's priority, and here that is the test runner's.
    const dispatcher = await start({ JOBS_DISPATCH: 'only', JOBS_DISPATCH_NICE: '0' });
    expect(dispatcher.dispatching).toBe(true);
    const locator = new TenantLocator({ routingDatabaseUrl: platform.routingUrl, pools: configOf().pools, database: configOf().database });
    try {
      const { tenant, db } = await locator.locate(acme.id);
      const before = ran.length;
      await runAsTenant(db, tenant, () => new TenantJobs({ store }).enqueueMany(whoAmI, Array.from({ length: 3 }, () => ({}))));
      // Handed over, and nobody takes them: the dispatching process runs none.
      await eventually(async () => expect(await store.queued(acme.id)).toBe(0), 10_000);
      await new Promise((done) => setTimeout(done, 500));
      expect(ran).toHaveLength(before);
      const worker = await start({ JOBS_DISPATCH: 'off' });
      expect(worker.dispatching).toBe(false);
      await eventually(async () => expect(ran).toHaveLength(before + 3), 15_000);
    } finally {
      await locator.close();
    }
  }, 60_000);
});
