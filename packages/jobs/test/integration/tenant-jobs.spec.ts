import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Queue, Worker } from 'bullmq';
import type { TenantDatabase } from '@mysaas/db';
import { currentTenantScope, runAsTenant, type ScopedTenant } from '@mysaas/tenant-runtime';
import { createTenant, createTestDatabase, createTestPlatform, eventually, randomSuffix, type TestDatabase, type TestPlatform, type TestTenant } from '@mysaas/testing';
import type { DataSource } from 'typeorm';
import { defineJob, JobRegistry, type RunningJob } from '@mysaas/tenant-runtime';
import { jobBackend, type JobBackend } from '../../src/job-backend';
import { startJobWorker, type LocateTenant } from '../../src/job-worker';
import { TenantJobs } from '../../src/tenant-jobs';
import { backendsUnderTest, scoped, workerTenantDatabase } from './under-test';

/** The jobs under test record here what they saw (worker and test share the process). */
const seen: Array<{ job: string; attempt: number; tenant: string; role: string; path: string; other?: string }> = [];

/** Upserts a link by code; fails its first attempt after writing, so the retry writes again. */
const recordLink = defineJob({
  name: 'test.record-link',
  attempts: 3,
  backoffMs: 10,
  parse: (data) => {
    const { code, failFirst } = data as { code?: unknown; failFirst?: unknown };
    if (typeof code !== 'string' || code === '') throw new Error('code must be a non-empty string');
    return { code, failFirst: failFirst === true };
  },
  run: async ({ code, failFirst }, job: RunningJob) => {
    const manager = currentTenantScope().transaction.manager;
    await manager.query(`INSERT INTO links (code, url) VALUES ($1, 'https://example.com/') ON CONFLICT (code) DO NOTHING`, [code]);
    const [where] = (await manager.query("SELECT current_user AS role, current_setting('search_path') AS path")) as Array<{ role: string; path: string }>;
    seen.push({ job: job.id, attempt: job.attempt, tenant: job.tenant.slug, role: where!.role, path: where!.path });
    if (failFirst && job.attempt === 1) throw new Error('the first attempt fails after its write');
  },
});

/** Tries to read another tenant's links from inside its own job. */
const peek = defineJob({
  name: 'test.peek',
  attempts: 1,
  parse: (data) => data as { schema: string },
  run: async ({ schema }, job) => {
    const manager = currentTenantScope().transaction.manager;
    const other = await manager.query(`SELECT count(*) FROM ${schema}.links`).then(() => 'read it', (error: Error) => error.message);
    seen.push({ job: job.id, attempt: job.attempt, tenant: job.tenant.slug, role: '', path: '', other });
  },
});

/** Fails while `failing.now` is set: its jobs go to the dead letters, and are replayed from there. */
const failing = { now: true };
const flaky = defineJob({
  name: 'test.flaky',
  attempts: 2,
  backoffMs: 10,
  parse: (data) => data as { code: string },
  run: async ({ code }, job) => {
    const manager = currentTenantScope().transaction.manager;
    await manager.query(`INSERT INTO links (code, url) VALUES ($1, 'https://example.com/') ON CONFLICT (code) DO NOTHING`, [code]);
    seen.push({ job: job.id, attempt: job.attempt, tenant: job.tenant.slug, role: '', path: '' });
    if (failing.now) throw new Error('the service this job needs is down');
  },
});

/** What test/fixtures/dying-worker.cjs runs too, but finishing: write the link, done. */
const slowLink = defineJob({
  name: 'test.slow-link',
  parse: (data) => data as { code: string },
  run: async ({ code }, job) => {
    await currentTenantScope().transaction.manager.query(`INSERT INTO links (code, url) VALUES ($1, 'https://example.com/') ON CONFLICT (code) DO NOTHING`, [code]);
    seen.push({ job: job.id, attempt: job.attempt, tenant: job.tenant.slug, role: '', path: '' });
  },
});

const registry = new JobRegistry([recordLink, peek, flaky, slowLink]);

/** Dying workers still running: killed after the suite whatever happened. */
const dyingWorkers = new Set<{ kill(): Promise<void> }>();

/** Runs test/fixtures/dying-worker.cjs; resolves once it says `line`. */
function startDyingWorker(env: object, line: RegExp): Promise<{ kill(): Promise<void>; output: () => string; waitFor(line: RegExp): Promise<string> }> {
  const child = spawn(process.execPath, [join(__dirname, '../fixtures/dying-worker.cjs')], {
    env: { ...process.env, DYING_WORKER: JSON.stringify(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    waiters.splice(0).forEach((wake) => wake());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the dying worker did not print ${pattern} within 15 s; it printed: ${output}`)), 15_000);
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] ?? match[0]);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`the dying worker exited (${child.exitCode}): ${output}`));
        } else waiters.push(check);
      };
      check();
    });
  const handle = {
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      dyingWorkers.delete(handle);
    },
    output: () => output,
    waitFor,
  };
  dyingWorkers.add(handle);
  return waitFor(line).then(() => handle);
}



describe.each(backendsUnderTest())('tenant jobs on %s', (_name, configOf) => {
  let platform: TestPlatform;
  let jobsDb: TestDatabase;
  let dataSource: DataSource;
  let tenantDb: TenantDatabase;
  let backend: JobBackend;
  let queue: Queue;
  let worker: Worker;
  let acme: TestTenant;
  let globex: TestTenant;
  const queueName = `test-${randomSuffix()}`;
  const locations = new Map<string, ScopedTenant>();
  const locate: LocateTenant = async (tenantId) => ({ tenant: locations.get(tenantId)!, db: tenantDb });
  const asTenant = <T>(tenant: TestTenant, work: () => Promise<T>) => runAsTenant(tenantDb, scoped(tenant), work);
  const linkCodes = async (tenant: TestTenant) =>
    ((await platform.poolDb.pool.query<{ code: string }>(`SELECT code FROM ${tenant.schema}.links ORDER BY code`)).rows).map((r) => r.code);

  beforeAll(async () => {
    seen.length = 0; // job ids restart with each backend's queue
    platform = await createTestPlatform();
    jobsDb = await createTestDatabase('jobs');
    [acme, globex] = [await createTenant(platform), await createTenant(platform)];
    for (const tenant of [acme, globex]) locations.set(tenant.id, scoped(tenant));
    ({ dataSource, tenantDb } = await workerTenantDatabase(platform, 'jobs-test'));
    backend = jobBackend(configOf(jobsDb));
    queue = backend.queue(queueName);
    // Every worker of this queue checks for dead workers' jobs every half second (one check per
    // interval across the fleet: on Redis a worker with the default 30 s would hold it).
    worker = startJobWorker(backend, queueName, { registry, locate, concurrency: 2, lockDurationMs: 1_000, stalledIntervalMs: 500 });
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    await Promise.all([...dyingWorkers].map((dying) => dying.kill()));
    await worker?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await backend?.close();
    await dataSource?.destroy();
    await jobsDb?.drop();
    await platform?.cleanup();
  });

  it("runs a job enqueued in acme's scope as acme: acme's role, acme's schema, acme's table", async () => {
    const id = await asTenant(acme, () => new TenantJobs({ queue }).enqueue(recordLink, { code: `a-${randomSuffix()}`, failFirst: false }));
    await eventually(async () => expect(seen.some((s) => s.job === id)).toBe(true));
    const run = seen.find((s) => s.job === id)!;
    expect(run).toMatchObject({ tenant: acme.slug, role: acme.role, attempt: 1 });
    expect(run.path).toContain(acme.schema);
    expect((await linkCodes(acme)).length).toBe(1);
    expect(await linkCodes(globex)).toEqual([]);
  });

  it("takes the tenant from the scope only: a payload naming globex still runs as acme, and outside a scope nothing is queued", async () => {
    const code = `b-${randomSuffix()}`;
    const payload = { code, tenant: { id: globex.id, slug: globex.slug } } as unknown as { code: string; failFirst: boolean };
    const id = await asTenant(acme, () => new TenantJobs({ queue }).enqueue(recordLink, payload));
    await eventually(async () => expect(seen.find((s) => s.job === id)?.tenant).toBe(acme.slug));
    expect(await linkCodes(acme)).toContain(code);
    await expect(new TenantJobs({ queue }).enqueue(recordLink, { code: 'x', failFirst: false })).rejects.toThrow(/outside a tenant scope/);
  });

  it("cannot read another tenant's schema from a job: Postgres refuses it", async () => {
    const id = await asTenant(acme, () => new TenantJobs({ queue }).enqueue(peek, { schema: globex.schema }));
    await eventually(async () => expect(seen.find((s) => s.job === id)).toBeDefined());
    expect(seen.find((s) => s.job === id)!.other).toMatch(/permission denied for schema/);
  });

  it('retries a failed job with backoff, and its upsert leaves exactly one row', async () => {
    const code = `c-${randomSuffix()}`;
    const id = await asTenant(globex, () => new TenantJobs({ queue }).enqueue(recordLink, { code, failFirst: true }));
    await eventually(async () => expect(await queue.getJobState(id)).toBe('completed'), 10_000);
    expect(seen.filter((s) => s.job === id).map((s) => s.attempt)).toEqual([1, 2]);
    expect((await linkCodes(globex)).filter((c) => c === code)).toEqual([code]);
  });

  it('queues a job once per key, however often it is enqueued', async () => {
    const key = randomSuffix();
    const ids = await asTenant(acme, async () => {
      const jobs = new TenantJobs({ queue });
      return [await jobs.enqueue(recordLink, { code: `k-${key}`, failFirst: false }, { key }), await jobs.enqueue(recordLink, { code: `k-${key}`, failFirst: false }, { key })];
    });
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toContain(acme.id);
  });

  it('refuses a payload its handler could not read before queueing it, saying why', async () => {
    await expect(asTenant(acme, () => new TenantJobs({ queue }).enqueue(recordLink, { code: '' } as never))).rejects.toThrow(/code must be a non-empty string/);
  });

  it('keeps a job that exhausted its retries among the failed (the dead letters), and replays it from there once', async () => {
    failing.now = true;
    const code = `d-${randomSuffix()}`;
    const id = await asTenant(acme, () => new TenantJobs({ queue }).enqueue(flaky, { code }));
    await eventually(async () => expect(await queue.getJobState(id)).toBe('failed'), 10_000);
    const dead = (await queue.getFailed()).find((job) => job.id === id)!;
    expect(dead.failedReason).toMatch(/the service this job needs is down/);
    expect(dead.attemptsMade).toBe(2);
    failing.now = false;
    await dead.retry();
    await eventually(async () => expect(await queue.getJobState(id)).toBe('completed'), 10_000);
    expect(seen.filter((s) => s.job === id)).toHaveLength(3);
    expect((await linkCodes(acme)).filter((c) => c === code)).toEqual([code]);
  });

  it('runs again, and writes once, a job whose worker process was killed in the middle of it', async () => {
    // The test's own worker stays out of the way: the job must start in the dying process.
    await worker.pause();
    const code = `w-${randomSuffix()}`;
    const dying = await startDyingWorker(
      { backend: backend.config, queueName, poolAppUrl: platform.poolAppUrl, tenant: scoped(globex), jobName: slowLink.name },
      /^ready$/m,
    );
    const id = await asTenant(globex, () => new TenantJobs({ queue }).enqueue(slowLink, { code }));
    try {
      expect(await dying.waitFor(/^wrote (\S+)$/m)).toBe(id);
    } finally {
      await dying.kill();
    }
    // Its transaction died with its connection: nothing was written, and the job is not done.
    expect(await linkCodes(globex)).not.toContain(code);
    // A live worker takes it over once the dead one's lock has lapsed.
    const rescuer = startJobWorker(backend, queueName, { registry, locate, concurrency: 1, lockDurationMs: 1_000, stalledIntervalMs: 500 });
    try {
      await eventually(async () => expect(await queue.getJobState(id)).toBe('completed'), 15_000);
    } finally {
      await rescuer.close();
      worker.resume();
    }
    expect(seen.filter((s) => s.job === id)).toHaveLength(1);
    expect((await linkCodes(globex)).filter((c) => c === code)).toEqual([code]);
  }, 30_000);

  it('fails a job that names no tenant or no registered job at once, without retries, saying why', async () => {
    const forged = await queue.add('test.record-link', { payload: { code: 'forged' } }, { attempts: 3 });
    const unknown = await queue.add('test.nobody', { v: 1, tenant: scoped(acme), payload: {} }, { attempts: 3 });
    await eventually(async () => {
      expect(await queue.getJobState(forged.id!)).toBe('failed');
      expect(await queue.getJobState(unknown.id!)).toBe('failed');
    });
    const [forgedJob, unknownJob] = [await queue.getJob(forged.id!), await queue.getJob(unknown.id!)];
    expect(forgedJob!.failedReason).toMatch(/carries no tenant/);
    expect(forgedJob!.attemptsMade).toBe(1);
    expect(unknownJob!.failedReason).toMatch(/no job named test.nobody is registered/);
  });

  it('starts no more jobs per second than the fleet-wide rate, however many wait: the burst waits in the queue', async () => {
    const rated = `rated-${randomSuffix()}`;
    const ratedQueue = backend.queue(rated);
    const starts: number[] = [];
    const observe = { started: () => void starts.push(Date.now()) };
    const limited = startJobWorker(backend, rated, { registry, locate, concurrency: 8, ratePerSecond: 3, observe });
    try {
      await limited.waitUntilReady();
      await asTenant(acme, () => new TenantJobs({ queue: ratedQueue }).enqueueMany(recordLink, Array.from({ length: 7 }, (_, i) => ({ code: `rated-${i}`, failFirst: false }))));
      await eventually(async () => expect(starts).toHaveLength(7), 15_000);
      // 3 a second: the 4th start is at least a second after the 1st, the 7th two seconds after.
      // (A lower bound on spacing, the limiter's promise; how fast is for benchmarks.)
      expect(starts[3]! - starts[0]!).toBeGreaterThanOrEqual(900);
      expect(starts[6]! - starts[0]!).toBeGreaterThanOrEqual(1_800);
      // Each written once, when its transaction commits (a start is counted before that).
      await eventually(async () => expect((await linkCodes(acme)).filter((code) => code.startsWith('rated-'))).toHaveLength(7));
    } finally {
      await limited.close();
      await ratedQueue.obliterate({ force: true }).catch(() => undefined);
      await ratedQueue.close();
    }
  }, 20_000);
});
