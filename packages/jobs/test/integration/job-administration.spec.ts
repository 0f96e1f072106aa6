import type { Queue, QueueEvents, Worker } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TenantDatabase } from '@mysaas/db';
import { defineJob, JobBacklogFullError, JobRegistry, runAsTenant } from '@mysaas/tenant-runtime';
import { createTenant, createTestDatabase, createTestPlatform, eventually, randomSuffix, type TestDatabase, type TestPlatform, type TestTenant } from '@mysaas/testing';
import type { DataSource } from 'typeorm';
import { FairDispatcher } from '../../src/fair-dispatcher';
import { JobAdmin, JobAdminException } from '../../src/job-admin';
import { jobBackend, type JobBackend } from '../../src/job-backend';
import { PostgresJobStore } from '../../src/job-store';
import { startJobWorker } from '../../src/job-worker';
import { TenantJobs } from '../../src/tenant-jobs';
import { backendsUnderTest, scoped, workerTenantDatabase } from './under-test';

const running = new Map<string, number>();
const peak = new Map<string, number>();
const ran: string[] = [];

const slow = defineJob({
  name: 'test.slow',
  attempts: 1,
  parse: (data) => data as { ms: number },
  run: async ({ ms }, job) => {
    const tenant = job.tenant.slug;
    running.set(tenant, (running.get(tenant) ?? 0) + 1);
    peak.set(tenant, Math.max(peak.get(tenant) ?? 0, running.get(tenant)!));
    ran.push(tenant);
    await sleep(ms);
    running.set(tenant, running.get(tenant)! - 1);
  },
});

/** Registered where it is enqueued, not with the worker: it fails for good at once (a dead letter). */
const orphan = defineJob({ name: 'test.orphan', attempts: 1, parse: (data) => data as { n: number }, run: async () => undefined });

/**
 * What the control plane does to the job service: plans kept in the store and obeyed by the
 * dispatcher, pauses with reasons, per-tenant figures, dead letters listed and replayed
 * through the fair path.
 */
describe.each(backendsUnderTest())('job administration on %s', (_name, configOf) => {
  let platform: TestPlatform;
  let jobsDb: TestDatabase;
  let dataSource: DataSource;
  let tenantDb: TenantDatabase;
  let backend: JobBackend;
  let queue: Queue;
  let events: QueueEvents;
  let worker: Worker;
  let store: PostgresJobStore;
  let dispatcher: FairDispatcher;
  let admin: JobAdmin;
  let tenants: TestTenant[];
  const queueName = `admin-${randomSuffix()}`;
  // No policies given: every limit comes from the store's plans.
  const jobs = () => new TenantJobs({ store });
  const enqueue = <P>(tenant: TestTenant, definition: { name: string; parse: (d: unknown) => P }, payloads: P[]) =>
    runAsTenant(tenantDb, scoped(tenant), () => jobs().enqueueMany(definition as Parameters<TenantJobs['enqueueMany']>[0], payloads));

  beforeAll(async () => {
    platform = await createTestPlatform();
    jobsDb = await createTestDatabase('jobs');
    tenants = [];
    for (let i = 0; i < 4; i++) tenants.push(await createTenant(platform));
    ({ dataSource, tenantDb } = await workerTenantDatabase(platform, 'admin-test'));
    store = new PostgresJobStore(jobsDb.url);
    await store.migrate();
    backend = jobBackend(configOf(jobsDb));
    queue = backend.queue(queueName);
    events = backend.events(queueName);
    admin = new JobAdmin(store, queue);
    const byId = new Map(tenants.map((t) => [t.id, scoped(t)]));
    worker = startJobWorker(backend, queueName, {
      registry: new JobRegistry([slow]),
      locate: async (id) => ({ tenant: byId.get(id)!, db: tenantDb }),
      concurrency: 4,
    });
    await worker.waitUntilReady();
    dispatcher = new FairDispatcher({ store, queue, events, window: 8, pollMs: 50, onError: (error) => console.error(error) });
    expect(await dispatcher.start()).toBe(true);
  }, 30_000);

  afterAll(async () => {
    await dispatcher?.stop();
    await worker?.close();
    await events?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await backend?.close();
    await store?.close();
    await dataSource?.destroy();
    await jobsDb?.drop();
    await platform?.cleanup();
  });

  it("refuses work past the backlog limit of the tenant's plan, as the store's plans say", async () => {
    const tenant = tenants[0]!;
    await store.savePlan({ name: 'tiny', weight: 1, maxRunning: 1, ratePerSecond: null, burst: null, maxQueued: 2 });
    expect(await store.setTenantPlan(tenant.id, 'no-such-plan')).toBe(false);
    expect(await store.setTenantPlan(tenant.id, 'tiny')).toBe(true);
    await store.pause(tenant.id); // nothing drains meanwhile
    await enqueue(tenant, slow, [{ ms: 1 }, { ms: 1 }]);
    const refused = await enqueue(tenant, slow, [{ ms: 1 }]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JobBacklogFullError);
    expect((refused as Error).message).toBe(`${tenant.slug} already has 2 jobs waiting; wait for some to finish, or ask for a larger backlog`);
    expect(await store.queued(tenant.id)).toBe(2);
    await store.resume(tenant.id);
    await eventually(async () => expect(await store.queued(tenant.id)).toBe(0), 10_000);
  }, 20_000);

  it("holds a tenant's jobs while any reason holds them, and lets them go when the last is lifted", async () => {
    const tenant = tenants[1]!;
    await store.pause(tenant.id, 'operator');
    await store.pause(tenant.id, 'suspended');
    await store.pause(tenant.id, 'suspended'); // idempotent
    await enqueue(tenant, slow, [{ ms: 1 }, { ms: 1 }, { ms: 1 }]);
    await store.resume(tenant.id, 'operator');
    await sleep(400); // several polls
    expect(ran.filter((t) => t === tenant.slug)).toHaveLength(0);
    expect((await store.summaries([tenant.id]))[0]).toMatchObject({ pausedFor: ['suspended'], queued: 3 });
    await store.resume(tenant.id, 'suspended');
    await eventually(async () => expect(ran.filter((t) => t === tenant.slug)).toHaveLength(3), 10_000);
    await eventually(async () => expect((await store.summaries([tenant.id]))[0]).toMatchObject({ pausedFor: [], queued: 0 }));
  }, 20_000);

  it("obeys a plan's cap changed in the store while the dispatcher runs, and reports each tenant's figures", async () => {
    const tenant = tenants[2]!;
    await store.savePlan({ name: 'single', weight: 1, maxRunning: 1, ratePerSecond: null, burst: null, maxQueued: 100 });
    await store.setTenantPlan(tenant.id, 'single');
    await sleep(1_200); // the dispatcher reads the plans every second
    // The dispatcher reports its figures once a second: the first job runs longer than that, so
    // one report falls within it whatever the phase (six 40 ms jobs could all end between two).
    await enqueue(tenant, slow, Array.from({ length: 6 }, (_, i) => ({ ms: i === 0 ? 1_500 : 40 })));
    await eventually(async () => {
      const [summary] = await store.summaries([tenant.id]);
      expect(summary).toMatchObject({ plan: 'single', running: 1 });
    }, 5_000);
    await eventually(async () => expect(ran.filter((t) => t === tenant.slug)).toHaveLength(6), 10_000);
    expect(peak.get(tenant.slug)).toBe(1);
    await eventually(async () => {
      const [summary] = await store.summaries([tenant.id]);
      expect(summary).toMatchObject({ queued: 0, running: 0, startedLastMinute: 6, oldestQueuedAt: null });
    }, 5_000);
  }, 20_000);

  it('lists dead jobs by tenant and replays them through the store, under a new id', async () => {
    const [tenant, other] = [tenants[3]!, tenants[0]!];
    const [deadId] = await enqueue(tenant, orphan, [{ n: 1 }]);
    await enqueue(other, orphan, [{ n: 2 }]);
    await eventually(async () => expect(await admin.deadLetters({ tenantId: tenant.id, limit: 10 })).toHaveLength(1), 10_000);
    const [dead] = await admin.deadLetters({ tenantId: tenant.id, limit: 10 });
    expect(dead).toMatchObject({ id: deadId, tenantId: tenant.id, name: 'test.orphan', attemptsMade: 1 });
    expect(dead!.failedReason).toMatch(/no job named test\.orphan is registered/);
    await eventually(async () => expect((await admin.deadLetters({ limit: 10 })).map((d) => d.tenantId).sort()).toEqual([tenant.id, other.id].sort()), 10_000);

    const replayed = await admin.replay(deadId!);
    expect(replayed.id).toBe(deadId);
    expect(replayed.newId).not.toBe(deadId);
    // Through the fair path again: it runs (and, still unknown to the worker, dies again) under its new id.
    await eventually(async () => expect((await admin.deadLetters({ tenantId: tenant.id, limit: 10 })).map((d) => d.id)).toEqual([replayed.newId]), 10_000);
    await expect(admin.replay(deadId!)).rejects.toBeInstanceOf(JobAdminException);
    await expect(admin.replay('b999999999')).rejects.toThrow(/no dead job has the id b999999999/);

    const all = await admin.replayTenant(other.id);
    expect(all).toHaveLength(1);
    await eventually(async () => expect((await admin.deadLetters({ tenantId: other.id, limit: 10 })).map((d) => d.id)).toEqual([all[0]!.newId]), 10_000);
  }, 40_000);
});
