import type { Queue } from 'bullmq';
import { FairScheduler, type StartedJob, type TenantJobPolicy, type TenantJobStats } from './fair-scheduler';
import type { JobEndEvents } from './job-backend';
import { parseStoredJobId, storedJobId, type HandedOver, type PostgresJobStore, type StoredBatch } from './job-store';

/** Jobs whose data is kept in memory until handed over, at most (the batches past it are read again at their turn). */
const PAYLOAD_BUDGET = 200_000;

/**
 * Hand-overs are recorded in the store with the next poll's read, or by this long after the
 * first of them (ms): a record costs the store a statement whatever its size, and a job
 * recorded a little later only counts a little longer against its tenant's backlog (were the
 * dispatcher to stop first, the next one finds the job in the queue and only records it).
 */
const FLUSH_MS = 100;

/**
 * The store tells of new jobs and pauses (NOTIFY), and the dispatcher reads it then, at most
 * every READ_GAP_MS; without news, every STORE_READ_MS still (a notification sent while the
 * listening connection was down is lost). Between reads, a poll only looks at the queue.
 */
const READ_GAP_MS = 20;
const STORE_READ_MS = 1_000;

/** Until the store's plans are read. */
const FALLBACK_POLICY: TenantJobPolicy = { weight: 1, maxRunning: 1, maxQueued: 1 };

/**
 * How often an adaptive window is sized again (ms), from the pace measured since the last time
 * (half of it at least, or the ends of one refill would read as a pace); each measure weighs
 * this much in the pace it keeps (an average that forgets the old ones in a second or so).
 */
const TUNE_MS = 250;
const PACE_WEIGHT = 0.3;

/** The most the queue's running jobs were, at a sweep, over this many of the last tunes (ten seconds): the fleet's concurrency in use. */
const RUNNING_TUNES = 40;

/**
 * An adaptive window's size before it has measured a pace (below a lower ceiling, the ceiling).
 * Small enough for a slow backend: starting at a ceiling of 1,024 on BullMQ's PostgreSQL
 * backend (some 300 jobs/s) would queue seconds of work ahead of every small tenant until it
 * had shrunk. On a fast one the first tunes grow it: a window too small for the fleet shows a
 * pace that makes the next size larger at once.
 */
const FIRST_WINDOW = 128;

/**
 * The window an adaptive dispatcher keeps (ADR 16, "a window sized in time"): the jobs the
 * fleet runs at once (`running`), and beyond them `queueMs` of jobs at the pace the fleet ends
 * them, but never fewer queued than running, so that a refill (at half the queued part) always
 * finds some still queued and no worker waits for it. It grows at once and shrinks by a quarter
 * at most a step (a slow moment, a pause for garbage collection, does not empty it); never
 * above `max` (the operator's ceiling, `JOBS_WINDOW`), and below it never under 2.
 */
export function adaptedWindow(settings: { current: number; max: number; running: number; endsPerSecond: number; queueMs: number }): number {
  const { current, max, running, endsPerSecond, queueMs } = settings;
  const wanted = running + Math.max(running, Math.ceil((endsPerSecond * queueMs) / 1_000), 1);
  const next = wanted >= current ? wanted : Math.max(wanted, Math.ceil((current * 3) / 4));
  return Math.min(max, Math.max(2, next));
}

export interface FairDispatcherOptions {
  store: PostgresJobStore;
  /** The one queue the workers take jobs from. */
  queue: Queue;
  /** That queue's end events (`JobBackend.endEvents`, or its QueueEvents): completions and final failures free their tenant's slot. */
  events: JobEndEvents;
  /**
   * A tenant's plan (weight, cap, rate); undefined: `defaultPolicy`. Read again at every poll
   * for the tenants with jobs. Without both, the store's plans (read again every second).
   */
  policyOf?: (tenantId: string) => TenantJobPolicy | undefined;
  defaultPolicy?: TenantJobPolicy;
  /**
   * At most this many jobs handed to the queue and not yet ended, running or waiting for a
   * worker. Jobs waiting out a retry's backoff (BullMQ's delayed) keep their tenant's slots
   * but not the window's: a tenant's failing jobs do not hold up everyone else's.
   */
  window: number;
  /**
   * Sizes the window in time instead (ADR 16): the running jobs and about this many
   * milliseconds of jobs queued behind them at the pace the fleet ends them, measured while the
   * window holds the backlog back; `window` is then the ceiling, and the window starts at 128
   * (or the ceiling, if lower). A small tenant's new job waits about this long behind the queued
   * ones, whatever the fleet's speed (BullMQ's PostgreSQL backend runs a tenth of Redis's pace).
   * Undefined: the window is `window`.
   */
  queueMs?: number;
  /** Told when the adaptive window changes size (and the pace it was sized from, jobs ended per second). */
  onWindow?: (window: number, endsPerSecond: number) => void;

  /** How often it looks for new jobs and pauses (ms). */
  pollMs?: number;
  /**
   * How often it looks up, one by one, the jobs in flight since the look before (ms; default
   * 5,000): the net for ends that neither the events nor the queue's counts told.
   */
  reconcileMs?: number;
  /** Told of a failed poll (the next poll tries again); default: a line on stderr. */
  onError?: (error: unknown) => void;
}

/**
 * The fair admission layer (ADR 16): reads the store's backlog into a `FairScheduler` and
 * hands jobs to the queue one fair pick at a time, keeping at most `window` of them running or
 * waiting in the queue, so a small tenant's job never waits behind a big tenant's backlog, only behind the
 * window and one turn of each other tenant. Caps, rates and pauses are decided here, before a
 * job reaches a worker. One dispatcher per store (a lock); a new one rebuilds everything from
 * the store and the queue, so a crash loses nothing and queues nothing twice.
 */
export class FairDispatcher {
  private readonly scheduler: FairScheduler<string>;
  /** Jobs handed to the queue and not yet ended: BullMQ job id → tenant. */
  private readonly inFlight = new Map<string, string>();
  /** Costs other than 1 of the batches with jobs not yet handed over (and their sizes), to give a turn back exactly. */
  private readonly costs = new Map<string, { cost: number; size: number }>();
  /** Batches in memory with their jobs' data, until all are handed over, and how many are left (up to PAYLOAD_BUDGET jobs). */
  private readonly payloads = new Map<string, { batch: StoredBatch; left: number }>();
  private payloadJobs = 0;
  /** How far into each batch jobs were handed to the queue, recorded with the next poll's read or within FLUSH_MS, many at once. */
  private readonly handedOver = new Map<string, number>();
  private flushing: NodeJS.Timeout | undefined;
  private paused = new Set<string>();
  /** The highest store id read so far (ADR 16: the store's read lock makes an id cursor safe). */
  private cursor = '0';
  private reconciling: NodeJS.Timeout | undefined;
  /**
   * The jobs in the queue at the last reconcile (their hand-over had returned): the next one
   * looks up those still in flight, no others. A job handed over since has had no time to be
   * missed, and one whose `addBulk` has not returned yet is not in the queue at all: BullMQ
   * would call it unknown, and its slot would be freed while it runs.
   */
  private toLookUp = new Set<string>();
  /**
   * The picks of the hand-over under way, from before its `addBulk` until it returns or fails
   * (the array itself: a reconcile, every 5 s, makes a set of it, not every hand-over).
   */
  private handingOver: ReadonlyArray<{ job: string }> = [];
  private reconcilingNow = false;
  private tuning: NodeJS.Timeout | undefined;
  private readonly listeners: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private refill: NodeJS.Immediate | undefined;
  private polling = false;
  /** Something was stored or paused since the last read of the store (or may have been). */
  private news = true;
  private lastReadAt = 0;
  private lastSweepAt = 0;
  private soon: NodeJS.Timeout | undefined;
  private listening: { close(): Promise<void> } | undefined;
  private again = false;
  private leadership: { release(): Promise<void> } | undefined;
  private stopped = false;
  /** The store's plans, when the options give none; refreshed every second. */
  private plans: { byTenant: Map<string, TenantJobPolicy>; defaultPolicy: TenantJobPolicy; readAt: number } | undefined;
  /** Jobs handed over per tenant, in 10-second buckets over the last minute (the served share). */
  private readonly startedBuckets = new Map<string, number[]>();
  private bucketAt = 0;
  /** Tenants whose figures were last reported non-zero (reported once more at zero). */
  private reported = new Set<string>();
  private reporting: NodeJS.Timeout | undefined;
  /** Jobs handed over and not ended, at most: `options.window`, or what the adaptive window makes of it. */
  private limit: number;
  /**
   * The queue's running jobs at the sweeps since the last tune (the most), at the last
   * RUNNING_TUNES' (newest last), and the most of those (worked out at each tune, not at each hand-over).
   */
  private runningNow = 0;
  private readonly runningBefore: number[] = [];
  private runningBeforePeak = 0;
  /** The queue's delayed jobs (waiting out a retry's backoff) at the last sweep: in flight, but not in the window. */
  private delayedNow = 0;
  /**
   * Since when the backlog has waited for the window (a hand-over stopped at it, and none since
   * found nothing left to pick), and the jobs that ended since then or the last tune: the fleet's pace.
   */
  private backlogSince: number | undefined;
  private endsCounted = 0;
  private lastTuneAt = 0;
  private endsPerSecond: number | undefined;

  constructor(private readonly options: FairDispatcherOptions) {
    // The store enforces each tenant's backlog limit at enqueue; what it holds is all accepted.
    this.scheduler = new FairScheduler<string>({ ...(options.defaultPolicy ?? FALLBACK_POLICY), maxQueued: Number.MAX_SAFE_INTEGER });
    this.limit = options.queueMs === undefined ? options.window : Math.min(options.window, FIRST_WINDOW);
  }

  /** Jobs it hands to the queue and not yet ended, at most, now: `window`, or the adaptive window's size. */
  get currentWindow(): number {
    return this.limit;
  }

  /** Takes the store's lock and starts; false when another dispatcher holds it. */
  async start(): Promise<boolean> {
    this.leadership = await this.options.store.lead();
    if (this.leadership === undefined) return false;
    const { events } = this.options;
    const completed = ({ jobId }: { jobId: string }) => this.ended(jobId);
    const failed = ({ jobId }: { jobId: string }) => void this.endedIfFinal(jobId);
    // A reader that keeps failing (every 25 ms) is told once every 10 s, not at every read.
    let toldAt = 0;
    const readFailed = (error: Error) => {
      if (Date.now() - toldAt < 10_000) return;
      toldAt = Date.now();
      this.reportError(new Error(`reading the queue's end events failed (${error.message}); counting the queue finds the ends meanwhile`));
    };
    events.on('completed', completed);
    events.on('failed', failed);
    events.on('error', readFailed);
    this.listeners.push(() => events.off('completed', completed), () => events.off('failed', failed), () => events.off('error', readFailed));
    await events.waitUntilReady();
    await this.refreshPlans();
    await this.adoptQueued();
    this.listening = this.options.store.listen(
      () => this.heard(),
      (error) => this.reportError(error),
    );
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 100);
    // Events can be missed (a reconnect, or an end between adopting and listening): the jobs
    // in flight are looked up now and then, so no slot is held for a job that has ended.
    this.reconciling = setInterval(() => void this.reconcile(), this.options.reconcileMs ?? 5_000);
    // What the control plane and the metrics show of each tenant: in flight, started lately.
    this.reporting = setInterval(() => void this.report().catch((error: unknown) => this.reportError(error)), 1_000);
    // The fleet's concurrency and pace, and from them the adaptive window's size.
    this.tuning = setInterval(() => this.tune(), TUNE_MS);
    return true;
  }

  /** What the dispatcher holds of a tenant now: jobs read and waiting their turn, handed over, started. */
  tenantStats(tenant: string): TenantJobStats {
    return this.scheduler.stats(tenant);
  }

  /** Jobs in flight and started in the last minute, per tenant, as last reported to the store. */
  activity(): Array<{ tenantId: string; running: number; startedLastMinute: number }> {
    this.rotateBuckets();
    const running = new Map<string, number>();
    for (const tenant of this.inFlight.values()) running.set(tenant, (running.get(tenant) ?? 0) + 1);
    const tenants = new Set([...running.keys(), ...this.startedBuckets.keys()]);
    return [...tenants].map((tenantId) => ({
      tenantId,
      running: running.get(tenantId) ?? 0,
      startedLastMinute: (this.startedBuckets.get(tenantId) ?? []).reduce((a, b) => a + b, 0),
    }));
  }

  private async report(): Promise<void> {
    const now = this.activity();
    const current = new Set(now.filter((a) => a.running > 0 || a.startedLastMinute > 0).map((a) => a.tenantId));
    const gone = [...this.reported].filter((tenant) => !current.has(tenant)).map((tenantId) => ({ tenantId, running: 0, startedLastMinute: 0 }));
    await this.options.store.reportActivity([...now.filter((a) => current.has(a.tenantId)), ...gone]);
    this.reported = current;
  }

  /** The queue's running jobs at their most over the last ten seconds: the fleet's concurrency in use. */
  private running(): number {
    return Math.max(this.runningNow, this.runningBeforePeak);
  }

  /**
   * Every TUNE_MS: what the sweeps saw running, and, for an adaptive window, the pace. The pace
   * is measured only while the backlog waits for the window: with none, the jobs that end are
   * all there was to do, which says nothing of the fleet's speed.
   */
  private tune(): void {
    this.runningBefore.push(this.runningNow);
    if (this.runningBefore.length > RUNNING_TUNES) this.runningBefore.shift();
    this.runningBeforePeak = Math.max(...this.runningBefore);
    this.runningNow = 0;
    const { queueMs, window: max } = this.options;
    const now = Date.now();
    const from = Math.max(this.backlogSince ?? now, this.lastTuneAt);
    const ends = this.endsCounted;
    this.lastTuneAt = now;
    this.endsCounted = 0;
    if (queueMs === undefined || this.backlogSince === undefined || now - from < TUNE_MS / 2) return;
    const sample = ends / ((now - from) / 1_000);
    const endsPerSecond = this.endsPerSecond === undefined ? sample : this.endsPerSecond + PACE_WEIGHT * (sample - this.endsPerSecond);
    this.endsPerSecond = endsPerSecond;
    const next = adaptedWindow({ current: this.limit, max, running: this.running(), endsPerSecond, queueMs });
    if (next === this.limit) return;
    this.limit = next;
    this.options.onWindow?.(next, Math.round(endsPerSecond));
  }

  /** Keeps six 10-second buckets per tenant: the newest at the end. */
  private rotateBuckets(): void {
    const slot = Math.floor(Date.now() / 10_000);
    if (this.bucketAt === 0) this.bucketAt = slot;
    const shift = Math.min(6, slot - this.bucketAt);
    if (shift <= 0) return;
    this.bucketAt = slot;
    for (const [tenant, buckets] of this.startedBuckets) {
      buckets.splice(0, shift);
      while (buckets.length < 6) buckets.push(0);
      if (buckets.every((n) => n === 0)) this.startedBuckets.delete(tenant);
    }
  }

  private countStarted(tenant: string): void {
    this.rotateBuckets();
    let buckets = this.startedBuckets.get(tenant);
    if (buckets === undefined) {
      buckets = [0, 0, 0, 0, 0, 0];
      this.startedBuckets.set(tenant, buckets);
    }
    buckets[5]! += 1;
  }

  private async refreshPlans(): Promise<void> {
    if (this.options.policyOf !== undefined || this.options.defaultPolicy !== undefined) return;
    if (this.plans !== undefined && Date.now() - this.plans.readAt < 1_000) return;
    const { byTenant, defaultPolicy } = await this.options.store.policies();
    this.plans = { byTenant, defaultPolicy, readAt: Date.now() };
    this.scheduler.setDefaultPolicy({ ...defaultPolicy, maxQueued: Number.MAX_SAFE_INTEGER });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reconciling) clearInterval(this.reconciling);
    if (this.reporting) clearInterval(this.reporting);
    if (this.tuning) clearInterval(this.tuning);
    if (this.flushing) clearTimeout(this.flushing);
    if (this.refill) clearImmediate(this.refill);
    if (this.soon) clearTimeout(this.soon);
    await this.listening?.close();
    this.listeners.splice(0).forEach((remove) => remove());
    await this.pumping;
    // What was handed over leaves the store now (else the next dispatcher finds it in the queue, and only records it).
    if (this.handedOver.size > 0) await this.options.store.handOver(this.progress()).catch((error: unknown) => this.reportError(error));
    this.handedOver.clear();
    await this.leadership?.release();
  }

  /** Jobs an earlier dispatcher handed over that have not ended: they keep their tenants' slots. */
  private async adoptQueued(): Promise<void> {
    const jobs = await this.options.queue.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
    for (const job of jobs) {
      if (job?.id === undefined || parseStoredJobId(job.id) === undefined || this.inFlight.has(job.id)) continue;
      const tenant = (job.data as { tenant?: { id?: string } }).tenant?.id;
      if (typeof tenant !== 'string') continue;
      this.applyPolicy(tenant);
      this.inFlight.set(job.id, tenant);
      this.scheduler.adopt(tenant);
    }
  }

  /** New jobs and pauses from the store (when it has news), ended jobs, then as many fair picks as the window takes. */
  private async poll(): Promise<void> {
    // One poll at a time: the interval does not wait for a slow one, and two interleaved would
    // undo each other's pauses and enqueue a tenant's jobs out of order.
    if (this.stopped || this.polling) return;
    this.polling = true;
    const reading = this.news || Date.now() - this.lastReadAt >= STORE_READ_MS;
    let failed = false;
    try {
      await this.refreshPlans();
      if (reading) await this.readStore();
      // Events that tell every end (Redis): the queue is counted once a second, for what a lost
      // connection missed; otherwise at every poll (ADR 16).
      if (!this.options.events.tellsEveryEnd || Date.now() - this.lastSweepAt >= STORE_READ_MS) await this.sweep();
      await this.pump();
    } catch (error) {
      failed = true;
      if (reading) this.news = true; // read again at the next poll (on the interval, not at once)
      this.reportError(error);
    } finally {
      this.polling = false;
      if (this.news && !failed && !this.stopped) this.heard(); // news came during the poll
    }
  }

  /** The store has news: it is read at once, or READ_GAP_MS after the last read. */
  private heard(): void {
    this.news = true;
    if (this.soon !== undefined || this.stopped) return;
    this.soon = setTimeout(
      () => {
        this.soon = undefined;
        void this.poll();
      },
      Math.max(0, this.lastReadAt + READ_GAP_MS - Date.now()),
    );
  }

  /** The pauses, and the batches stored since the last read (a new dispatcher: all of them). */
  private async readStore(): Promise<void> {
    this.news = false;
    this.lastReadAt = Date.now();
    const paused = await this.options.store.pausedTenants();
    for (const tenant of paused) if (!this.paused.has(tenant)) this.scheduler.pause(tenant);
    for (const tenant of this.paused) if (!paused.has(tenant)) this.scheduler.resume(tenant);
    this.paused = paused;
    const seen = new Set<string>();
    // A new dispatcher reads the whole store (page by page, from id 0); after that, what is new.
    for (;;) {
      const recording = this.progress();
      const heads = await this.options.store.readNew({
        limit: 5_000,
        after: this.cursor,
        withPayloadUpTo: Math.max(0, PAYLOAD_BUDGET - this.payloadJobs),
        handedOver: recording,
      });
      if (heads.length > 0) this.cursor = heads[heads.length - 1]!.id;
      for (const { batch, taken } of recording) if (this.handedOver.get(batch) === taken) this.handedOver.delete(batch);
      for (const head of heads) {
        if (!seen.has(head.tenantId)) {
          seen.add(head.tenantId);
          this.applyPolicy(head.tenantId);
        }
        for (let index = head.taken; index < head.size; index++) this.scheduler.enqueue(head.tenantId, storedJobId(head.id, index), head.cost);
        if (head.cost !== 1) this.costs.set(head.id, { cost: head.cost, size: head.size });
        if (head.batch !== undefined) this.keep(head.batch, head.size - head.taken);
      }
      if (heads.length < 5_000) break;
    }
    // Plans change (the control plane sets them): every tenant with work gets its current one.
    for (const tenant of this.scheduler.activeTenants()) if (!seen.has(tenant)) this.applyPolicy(tenant);
  }

  private reportError(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else process.stderr.write(`fair dispatcher: ${error instanceof Error ? error.message : String(error)}; trying again at the next poll\n`);
  }

  private applyPolicy(tenant: string): void {
    const policy = this.options.policyOf ? this.options.policyOf(tenant) : this.plans?.byTenant.get(tenant);
    this.scheduler.setPolicy(tenant, policy === undefined ? undefined : { ...policy, maxQueued: Number.MAX_SAFE_INTEGER });
  }

  /** One pump at a time; a call while one runs makes it go round once more. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      try {
        do {
          this.again = false;
          await this.handOver();
        } while (this.again && !this.stopped);
      } finally {
        this.pumping = undefined;
      }
    })();
    return this.pumping;
  }

  private async handOver(): Promise<void> {
    // While more than half of the window's queued part is in flight (the part past the jobs the
    // fleet runs at once), wait until half of it has started: the workers still have that much
    // queued, and a hand-over costs a few round trips whatever its size (BullMQ's addBulk above
    // all: 44 ms of CPU per 1,000 jobs added 16 at a time, 36 at 64, 29 at 256, on this
    // machine), so jobs go over many at a time. A small tenant's job waits at most that much longer.
    const { limit } = this;
    const inWindow = this.inFlight.size - Math.min(this.delayedNow, this.inFlight.size);
    if (inWindow > (limit + Math.min(this.running(), limit)) / 2) return;
    const picked: Array<StartedJob<string> & { batch: string; index: number; cost: number }> = [];
    let ranDry = false;
    while (inWindow + picked.length < limit) {
      const next = this.scheduler.next();
      if (next === undefined) {
        ranDry = true;
        break;
      }
      const { batch, index } = parseStoredJobId(next.job)!;
      picked.push({ ...next, batch, index, cost: this.costs.get(batch)?.cost ?? 1 });
    }
    // Filled to the brim, the backlog waits for the window: the ends from now on are the fleet's
    // pace. Nothing left to pick (or only what caps and rates hold back): they are the demand.
    if (ranDry) this.backlogSince = undefined;
    else if (this.backlogSince === undefined) {
      this.backlogSince = Date.now();
      this.endsCounted = 0;
    }
    if (picked.length === 0) return;
    // A job an earlier dispatcher handed over but had not recorded when it stopped: it is
    // already in the queue (adopted, holding its slot), so this pick only records it.
    const already = picked.filter((p) => this.inFlight.has(p.job));
    if (already.length > 0) {
      for (const p of already) {
        this.scheduler.done(p.tenant);
        this.handedOverUpTo(p.batch, p.index);
      }
      picked.splice(0, picked.length, ...picked.filter((p) => !already.includes(p)));
      if (picked.length === 0) return;
    }
    // Counted as in flight before BullMQ has them: a fast worker may end one before addBulk returns.
    for (const { job, tenant } of picked) this.inFlight.set(job, tenant);
    this.handingOver = picked;
    let batches: Map<string, StoredBatch>;
    try {
      // Most were read with their data; the batches past the memory budget are read now.
      const missing = new Map<string, number>(); // batch → its first job picked now (a tenant's jobs go in order: none before it is left)
      for (const p of picked) if (!this.payloads.has(p.batch)) missing.set(p.batch, Math.min(missing.get(p.batch) ?? p.index, p.index));
      if (missing.size > 0) for (const batch of await this.options.store.take([...missing.keys()])) this.keep(batch, batch.datas.length - missing.get(batch.id)!);
      batches = new Map();
      const jobs: Parameters<Queue['addBulk']>[0] = [];
      for (const { job: jobId, batch, index } of picked) {
        const stored = batches.get(batch) ?? this.payloads.get(batch)?.batch;
        if (stored === undefined) continue;
        batches.set(batch, stored);
        // The data is the store's, read for this hand-over only: marked in place, not copied.
        const data = stored.datas[index] as { acceptedAt?: number };
        data.acceptedAt = stored.enqueuedAt.getTime();
        // The job's id is its place in the store: handed over twice (a crash between this and the record), queued once.
        jobs.push({ name: stored.name, data, opts: { ...stored.opts, jobId } });
      }
      await this.options.queue.addBulk(jobs);
    } catch (error) {
      // Nothing was handed over for sure: the jobs go back to the head of their lines, for the next poll.
      for (const started of [...picked].reverse()) {
        this.inFlight.delete(started.job);
        this.scheduler.giveBack(started, started.cost);
      }
      throw error;
    } finally {
      this.handingOver = [];
    }
    for (const { batch, index, tenant } of picked) {
      this.handedOverUpTo(batch, index);
      this.countStarted(tenant);
      // Gone from the store meanwhile (recorded as handed over by an earlier dispatcher): nothing to run, the slot is free again.
      if (!batches.has(batch) && this.inFlight.delete(storedJobId(batch, index))) this.scheduler.done(tenant);
    }
    this.flushing ??= setTimeout(() => void this.flushHandedOver(), FLUSH_MS);
    // Over the budget (batches read at their turn): the data of those with most jobs left is read again at their turn.
    if (this.payloadJobs > PAYLOAD_BUDGET) {
      for (const [batch, kept] of [...this.payloads].sort((a, b) => b[1].left - a[1].left)) {
        if (this.payloadJobs <= PAYLOAD_BUDGET) break;
        this.payloads.delete(batch);
        this.payloadJobs -= kept.left;
      }
    }
  }

  /** Keeps a batch's data in memory until its last `left` jobs are handed over. */
  private keep(batch: StoredBatch, left: number): void {
    if (left <= 0 || this.payloads.has(batch.id)) return;
    this.payloads.set(batch.id, { batch, left });
    this.payloadJobs += left;
  }

  /** Job `index` of `batch` is in the queue: so are the ones before it (a tenant's jobs go in order). */
  private handedOverUpTo(batch: string, index: number): void {
    this.handedOver.set(batch, Math.max(this.handedOver.get(batch) ?? 0, index + 1));
    const kept = this.payloads.get(batch);
    if (kept !== undefined) {
      kept.left -= 1;
      this.payloadJobs -= 1;
      if (kept.left <= 0 || index === kept.batch.datas.length - 1) {
        this.payloads.delete(batch);
        this.payloadJobs -= Math.max(0, kept.left);
      }
    }
    const cost = this.costs.get(batch);
    if (cost !== undefined && index >= cost.size - 1) this.costs.delete(batch);
  }

  /** What to record in the store: each batch with jobs handed over since the last record, and how far. */
  private progress(): HandedOver[] {
    return [...this.handedOver].map(([batch, taken]) => ({ batch, taken }));
  }

  /** Records the hand-overs since the last record (a failure leaves them for the next poll). */
  private async flushHandedOver(): Promise<void> {
    this.flushing = undefined;
    const progress = this.progress();
    if (progress.length === 0 || this.stopped) return;
    try {
      await this.options.store.handOver(progress);
      for (const { batch, taken } of progress) if (this.handedOver.get(batch) === taken) this.handedOver.delete(batch);
    } catch (error) {
      this.reportError(error);
    }
  }

  private ended(jobId: string): void {
    const tenant = this.inFlight.get(jobId);
    if (tenant === undefined) return;
    this.inFlight.delete(jobId);
    this.scheduler.done(tenant);
    if (this.backlogSince !== undefined) this.endsCounted += 1;
    // Events come in batches (one read of the queue's event stream): the slots they free are
    // refilled together, after the batch, in one hand-over.
    if (this.refill === undefined) {
      this.refill = setImmediate(() => {
        this.refill = undefined;
        void this.pump();
      });
    }
  }

  /**
   * Ends the jobs whose end event was missed. BullMQ's PostgreSQL backend reads its events by
   * id while they commit in any order, so an event that commits late is skipped; waiting for
   * the 5-second reconcile would keep its slot (and starve the workers). When the queue holds
   * fewer jobs than are in flight, the newest ended ones are looked up: a count at each poll
   * (once a second when the events tell every end, as on Redis), and one read when something
   * was missed.
   */
  private async sweep(): Promise<void> {
    this.lastSweepAt = Date.now();
    if (this.inFlight.size === 0) {
      this.delayedNow = 0;
      return;
    }
    const { queue } = this.options;
    const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
    this.runningNow = Math.max(this.runningNow, counts.active ?? 0);
    this.delayedNow = counts.delayed ?? 0;
    const present = Object.values(counts).reduce((sum, n) => sum + n, 0);
    const missing = this.inFlight.size - present;
    if (missing <= 0) return;
    // Their ids only (the newest first): events still on their way make the counts differ for a
    // moment at most polls on Redis, and reading the jobs themselves cost more than the events.
    const [completed, failed] = await Promise.all([queue.getRanges(['completed'], 0, missing + 63), queue.getRanges(['failed'], 0, missing + 63)]);
    for (const id of [...completed, ...failed]) if (this.inFlight.has(id)) this.ended(id);
  }

  /**
   * Looks up the jobs that were in the queue at the last reconcile and are still in flight. At
   * a steady pace that is almost none (a window of 1,024 jobs on Redis ends in well under a
   * second): asking for every job in flight was some 200 lookups a second, each a script that
   * scans the queue's lists. A job missed is found one or two periods after its hand-over.
   */
  private async reconcile(): Promise<void> {
    if (this.reconcilingNow) return; // the last one is still asking (a slow backend, a long window)
    this.reconcilingNow = true;
    try {
      // (endedIfFinal skips those no longer in flight.)
      const due = this.toLookUp;
      const onTheirWay = new Set(this.handingOver.map((p) => p.job));
      this.toLookUp = new Set([...this.inFlight.keys()].filter((jobId) => !onTheirWay.has(jobId)));
      for (const jobId of due) await this.endedIfFinal(jobId, true);
    } finally {
      this.reconcilingNow = false;
    }
  }

  /** A failed attempt that will be retried keeps its slot; the final failure frees it. */
  private async endedIfFinal(jobId: string, orCompleted = false): Promise<void> {
    if (!this.inFlight.has(jobId)) return;
    try {
      const state = await this.options.queue.getJobState(jobId);
      if (state === 'failed' || state === 'unknown' || (orCompleted && state === 'completed')) this.ended(jobId);
    } catch (error) {
      this.reportError(error);
    }
  }
}

