import type { Queue, QueueEvents, Worker } from 'bullmq';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TenantDatabase } from '@mysaas/db';
import { runAsTenant } from '@mysaas/tenant-runtime';
import { createTenant, createTestDatabase, createTestPlatform, eventually, randomSuffix, type TestDatabase, type TestPlatform, type TestTenant } from '@mysaas/testing';
import type { DataSource } from 'typeorm';
import { FairDispatcher, type FairDispatcherOptions } from '../../src/fair-dispatcher';
import type { TenantJobPolicy } from '../../src/fair-scheduler';
import { defineJob, JobBacklogFullError, JobRegistry } from '@mysaas/tenant-runtime';
import { jobBackend, type JobBackend, type JobEndEvents } from '../../src/job-backend';
import { parseStoredJobId, PostgresJobStore } from '../../src/job-store';
import { startJobWorker } from '../../src/job-worker';
import { TenantJobs } from '../../src/tenant-jobs';
import { backendsUnderTest, scoped, workerTenantDatabase } from './under-test';

/** Every start, in order, with how many of its tenant's jobs were running at that moment. */
const starts: Array<{ tenant: string; n: number; running: number }> = [];
const running = new Map<string, number>();

const work = defineJob({
  name: 'test.fair',
  attempts: 1,
  parse: (data) => data as { n: number; ms: number },
  run: async ({ n, ms }, job) => {
    const tenant = job.tenant.slug;
    running.set(tenant, (running.get(tenant) ?? 0) + 1);
    starts.push({ tenant, n, running: running.get(tenant)! });
    await sleep(ms);
    running.set(tenant, running.get(tenant)! - 1);
  },
});

/** Each run of a flaky job, in order: its first attempt fails, and its retry comes 2-4 s later (backoff 4 s, jitter half). */
const flakyRuns: Array<{ n: number; attempt: number }> = [];
const flaky = defineJob({
  name: 'test.flaky',
  attempts: 2,
  backoffMs: 4_000,
  parse: (data) => data as { n: number },
  run: async ({ n }, job) => {
    flakyRuns.push({ n, attempt: job.attempt });
    if (job.attempt === 1) throw new Error('the first attempt fails');
  },
});

// Caps high enough not to be what makes it fair: the window and the turns are (the cap has a test of its own).
const POLICY: TenantJobPolicy = { weight: 1, maxRunning: 100, maxQueued: 10_000 };


describe.each(backendsUnderTest())('fair dispatch on %s', (_name, configOf) => {
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
  let tenants: TestTenant[];
  const policies = new Map<string, TenantJobPolicy>();
  const queueName = `fair-${randomSuffix()}`;
  const jobs = () => new TenantJobs({ store, policyOf: (id) => policies.get(id), defaultPolicy: POLICY });
  const enqueue = (tenant: TestTenant, count: number, ms = 5, from = 0) =>
    runAsTenant(tenantDb, scoped(tenant), async () => {
      for (let n = from; n < from + count; n++) await jobs().enqueue(work, { n, ms });
    });
  const startsOf = (tenant: TestTenant) => starts.filter((s) => s.tenant === tenant.slug);
  /** Jobs in the queue not yet ended: running, waiting, or waiting out a backoff. */
  const queued = async () => Object.values(await queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed')).reduce((sum, n) => sum + n, 0);
  const newDispatcher = (settings: Partial<FairDispatcherOptions> = {}) =>
    new FairDispatcher({ store, queue, events, policyOf: (id) => policies.get(id), defaultPolicy: POLICY, window: 4, pollMs: 50, onError: (error) => console.error(error), ...settings });
  /** Runs `body` with a dispatcher of other settings in place of the usual one, which comes back after. */
  const withDispatcher = async (settings: Partial<FairDispatcherOptions>, body: () => Promise<void>) => {
    await dispatcher.stop();
    dispatcher = newDispatcher(settings);
    try {
      expect(await dispatcher.start()).toBe(true);
      await body();
    } finally {
      await dispatcher.stop();
      dispatcher = newDispatcher();
      expect(await dispatcher.start()).toBe(true);
    }
  };

  beforeAll(async () => {
    starts.length = 0;
    platform = await createTestPlatform();
    jobsDb = await createTestDatabase('jobs');
    tenants = [];
    for (let i = 0; i < 6; i++) tenants.push(await createTenant(platform));
    ({ dataSource, tenantDb } = await workerTenantDatabase(platform, 'fair-test'));
    store = new PostgresJobStore(jobsDb.url);
    await store.migrate();
    backend = jobBackend(configOf(jobsDb));
    queue = backend.queue(queueName);
    events = backend.events(queueName);
    const byId = new Map(tenants.map((t) => [t.id, scoped(t)]));
    worker = startJobWorker(backend, queueName, {
      registry: new JobRegistry([work, flaky]),
      locate: async (id) => ({ tenant: byId.get(id)!, db: tenantDb }),
      concurrency: 2,
    });
    await worker.waitUntilReady();
    dispatcher = newDispatcher();
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

  it("runs small tenants' jobs within a few turns of arriving, not behind a big tenant's backlog, and every job once", async () => {
    const [big, ...small] = tenants.slice(0, 5) as [TestTenant, ...TestTenant[]];
    await enqueue(big, 200);
    await eventually(async () => expect(startsOf(big).length).toBeGreaterThanOrEqual(10), 10_000);
    for (const tenant of small) await enqueue(tenant, 5);
    // Counted once the dispatcher has read every small tenant's jobs (up to a poll later): what
    // the big tenant starts before that is the poll's delay, not the scheduling.
    await eventually(async () => {
      for (const tenant of small) {
        const { queued, started } = dispatcher.tenantStats(tenant.id);
        // (A tenant whose jobs all ended is forgotten by the scheduler: its starts say it was read.)
        expect(Math.max(queued + started, startsOf(tenant).length)).toBeGreaterThanOrEqual(5);
      }
    });
    const bigBefore = startsOf(big).length;
    await eventually(async () => expect(small.every((t) => startsOf(t).length === 5)).toBe(true), 15_000);
    // Five tenants take turns: the big one starts about one job per round of the small ones
    // (5 rounds), plus what was already in the window (4). First come, first served, it would
    // have started its other ~190 first.
    const bigDuring = startsOf(big).length - bigBefore;
    expect(bigDuring).toBeLessThanOrEqual(12);
    await eventually(async () => expect(startsOf(big).length).toBe(200), 20_000);
    // Each exactly once (two may run at once, so their starts may swap: order is the unit tests').
    expect(startsOf(big).map((s) => s.n).sort((a, b) => a - b)).toEqual([...Array(200).keys()]);
    // A handed-over job's row leaves the store within a few milliseconds, batched with others.
    await eventually(async () => expect(await store.queued(big.id)).toBe(0));
  }, 60_000);

  it("keeps jobs waiting out a retry's backoff out of the window: one tenant's failing jobs do not hold up another's", async () => {
    const [failing, other] = [tenants[3]!, tenants[2]!];
    flakyRuns.length = 0; // (the other backend's runs)
    // As many failing jobs as the window holds (4): each fails, then waits 2-4 s for its retry.
    await runAsTenant(tenantDb, scoped(failing), () => jobs().enqueueMany(flaky, [0, 1, 2, 3].map((n) => ({ n }))));
    await eventually(async () => expect(flakyRuns.filter((r) => r.attempt === 1)).toHaveLength(4), 10_000);
    const before = startsOf(other).length;
    await enqueue(other, 4, 1, 700);
    await eventually(async () => expect(startsOf(other).length - before).toBe(4), 10_000);
    // The other tenant's jobs ran while the failing ones waited out their backoff, not after their retries.
    expect(flakyRuns.filter((r) => r.attempt === 2)).toHaveLength(0);
    await eventually(async () => expect(flakyRuns.filter((r) => r.attempt === 2)).toHaveLength(4), 15_000);
  }, 30_000);

  it("never runs more of a tenant's jobs at once than its cap", async () => {
    const capped = tenants[5]!;
    policies.set(capped.id, { ...POLICY, maxRunning: 1 });
    await enqueue(capped, 6, 30);
    await eventually(async () => expect(startsOf(capped)).toHaveLength(6), 10_000);
    expect(Math.max(...startsOf(capped).map((s) => s.running))).toBe(1);
  }, 20_000);

  it('holds a paused tenant\'s jobs, refuses more than its backlog limit with 429\'s message, and resumes in order', async () => {
    const tenant = tenants[1]!;
    policies.set(tenant.id, { ...POLICY, maxQueued: 3, maxRunning: 1 }); // one at a time: the start order is the hand-over order
    await store.pause(tenant.id);
    await sleep(150); // the dispatcher's next poll sees the pause
    const before = startsOf(tenant).length;
    await enqueue(tenant, 3, 1, 100);
    const refused = await enqueue(tenant, 1, 1, 103).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(JobBacklogFullError);
    expect((refused as Error).message).toMatch(/already has 3 jobs waiting/);
    await sleep(300);
    expect(startsOf(tenant).length).toBe(before);
    expect(await store.queued(tenant.id)).toBe(3);
    await store.resume(tenant.id);
    await eventually(async () => expect(startsOf(tenant).length).toBe(before + 3), 10_000);
    expect(startsOf(tenant).slice(before).map((s) => s.n)).toEqual([100, 101, 102]);
  }, 20_000);

  it('stores a batch all or none: one past the backlog limit is refused whole, one within it all runs', async () => {
    const tenant = tenants[4]!;
    policies.set(tenant.id, { ...POLICY, maxQueued: 5 });
    const before = startsOf(tenant).length;
    const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ n: from + i, ms: 1 }));
    const refused = await runAsTenant(tenantDb, scoped(tenant), () => jobs().enqueueMany(work, batch(300, 6))).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(JobBacklogFullError);
    expect(await store.queued(tenant.id)).toBe(0);
    const ids = await runAsTenant(tenantDb, scoped(tenant), () => jobs().enqueueMany(work, batch(310, 5)));
    expect(ids).toHaveLength(5);
    await eventually(async () => expect(startsOf(tenant).length - before).toBe(5), 10_000);
    expect(startsOf(tenant).slice(before).map((s) => s.n).sort((a, b) => a - b)).toEqual([310, 311, 312, 313, 314]);
  });

  it('never skips a stored job that commits after a later one (ids are not commit order): a read waits for inserts in flight', async () => {
    const schema = `late_${randomSuffix()}`;
    const other = new PostgresJobStore(jobsDb.url, schema);
    await other.migrate();
    const tenant = scoped(tenants[3]!);
    const row = { tenant, name: 'test.fair', data: {}, opts: {}, cost: 1 };
    const slow = await jobsDb.pool.connect();
    try {
      // An insert as addMany makes one (the inserts' shared lock, then its id), not yet committed.
      await slow.query('BEGIN');
      await slow.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [`${schema}:inserts`]);
      const { rows } = await slow.query<{ id: string }>(
        `INSERT INTO ${schema}.batches (tenant_id, tenant, name, datas, opts, size) VALUES ($1, $2, 'test.fair', '[{}]', '{}', 1) RETURNING id`,
        [tenant.id, JSON.stringify(tenant)],
      );
      const fast = await other.add(row, 100); // a later id, committed first
      if (!fast.ok) throw new Error('refused');
      const fastBatch = parseStoredJobId(fast.id)!.batch;
      expect(BigInt(fastBatch) > BigInt(rows[0]!.id)).toBe(true);
      const read = (after: string) => other.readNew({ limit: 100, after, withPayloadUpTo: 100, handedOver: [] });
      // The read waits for the slow insert, so that its cursor never passes an uncommitted id.
      let done = false;
      const reading = read('0').then((heads) => ((done = true), heads));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(done).toBe(false);
      await slow.query('COMMIT');
      const heads = await reading;
      expect(heads.map((h) => h.id)).toEqual([rows[0]!.id, fastBatch]);
      expect(heads[0]!.batch).toMatchObject({ name: 'test.fair', tenant, datas: [{}] });
      const cursor = heads[1]!.id;
      expect(await read(cursor)).toEqual([]);
      // Rows handed over leave with the next read; a payload budget of 0 reads heads only.
      await other.add(row, 100);
      const [head] = await other.readNew({ limit: 100, after: cursor, withPayloadUpTo: 0, handedOver: heads.map((h) => ({ batch: h.id, taken: 1 })) });
      expect(head!.batch).toBeUndefined();
      expect(await other.queued(tenant.id)).toBe(1);
    } finally {
      await slow.query('ROLLBACK').catch(() => undefined);
      slow.release();
      await other.close();
    }
  });

  it('lets a second dispatcher in only when the first has stopped, and loses or repeats nothing across the switch', async () => {
    const tenant = tenants[2]!;
    expect(await newDispatcher().start()).toBe(false); // the first holds the store's lock
    const before = startsOf(tenant).length;
    await enqueue(tenant, 40, 10, 200);
    await eventually(async () => expect(startsOf(tenant).length - before).toBeGreaterThanOrEqual(5), 10_000);
    await dispatcher.stop();
    dispatcher = newDispatcher();
    expect(await dispatcher.start()).toBe(true);
    await eventually(async () => expect(startsOf(tenant).length - before).toBe(40), 20_000);
    expect(startsOf(tenant).slice(before).map((s) => s.n).sort((a, b) => a - b)).toEqual([...Array(40).keys()].map((n) => n + 200));
  }, 40_000);

  it('reads the store when told of new jobs and pauses (NOTIFY), not only on its timer, and again once its lost listening connection is back', async () => {
    const tenant = tenants[1]!;
    // Its timer would next look in a minute: only the store's notifications can bring the job in time.
    await withDispatcher({ pollMs: 60_000 }, async () => {
      const before = startsOf(tenant).length;
      await enqueue(tenant, 1, 1, 500);
      await eventually(async () => expect(startsOf(tenant).length - before).toBe(1), 5_000);
      await store.pause(tenant.id);
      await sleep(200);
      await enqueue(tenant, 1, 1, 501);
      await sleep(500);
      expect(startsOf(tenant).length - before).toBe(1); // held
      await store.resume(tenant.id);
      await eventually(async () => expect(startsOf(tenant).length - before).toBe(2), 5_000);
      // Its listening connection dies: it connects again and catches up without a timer.
      const { rows } = await jobsDb.pool.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'mysaas-jobs-listen' AND datname = current_database()`,
      );
      expect(rows).toEqual([{ ended: true }]);
      await enqueue(tenant, 1, 1, 502);
      await eventually(async () => expect(startsOf(tenant).length - before).toBe(3), 5_000);
    });
  }, 30_000);

  it.each([
    ['at every poll, when its events may skip an end', false],
    ['within a second or so, when its events tell every end but one was lost all the same', true],
  ])('frees the slots of jobs whose end it was never told: it counts the queue %s', async (_when, tellsEveryEnd) => {
    const tenant = tenants[3]!;
    // Events that tell nothing: only counting the queue can find that the first window's jobs ended.
    const silent: JobEndEvents = { on: () => undefined, off: () => undefined, waitUntilReady: async () => undefined, close: async () => undefined, tellsEveryEnd };
    await withDispatcher({ events: silent }, async () => {
      const before = startsOf(tenant).length;
      await enqueue(tenant, 10, 1, tellsEveryEnd ? 700 : 600);
      // Within the 5 seconds after which the slow look at each job in flight would free them too.
      await eventually(async () => expect(startsOf(tenant).length - before).toBe(10), 4_500);
    });
  }, 30_000);

  it("never frees the slot of a job whose hand-over has not returned: a reconcile during a slow addBulk leaves the window whole", async () => {
    const tenant = tenants[2]!;
    // The queue as the dispatcher sees it: its first addBulk takes 600 ms to land (a busy Redis,
    // a slow network), during which reconciles (every 100 ms here) find its jobs nowhere.
    const seen: Array<{ queued: number; adding: number }> = [];
    let first = true;
    const slow = new Proxy(queue, {
      get(target, property) {
        if (property === 'addBulk') {
          return async (added: Parameters<Queue['addBulk']>[0]) => {
            seen.push({ queued: await queued(), adding: added.length });
            if (first) {
              first = false;
              await sleep(600);
            }
            return target.addBulk(added);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    await eventually(async () => expect(await queued()).toBe(0), 10_000); // the earlier tests' last jobs have ended
    await withDispatcher({ queue: slow, reconcileMs: 100 }, async () => {
      const before = startsOf(tenant).length;
      // One batch: the dispatcher reads all eight at once, and its first hand-over fills the window.
      await runAsTenant(tenantDb, scoped(tenant), () => jobs().enqueueMany(work, Array.from({ length: 8 }, (_, i) => ({ n: 800 + i, ms: 300 }))));
      await eventually(async () => expect(startsOf(tenant).length - before).toBe(8), 15_000);
    });
    expect(seen[0]).toEqual({ queued: 0, adding: 4 });
    // Every hand-over kept the queue within the window (4). Freed by a reconcile that looked
    // for the first four while they were still on their way, the second would have added four
    // more at once behind them.
    for (const handOver of seen) expect(handOver.queued + handOver.adding).toBeLessThanOrEqual(4);
  }, 30_000);

  it('frees, within two reconciles, the slots of jobs gone from the queue without an end (removed by hand)', async () => {
    const [tenant, other] = [tenants[4]!, tenants[3]!];
    await eventually(async () => expect(await queued()).toBe(0), 10_000); // the earlier tests' last jobs have ended
    await withDispatcher({ reconcileMs: 200 }, async () => {
      const before = startsOf(tenant).length;
      // The window's 4: the worker's two slots run two (3 s each), two wait; those two are removed.
      await runAsTenant(tenantDb, scoped(tenant), () => jobs().enqueueMany(work, Array.from({ length: 4 }, (_, i) => ({ n: 900 + i, ms: 3_000 }))));
      await eventually(async () => expect(startsOf(tenant).length - before).toBe(2), 10_000);
      let waiting: Awaited<ReturnType<Queue['getWaiting']>> = [];
      await eventually(async () => expect((waiting = await queue.getWaiting())).toHaveLength(2), 2_000);
      for (const job of waiting) await job.remove();
      // No event tells of a removal, and the removed jobs are in neither the completed nor the
      // failed set: only the reconcile can free their slots, before the running two end. (Another
      // tenant's job: the running two hold their tenant's database connections in this test.)
      await enqueue(other, 1, 1, 904);
      await eventually(async () => expect((await queue.getJobCounts('waiting')).waiting).toBe(1), 2_000);
      await eventually(async () => expect(startsOf(other).some((s) => s.n === 904)).toBe(true), 10_000);
    });
  }, 30_000);

  it('says when its end events cannot be read, once every ten seconds however often the reads fail', async () => {
    const failing = Object.assign(new EventEmitter(), { waitUntilReady: async () => undefined, close: async () => undefined }) as unknown as JobEndEvents & EventEmitter;
    const told: string[] = [];
    await withDispatcher({ events: failing, onError: (error) => told.push(String(error)) }, async () => {
      for (let i = 0; i < 3; i++) failing.emit('error', new Error('WRONGTYPE Operation against a key holding the wrong kind of value'));
      expect(told.filter((message) => message.includes('end events'))).toEqual([
        "Error: reading the queue's end events failed (WRONGTYPE Operation against a key holding the wrong kind of value); counting the queue finds the ends meanwhile",
      ]);
    });
  });

  it('hands one stored batch over across a dispatcher switch: the jobs the first handed over run once, the rest after, none twice', async () => {
    const tenant = tenants[5]!;
    const before = startsOf(tenant).length;
    const ids = await runAsTenant(tenantDb, scoped(tenant), () => jobs().enqueueMany(work, Array.from({ length: 30 }, (_, i) => ({ n: 400 + i, ms: 10 }))));
    expect(new Set(ids.map((id) => parseStoredJobId(id)!.batch)).size).toBe(1); // one row in the store
    await eventually(async () => expect(startsOf(tenant).length - before).toBeGreaterThanOrEqual(5), 10_000);
    await dispatcher.stop();
    const left = await store.queued(tenant.id);
    expect(left).toBeGreaterThan(0); // stopped inside the batch
    expect(left).toBeLessThan(30);
    dispatcher = newDispatcher();
    expect(await dispatcher.start()).toBe(true);
    await eventually(async () => expect(startsOf(tenant).length - before).toBe(30), 20_000);
    await sleep(300); // none comes twice late
    expect(startsOf(tenant).slice(before).map((s) => s.n).sort((a, b) => a - b)).toEqual([...Array(30).keys()].map((n) => n + 400));
    expect(await store.queued(tenant.id)).toBe(0);
  }, 40_000);

  it("sizes an adaptive window to the fleet's pace: it shrinks to the running jobs and queueMs of jobs, and a new tenant's job waits behind that many, not the ceiling", async () => {
    const [big, small] = [tenants[0]!, tenants[2]!];
    const windows: number[] = [];
    // Two workers' slots, 40 ms jobs: 50 jobs a second; 200 ms of them queued behind the 2 running is 2 + 10.
    await withDispatcher({ window: 64, queueMs: 200, onWindow: (window) => windows.push(window) }, async () => {
      const before = startsOf(big).length;
      await runAsTenant(tenantDb, scoped(big), () => jobs().enqueueMany(work, Array.from({ length: 400 }, (_, i) => ({ n: 2_000 + i, ms: 40 }))));
      await eventually(async () => expect(dispatcher.currentWindow).toBeLessThanOrEqual(16), 8_000);
      // It shrank from the ceiling step by step (a quarter at most a step), not past the workers' need.
      expect(windows[0]).toBe(48);
      expect(Math.min(...windows)).toBeGreaterThanOrEqual(4);
      // Once the jobs handed over before it shrank have run, the queue holds what the window does now, not the 64 a fixed window would keep.
      await eventually(async () => {
        const counts = await queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed');
        expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(16);
      }, 5_000);
      const bigBefore = startsOf(big).length;
      await enqueue(small, 1, 1, 600);
      await eventually(async () => expect(startsOf(small).some((s) => s.n === 600)).toBe(true), 10_000);
      // Behind the small tenant's job: the window's jobs (16 at most), and a turn or two while the store is read.
      expect(startsOf(big).length - bigBefore).toBeLessThanOrEqual(16 + 4);
      await eventually(async () => expect(startsOf(big).length - before).toBe(400), 30_000);
      expect(startsOf(big).slice(before).map((s) => s.n).sort((a, b) => a - b)).toEqual([...Array(400).keys()].map((n) => n + 2_000));
    });
  }, 60_000);

  it('starts an adaptive window at 128 under a higher ceiling, and grows it at once to a fleet that ends more than that in queueMs', async () => {
    const big = tenants[0]!;
    // Two slots and jobs of no length: tens of jobs a second on any backend here at the least,
    // so 5 s of them are more than 128 jobs; the ceiling, 512, is where it stops. The tenant's
    // cap (100 in flight) would hold the backlog back before the window did: raised for this test.
    policies.set(big.id, { ...POLICY, maxRunning: 1_000 });
    await withDispatcher({ window: 512, queueMs: 5_000 }, async () => {
      expect(dispatcher.currentWindow).toBe(128);
      const before = startsOf(big).length;
      await runAsTenant(tenantDb, scoped(big), () => jobs().enqueueMany(work, Array.from({ length: 600 }, (_, i) => ({ n: 3_000 + i, ms: 0 }))));
      await eventually(async () => expect(dispatcher.currentWindow).toBeGreaterThan(128), 10_000);
      await eventually(async () => expect(startsOf(big).length - before).toBe(600), 30_000);
      expect(startsOf(big).slice(before).map((s) => s.n).sort((a, b) => a - b)).toEqual([...Array(600).keys()].map((n) => n + 3_000));
    }).finally(() => policies.delete(big.id));
  }, 60_000);
});
