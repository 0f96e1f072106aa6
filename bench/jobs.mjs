// Benchmark "jobs": the shared job service against plain BullMQ, side by side in one run, on
// each backend (Redis when REDIS_URL answers, and BullMQ's PostgreSQL backend):
//   mixed    one tenant enqueues --big jobs at t=0; --small-tenants other tenants enqueue
//            --small-jobs each at t=+1 s. Reported: the small tenants' wait (enqueue to start)
//            p50/p99/max, and the big tenant's drain time.
//   single   only the big tenant, --big jobs: throughput.
// Each mode runs as "fifo" (plain BullMQ: TenantJobs straight to one queue) and "fair" (the
// store, the FairDispatcher and the same queue and worker). Every job is one idempotent upsert
// of a link in its tenant's schema, through the tenant runtime, with the pool's app login.
// The producer and the worker run in this process, against the stack's Postgres; the fair
// dispatcher too (--dispatcher inline), or in a child process of its own (--dispatcher process,
// as a deployment runs it: the same store and queue URLs), or both side by side.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { log, parseBenchmarkArgs, runBenchmark, UsageError, wholeNumber } from './lib/benchmark.mjs';
import { fetchOnce } from './lib/load.mjs';
import { requireBuilt } from './lib/platform.mjs';
import { machineCpuTimeMs, processCpuTimeMs } from './lib/processes.mjs';
import { fmt, fmtMs, latencySummary, machineMarkdown, round } from './lib/report.mjs';

export const summary = "small tenants' wait behind one big tenant's backlog, and throughput, plain BullMQ vs the fair job service, on Redis and on Postgres";

// dispatcherNice mirrors the worker's JOBS_DISPATCH_NICE default: this help is printed without a build.
const DEFAULTS = { big: 20_000, smallTenants: 50, smallJobs: 10, concurrency: 8, queueMs: 400, jobMs: 0, smallAtMs: 1_000, dispatcherNice: 10 };
/** The fair dispatcher's window (its ceiling when sized in time) per backend, as the worker's JOBS_WINDOW defaults. */
const WINDOWS = { redis: 1024, postgres: 128 };
const WINDOWS_IN_WORDS = `${WINDOWS.redis} on Redis and ${WINDOWS.postgres} on Postgres`;

export const help = `  --big <n>              jobs the big tenant enqueues at t=0 (default ${DEFAULTS.big}; the issue's figure is 100000)
  --small-tenants <n>    tenants that each enqueue --small-jobs at t=+1 s (default ${DEFAULTS.smallTenants})
  --small-jobs <n>       (default ${DEFAULTS.smallJobs})
  --concurrency <n>      jobs the worker runs at once (default ${DEFAULTS.concurrency})
  --job-ms <n>           each job also waits this long after its upsert (default ${DEFAULTS.jobMs}): a slower fleet,
                         to see what the window costs the small tenants where it is more than a moment of work
  --window <n>           the fair dispatcher's jobs in flight at most (default ${WINDOWS.redis} on Redis, ${WINDOWS.postgres} on
                         Postgres, as JOBS_WINDOW); sized in time, it starts at 128 at most
  --queue-ms <n>         size the window in time: the running jobs and this many ms of jobs at the
                         measured pace, up to --window (default ${DEFAULTS.queueMs}, as JOBS_QUEUE_MS); 0: always --window
  --rounds <n>           run every row n times and judge the targets on the median of the rounds'
                         ratios (default 1): the rows compared run back to back, in reverse order
                         every other round (fifo, fair, fair, fifo, …); on a shared machine the
                         same run's speed moves by 10–20 % between minutes
  --only <fifo|fair>      run one scheduling only (for profiling one path; the targets need both)
  --dispatcher <inline|process|both>
                         where the fair dispatcher runs: in the benchmark process beside the producer
                         and the worker (inline, the default), in a child process of its own (process),
                         or each in turn (both); the producer and the worker stay in the benchmark process
  --dispatcher-nice <n>  the niceness the dispatcher's own process takes (default ${DEFAULTS.dispatcherNice}, as a
                         dispatch-only worker's JOBS_DISPATCH_NICE; 0: as the benchmark's)
  --backend <redis|postgres|both>
                         default: both when REDIS_URL (default redis://127.0.0.1:6379) answers, else postgres
  --json                 print one JSON object on stdout instead of the markdown table (each row also
                         has bigEndedPerSecond: the big tenant's jobs ended in each second from t=0,
                         and workerRanDry: how often the worker found the queue empty; 1 or 2 when it
                         never waited for a refill: after the last job, and before the first when it
                         looked before they came)
  -h, --help             show this help
  Database: embedded Postgres, or the server in DATABASE_URL. The job store and BullMQ's
  PostgreSQL backend use a database of their own on the control server (mysaas_jobs_bench).
`;

function parseOptions(args) {
  const values = parseBenchmarkArgs(args, {
    big: { type: 'string' }, 'small-tenants': { type: 'string' }, 'small-jobs': { type: 'string' },
    concurrency: { type: 'string' }, window: { type: 'string' }, backend: { type: 'string' }, only: { type: 'string' },
    dispatcher: { type: 'string' }, rounds: { type: 'string' }, 'queue-ms': { type: 'string' }, 'job-ms': { type: 'string' },
    'dispatcher-nice': { type: 'string' },
  });
  const dispatcher = values.dispatcher ?? 'inline';
  if (!['inline', 'process', 'both'].includes(dispatcher)) throw new UsageError(`--dispatcher: "${dispatcher}" is none of inline, process, both`);
  if (values.only !== undefined && !['fifo', 'fair'].includes(values.only)) throw new UsageError(`--only: "${values.only}" is neither fifo nor fair`);
  const backend = values.backend ?? 'auto';
  if (!['redis', 'postgres', 'both', 'auto'].includes(backend)) throw new UsageError(`--backend: "${backend}" is none of redis, postgres, both`);
  return {
    help: values.help,
    json: values.json,
    big: wholeNumber('big', values.big, DEFAULTS.big, 1, 1_000_000),
    smallTenants: wholeNumber('small-tenants', values['small-tenants'], DEFAULTS.smallTenants, 1, 500),
    smallJobs: wholeNumber('small-jobs', values['small-jobs'], DEFAULTS.smallJobs, 1, 10_000),
    concurrency: wholeNumber('concurrency', values.concurrency, DEFAULTS.concurrency, 1, 256),
    window: wholeNumber('window', values.window, undefined, 1, 100_000),
    queueMs: wholeNumber('queue-ms', values['queue-ms'], DEFAULTS.queueMs, 0, 60_000),
    jobMs: wholeNumber('job-ms', values['job-ms'], DEFAULTS.jobMs, 0, 10_000),
    dispatcherNice: wholeNumber('dispatcher-nice', values['dispatcher-nice'], DEFAULTS.dispatcherNice, 0, 19),
    rounds: wholeNumber('rounds', values.rounds, 1, 1, 20),
    backend,
    schedulings: values.only === undefined ? ['fifo', 'fair'] : [values.only],
    dispatchers: dispatcher === 'both' ? ['inline', 'process'] : [dispatcher],
  };
}

export async function main(args) {
  return runBenchmark(args, {
    name: 'jobs',
    summary,
    help,
    parseOptions,
    packages: ['@mysaas/jobs', '@mysaas/db', '@mysaas/tenant-runtime', '@mysaas/limits'],
    measure,
    markdown,
    // Delivery is at least once: a job run twice (its worker lost its lock) is counted, not a
    // failure; its upsert left one row. A job never run is.
    failures: (report) => {
      const lost = report.runs.filter((r) => r.lost > 0);
      return lost.length === 0 ? undefined : `jobs were lost in: ${lost.map((r) => `${r.backend} ${r.mode} ${label(r)}`).join(', ')}`;
    },
  });
}

async function measure({ stack, options, signal, dataDir }) {
  const jobs = requireBuilt('@mysaas/jobs');
  const { createPoolDataSource, TenantDatabase } = requireBuilt('@mysaas/db');
  const { runAsTenant, currentTenantScope } = requireBuilt('@mysaas/tenant-runtime');
  const { redisReachable } = requireBuilt('@mysaas/limits');

  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redisUp = await redisReachable(redisUrl);
  const backends = options.backend === 'auto' ? (redisUp ? ['redis', 'postgres'] : ['postgres']) : options.backend === 'both' ? ['redis', 'postgres'] : [options.backend];
  if (backends.includes('redis') && !redisUp) throw new Error(`--backend ${options.backend}: no Redis answers at ${redisUrl}`);
  if (!redisUp) log(`No Redis at ${redisUrl}: the Redis rows are skipped.`);

  // A database of its own for the job store and BullMQ's PostgreSQL backend.
  const jobsDbUrl = await jobsDatabase(stack.controlAdminUrl);

  // The tenants: big, and the small ones, provisioned through the control plane.
  log(`Provisioning ${1 + options.smallTenants} tenants…`);
  const tenants = [];
  for (let i = 0; i <= options.smallTenants; i++) {
    signal.throwIfAborted();
    tenants.push(await provision(stack, i === 0 ? 'jb-big' : `jb-small-${i}`));
  }
  const [big, ...small] = tenants;

  const dataSource = await createPoolDataSource({ url: stack.logins.poolAppUrl, entities: [], maxConnections: Math.max(10, options.concurrency + 2), connectionWaitMs: 30_000, applicationName: 'bench-jobs' }).initialize();
  const tenantDb = new TenantDatabase(dataSource, { statementTimeoutMs: 30_000, maxConnectionsPerTenant: options.concurrency, connectionWaitMs: 30_000 });
  const byId = new Map(tenants.map((t) => [t.id, t]));

  // What every run records: per job, its enqueue time (in the payload), start and end.
  let records = new Map();
  const upsert = jobs.defineJob({
    name: 'bench.upsert',
    attempts: 3,
    backoffMs: 100,
    parse: (data) => data,
    run: async ({ code, at }, job) => {
      const started = Date.now();
      await currentTenantScope().transaction.manager.query(
        `INSERT INTO links (code, url) VALUES ($1, 'https://example.com/') ON CONFLICT (code) DO NOTHING`, [code],
      );
      if (options.jobMs > 0) await sleep(options.jobMs); // --job-ms: a slower job, as one that calls out
      const previous = records.get(job.id);
      records.set(job.id, { tenant: job.tenant.slug, at, started: previous?.started ?? started, ended: Date.now(), runs: (previous?.runs ?? 0) + 1 });
    },
  });
  const registry = new jobs.JobRegistry([upsert]);
  // A lone tenant may fill the window: a cap at the worker's concurrency would leave BullMQ nothing
  // queued behind the running jobs, and every start would wait for the dispatcher's round trip.
  const policy = { weight: 1, maxRunning: options.window ?? Math.max(...Object.values(WINDOWS)), maxQueued: 10_000_000 };

  const serversCpuMs = await serversCpuReader(dataDir);
  const runs = [];
  // fifo, then fair with each dispatcher placement asked for.
  const variants = options.schedulings.flatMap((scheduling) => (scheduling === 'fifo' ? [{ scheduling }] : options.dispatchers.map((dispatcher) => ({ scheduling, dispatcher }))));
  const total = backends.length * 2 * variants.length * options.rounds;
  try {
    for (const backendKind of backends) {
      for (let round = 1; round <= options.rounds; round++) {
        // The rows compared run back to back (per mode), and every other round in reverse order
        // (fifo, fair, fair, fifo, …): the host's speed drifts over minutes, and this way a
        // steady drift favours neither side.
        const order = round % 2 === 1 ? variants : [...variants].reverse();
        for (const mode of ['mixed', 'single']) {
          for (const { scheduling, dispatcher } of order) {
            signal.throwIfAborted();
            records = new Map();
            const label = `${backendKind} ${scheduling}${dispatcher ? ` (dispatcher ${dispatcher})` : ''} ${mode}${options.rounds > 1 ? `, round ${round}` : ''}`;
            log(`[${runs.length + 1}/${total}] ${label}: ${options.big} jobs${mode === 'mixed' ? ` + ${options.smallTenants} × ${options.smallJobs} at +${DEFAULTS.smallAtMs / 1000} s` : ''}…`);
            const result = await run({ serversCpuMs, jobs, runAsTenant, currentTenantScope, tenantDb, byId, big, small, registry, upsert, policy, options, backendKind, scheduling, dispatcher, mode, jobsDbUrl, redisUrl, records: () => records, signal, label });
            runs.push({ ...result, round });
          }
        }
      }
    }
  } finally {
    await dataSource.destroy();
  }
  return { settings: { ...options, smallAtMs: DEFAULTS.smallAtMs, backends }, runs };
}

async function run(ctx) {
  const { serversCpuMs, jobs, runAsTenant, currentTenantScope, tenantDb, byId, big, small, registry, upsert, policy, options, backendKind, scheduling, dispatcher: placement, mode, jobsDbUrl, redisUrl, records, signal, label } = ctx;
  const suffix = Math.random().toString(36).slice(2, 8);
  const queueName = `bench-${suffix}`;
  const backendConfig = backendKind === 'redis' ? { kind: 'redis', url: redisUrl } : { kind: 'postgres', url: jobsDbUrl, schema: 'bullmq' };
  const backend = jobs.jobBackend(backendConfig);
  const queue = backend.queue(queueName);
  const worker = jobs.startJobWorker(backend, queueName, {
    registry, concurrency: options.concurrency, locate: async (id) => ({ tenant: byId.get(id), db: tenantDb }),
  });
  await worker.waitUntilReady();
  // How often the worker found the queue empty (BullMQ tells once per empty spell: after the last
  // job, and before the first when it looked before they came): a fair row whose dispatcher
  // refills the window too late leaves the worker idle between refills, and counts more.
  let ranDry = 0;
  worker.on('drained', () => {
    ranDry += 1;
  });
  let store;
  let events;
  let dispatcher;
  let child;
  // The sizes the adaptive window took, in order (the dispatcher's, wherever it runs).
  let windows = [];
  let windowAtEnd = null;
  let target = { queue };
  const window = options.window ?? WINDOWS[backendKind];
  if (scheduling === 'fair') {
    const storeSchema = `bench_${suffix}`;
    store = new jobs.PostgresJobStore(jobsDbUrl, storeSchema);
    await store.migrate();
    if (placement === 'process') {
      child = await startDispatcherProcess({ storeUrl: jobsDbUrl, storeSchema, backend: backendConfig, queueName, window, queueMs: queueMs(options), pollMs: 50, policy, nice: options.dispatcherNice });
    } else {
      events = backend.endEvents(queueName);
      dispatcher = new jobs.FairDispatcher({ store, queue, events, defaultPolicy: policy, window, queueMs: queueMs(options), pollMs: 50, onWindow: (size) => windows.push(size) });
      if (!(await dispatcher.start())) throw new Error('the dispatcher did not get the store lock');
    }
    target = { store, defaultPolicy: policy };
  }
  let dispatcherCpuMs = null;
  const producer = new jobs.TenantJobs(target);
  const enqueue = (tenant, from, count, prefix) =>
    runAsTenant(tenantDb, tenant, async () => {
      for (let start = from; start < from + count; start += 1_000) {
        const at = Date.now();
        const payloads = Array.from({ length: Math.min(1_000, from + count - start) }, (_, i) => ({ code: `${prefix}${suffix}-${start + i}`, at }));
        await producer.enqueueMany(upsert, payloads);
      }
    });

  try {
    // Every row starts from empty links tables: rows upserted by the rows before would make the
    // later rows' inserts dearer (a bigger index), whichever scheduling they measure.
    for (const tenant of [big, ...small]) {
      await runAsTenant(tenantDb, tenant, () => currentTenantScope().transaction.manager.query('TRUNCATE links'));
    }
    const t0 = Date.now();
    const cpuAtStart = process.cpuUsage();
    const machineAtStart = machineCpuTimeMs();
    const serversAtStart = serversCpuMs();
    await enqueue(big, 0, options.big, 'b');
    const bigEnqueuedMs = Date.now() - t0;
    let expected = options.big;
    if (mode === 'mixed') {
      await sleep(Math.max(0, DEFAULTS.smallAtMs - (Date.now() - t0)));
      for (const tenant of small) await enqueue(tenant, 0, options.smallJobs, 's');
      expected += small.length * options.smallJobs;
    }
    // Wait for every job to end (bounded: 20 minutes).
    const deadline = Date.now() + 20 * 60_000;
    let last = -1;
    let lastProgress = Date.now();
    while (records().size < expected) {
      signal.throwIfAborted();
      if (Date.now() > deadline) throw new Error(`${label}: only ${records().size} of ${expected} jobs ended within 20 minutes`);
      if (records().size !== last) {
        last = records().size;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > 60_000) {
        throw new Error(`${label}: stuck at ${last} of ${expected} jobs for a minute`);
      }
      await sleep(200);
    }
    // This process's CPU (producer, worker and, inline, the dispatcher) until the last job ended.
    const cpu = process.cpuUsage(cpuAtStart);
    const machineAtEnd = machineCpuTimeMs();
    const serversAtEnd = serversCpuMs();
    if (child) ({ cpuMs: dispatcherCpuMs, windows, window: windowAtEnd } = await child.stop());
    else if (dispatcher) windowAtEnd = dispatcher.currentWindow;
    child = undefined;
    const all = [...records().values()];
    const bigJobs = all.filter((r) => r.tenant === big.slug);
    const smallJobs = all.filter((r) => r.tenant !== big.slug);
    const waits = smallJobs.map((r) => r.started - r.at).sort((a, b) => a - b);
    const firstStart = Math.min(...bigJobs.map((r) => r.started));
    const lastEnd = Math.max(...bigJobs.map((r) => r.ended));
    return {
      backend: backendKind, scheduling, mode,
      dispatcher: scheduling === 'fair' ? placement : null,
      jobs: all.length,
      lost: expected - all.length,
      duplicated: all.filter((r) => r.runs > 1).length,
      workerRanDry: ranDry,
      // The adaptive window's sizes in this row, in order (--json only), and its last: what the pace made of --window.
      windowSizes: scheduling === 'fair' ? windows : null,
      windowAtEnd,
      bigEnqueueSeconds: round(bigEnqueuedMs / 1000, 2),
      bigDrainSeconds: round((lastEnd - t0) / 1000, 2),
      throughputPerSecond: round(bigJobs.length / ((lastEnd - firstStart) / 1000), 1),
      // The big tenant's jobs ended in each second from t=0 (--json only): is a slower row slow
      // throughout, or in one stretch?
      bigEndedPerSecond: perSecond(bigJobs.map((r) => r.ended - t0)),
      // Starved or slowed? The handler's own time (its upsert), and how much of the worker's
      // capacity the big tenant's jobs filled between the first start and the last end.
      meanRunMs: round(bigJobs.reduce((sum, r) => sum + (r.ended - r.started), 0) / bigJobs.length, 2),
      workerBusyShare: round(bigJobs.reduce((sum, r) => sum + (r.ended - r.started), 0) / (options.concurrency * (lastEnd - firstStart)), 3),
      smallWaitMs: waits.length === 0 ? null : latencySummary(waits),
      // CPU seconds: the benchmark process's, and the dispatcher process's (--dispatcher process).
      benchCpuSeconds: round((cpu.user + cpu.system) / 1e6, 1),
      dispatcherCpuSeconds: dispatcherCpuMs === null ? null : round(dispatcherCpuMs / 1000, 1),
      // The whole machine's CPUs (every process: this one, the dispatcher's, Postgres, Redis, anything else), busy share.
      // Backends that exited during the row took their CPU time with them: a sum that went down is unknown, not negative.
      postgresCpuSeconds: serversAtStart.postgres === null || serversAtEnd.postgres < serversAtStart.postgres ? null : round((serversAtEnd.postgres - serversAtStart.postgres) / 1000, 1),
      redisCpuSeconds: serversAtStart.redis === null ? null : round((serversAtEnd.redis - serversAtStart.redis) / 1000, 1),
      machineBusyShare: machineAtStart && machineAtEnd ? round((machineAtEnd.busyMs - machineAtStart.busyMs) / (machineAtEnd.totalMs - machineAtStart.totalMs), 3) : null,
    };
  } finally {
    await child?.stop().catch(() => child.kill());
    await dispatcher?.stop();
    await worker.close();
    await events?.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await backend.close();
    await store?.close();
  }
}

/**
 * Forks bench/lib/jobs-dispatcher.mjs and waits until its dispatcher holds the store's lock.
 * `stop()` stops it and resolves with its CPU time; `kill()` ends it at once.
 */
async function startDispatcherProcess(settings) {
  const script = fileURLToPath(new URL('./lib/jobs-dispatcher.mjs', import.meta.url));
  const proc = fork(script, [JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const nextMessage = () => Promise.race([
    once(proc, 'message').then(([message]) => message),
    once(proc, 'exit').then(([code]) => ({ error: `the dispatcher process exited (${code})` })),
  ]);
  const ready = await nextMessage();
  if (!ready.ready) {
    proc.kill();
    throw new Error(`the dispatcher process did not start: ${ready.error}`);
  }
  let stopping;
  return {
    stop: () => {
      stopping ??= (async () => {
        const answer = nextMessage();
        proc.send('stop');
        const message = await answer;
        if (!message.stopped) throw new Error(`the dispatcher process did not stop cleanly: ${message.error}`);
        if (proc.exitCode === null) await once(proc, 'exit');
        return message;
      })();
      return stopping;
    },
    kill: () => proc.kill('SIGKILL'),
  };
}

/**
 * CPU time so far (ms) of this run's embedded Postgres servers (each postmaster and the
 * processes it forked: backends that exit take theirs with them) and of redis-server; null
 * for what cannot be read (not Linux, DATABASE_URL's server, no Redis here).
 */
async function serversCpuReader(dataDir) {
  const { runningServerPid } = requireBuilt('@mysaas/embedded-db');
  const postgresDir = dataDir === undefined ? undefined : join(dataDir, 'postgres');
  const postmasters = postgresDir === undefined || !existsSync(postgresDir) ? [] :
    (await Promise.all(readdirSync(postgresDir).map((server) => runningServerPid(join(postgresDir, server))))).filter((pid) => pid !== undefined);
  return () => {
    let postgres = postmasters.length === 0 ? null : 0;
    let redis = null;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (postgres !== null && (postmasters.includes(Number(entry)) || postmasters.includes(ppid))) postgres += processCpuTimeMs(entry) ?? 0;
      if (name === 'redis-server') redis = (redis ?? 0) + (processCpuTimeMs(entry) ?? 0);
    }
    return { postgres, redis };
  };
}

/** How many of `msSinceStart` fall in each second: [second 0, second 1, …]. */
function perSecond(msSinceStart) {
  const counts = [];
  for (const ms of msSinceStart) {
    const second = Math.max(0, Math.floor(ms / 1000));
    while (counts.length <= second) counts.push(0);
    counts[second] += 1;
  }
  return counts;
}

/** fifo, or fair with its dispatcher's place. */
const round3 = (value) => Math.round(value * 1000) / 1000;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : round3((sorted[mid - 1] + sorted[mid]) / 2);
};

const label = (r) => (r.scheduling === 'fair' && r.dispatcher ? `fair (dispatcher ${r.dispatcher})${r.windowAtEnd === undefined || r.windowAtEnd === null ? '' : `, window ${r.windowAtEnd}`}` : r.scheduling);

/** The dispatcher's queueMs: undefined (a fixed window) for --queue-ms 0. */
const queueMs = (options) => (options.queueMs === 0 ? undefined : options.queueMs);

async function provision(stack, slug) {
  const res = await fetchOnce(`${stack.controlPlaneUrl}/platform/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}` },
    body: { slug, name: slug, adminEmail: `admin@${slug}.test`, adminPassword: 'bench-password-1', pool: 'v1' },
  });
  // DATABASE_URL's server keeps the tenants of an earlier run: they are used again.
  const found = res.status === 409 ? await fetchOnce(`${stack.controlPlaneUrl}/platform/tenants/${slug}`, { headers: { authorization: `Bearer ${stack.adminToken}` } }) : res;
  if (found.status !== (res.status === 409 ? 200 : 201)) throw new Error(`provisioning ${slug}: ${found.status} ${found.text.slice(0, 300)}`);
  const tenant = JSON.parse(found.text);
  return { id: tenant.id, slug: tenant.slug, name: tenant.name };
}

/** CREATE DATABASE mysaas_jobs_bench on the control server (fresh each run); its URL. */
async function jobsDatabase(controlAdminUrl) {
  const { Client } = (await import('pg')).default;
  const admin = new Client({ connectionString: controlAdminUrl });
  await admin.connect();
  try {
    await admin.query('DROP DATABASE IF EXISTS mysaas_jobs_bench WITH (FORCE)');
    await admin.query('CREATE DATABASE mysaas_jobs_bench');
  } finally {
    await admin.end();
  }
  const url = new URL(controlAdminUrl);
  url.pathname = '/mysaas_jobs_bench';
  return url.toString();
}

function markdown(report) {
  const { settings } = report;
  const cpu = (r) => `${fmt(r.benchCpuSeconds)}${r.dispatcherCpuSeconds === null || r.dispatcherCpuSeconds === undefined ? '' : ` + ${fmt(r.dispatcherCpuSeconds)}`}`;
  const servers = (r) => `${r.postgresCpuSeconds === null ? '–' : fmt(r.postgresCpuSeconds)} / ${r.redisCpuSeconds === null ? '–' : fmt(r.redisCpuSeconds)}`;
  const rows = report.runs.map((r) =>
    `| ${r.backend}${(settings.rounds ?? 1) > 1 ? ` #${r.round}` : ''} | ${r.mode} | ${label(r)} | ${r.jobs} | ${r.smallWaitMs ? `${fmtMs(r.smallWaitMs.p50)} / ${fmtMs(r.smallWaitMs.p99)} / ${fmtMs(r.smallWaitMs.max)}` : '–'} | ${fmt(r.bigDrainSeconds)} | ${fmt(r.throughputPerSecond)} | ${fmt(r.meanRunMs)} | ${Math.round(r.workerBusyShare * 100)}% | ${cpu(r)} | ${servers(r)} | ${r.machineBusyShare === null ? '–' : `${Math.round(r.machineBusyShare * 100)}%`} | ${r.lost} / ${r.duplicated} |`);
  // Per round, fair / fifo of that round; the target is judged on the median over the rounds.
  const ratios = (backend, dispatcher, mode, field) => {
    const found = [];
    for (let round = 1; round <= (settings.rounds ?? 1); round++) {
      const of = (r) => r.backend === backend && r.mode === mode && (r.round ?? 1) === round;
      const fifo = report.runs.find((r) => of(r) && r.scheduling === 'fifo');
      const fair = report.runs.find((r) => of(r) && r.scheduling === 'fair' && r.dispatcher === dispatcher);
      if (fifo && fair) found.push(round3(fair[field] / fifo[field]));
    }
    return found;
  };
  const judged = (values, met) => {
    if (values.length === 0) return { text: '–', met: undefined };
    const middle = median(values);
    const spread = values.length > 1 ? ` (median of ${values.length} rounds: ${values.join(', ')})` : '';
    return { text: `${middle}${spread}`, met: met(middle) };
  };
  const verdict = (met) => (met === undefined ? 'not run (`--only`)' : met ? 'met' : '**not met**');
  const verdicts = settings.backends.flatMap((b) => settings.dispatchers.map((d) => {
    const p99s = report.runs.filter((r) => r.backend === b && r.mode === 'mixed' && r.scheduling === 'fair' && r.dispatcher === d).map((r) => r.smallWaitMs?.p99).filter((v) => v !== undefined);
    const worstP99 = p99s.length === 0 ? undefined : Math.max(...p99s);
    const drain = judged(ratios(b, d, 'mixed', 'bigDrainSeconds'), (v) => v <= 1.05);
    const throughput = judged(ratios(b, d, 'single', 'throughputPerSecond'), (v) => v >= 0.9);
    return `- ${b}, dispatcher ${d}: small tenants' p99 wait, fair${p99s.length > 1 ? ' (worst round)' : ''}: ${fmtMs(worstP99)} ms (target < 1000 ms) — ${verdict(worstP99 === undefined ? undefined : worstP99 < 1000)}; ` +
      `big tenant's drain, fair / fifo: ${drain.text} (target ≤ 1.05) — ${verdict(drain.met)}; ` +
      `single-tenant throughput, fair / fifo: ${throughput.text} (target ≥ 0.9) — ${verdict(throughput.met)}`;
  }));
  return `## jobs benchmark (${report.date})

${machineMarkdown(report.machine)}
- Settings: big tenant ${settings.big} jobs at t=0; ${settings.smallTenants} small tenants × ${settings.smallJobs} jobs at t=+${settings.smallAtMs / 1000} s; worker concurrency ${settings.concurrency}; fair window ${settings.queueMs ? `up to ${settings.window ?? WINDOWS_IN_WORDS}, starting at 128 at most, sized to ${settings.queueMs} ms of the measured pace (the row's last size after "window")` : (settings.window ?? WINDOWS_IN_WORDS)}; ${settings.rounds ?? 1} round(s), interleaved; every job one idempotent upsert through the tenant runtime${settings.jobMs ? ` and a ${settings.jobMs} ms wait` : ''}; producer and worker in the benchmark process, the fair dispatcher there (inline) or in a process of its own (process${settings.dispatcherNice ? `, at niceness ${settings.dispatcherNice}` : ''}).

| backend | mode | scheduling | jobs | small tenants' wait p50 / p99 / max ms | big tenant drained after s | big tenant jobs/s | handler ms (mean) | worker busy | CPU s (bench + dispatcher process) | CPU s (Postgres / Redis) | machine CPUs busy | lost / run twice (at least once) |
|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Targets (issue 7):
${verdicts.join('\n')}
`;
}
