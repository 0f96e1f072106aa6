import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPostgresBackend, Queue, QueueEvents, Worker, withBackend, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Where the queues live: Redis in production, or BullMQ's PostgreSQL backend (the embedded
 * default, so `npm start` needs no Redis). Chosen by the URL's scheme.
 */
export type JobBackendConfig = { kind: 'redis'; url: string } | { kind: 'postgres'; url: string; schema: string };

export function jobBackendConfig(url: string, postgresSchema = 'bullmq'): JobBackendConfig {
  const scheme = new URL(url).protocol;
  if (scheme === 'redis:' || scheme === 'rediss:') return { kind: 'redis', url };
  if (scheme === 'postgres:' || scheme === 'postgresql:') return { kind: 'postgres', url, schema: postgresSchema };
  throw new Error(`a job queue URL is redis://… or postgres://…, not ${scheme}//…`);
}

/** What a worker may set: how many jobs at once, a global rate, and how soon a dead worker's jobs run again. */
export type WorkerSettings = Pick<WorkerOptions, 'concurrency' | 'limiter' | 'lockDuration' | 'stalledInterval'>;

/** Makes the queues and workers of one backend. `close()` after closing them ends its connections. */
export interface JobBackend {
  readonly config: JobBackendConfig;
  queue(name: string): Queue;
  worker(name: string, processor: Processor, options: WorkerSettings): Worker;
  /** The queue's events (completed, failed, …): BullMQ's QueueEvents, every event parsed and emitted. */
  events(name: string): QueueEvents;
  /**
   * Only the events the fair dispatcher follows (completed, failed for good). On Redis a reader
   * of the ends this backend's workers report (`worker` reports them), in batches (at most one
   * read per `END_EVENTS_BATCH_MS`); on the PostgreSQL backend, its QueueEvents.
   */
  endEvents(name: string): JobEndEvents;
  close(): Promise<void>;
}

/** A job's end, as the fair dispatcher follows it (BullMQ's QueueEvents is one). */
export interface JobEndEvents {
  on(event: 'completed' | 'failed', listener: (args: { jobId: string }) => void): unknown;
  /** A read of the events failed (it is tried again). */
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'completed' | 'failed', listener: (args: { jobId: string }) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
  /**
   * True when nearly every end is told, and the few missed can wait a second (the Redis reader:
   * it misses the ends a worker had not yet reported when it died, a job BullMQ's stalled check
   * failed, and a read's worth when its connection is lost for longer than the stream keeps
   * reports). Then the dispatcher counts the queue once a second only, to find what was missed;
   * otherwise (BullMQ's PostgreSQL QueueEvents skips events that commit late) at every poll.
   */
  readonly tellsEveryEnd?: boolean;
}

/**
 * How often the Redis end-event reader reads the workers' reports (ms): while reports keep
 * coming, and when the last read found none. The dispatcher refills its window once per batch
 * of ends anyway.
 */
const END_EVENTS_BATCH_MS = 20;
const END_EVENTS_IDLE_MS = 25;
/** Reports read per round trip at most (a full read is followed by the next at once). */
const END_EVENTS_PER_READ = 1_000;
/**
 * A worker gathers its jobs' ends this long (ms) and reports them in one entry: one write per
 * 20 ms per worker, whatever its pace.
 */
const END_REPORT_MS = 20;
/** Reports a queue keeps (about: Redis trims whole nodes of the stream), some 200 s of one busy worker. */
const END_REPORTS_KEPT = 10_000;
/**
 * A queue's report stream lasts this long after its last report (ms): BullMQ's `obliterate`
 * knows only its own keys, and a queue dropped without it would leave the stream behind.
 */
const END_REPORTS_TTL_MS = 24 * 3600_000;

/**
 * The stream where a queue's workers report their jobs' ends (Redis), under the queue's BullMQ
 * prefix. Each entry is one worker's ends of some 20 ms: `c` the completed ids, `f` those that
 * failed for good, each joined by newlines.
 */
export function endReportsKey(queueName: string): string {
  return `bull:${queueName}:mysaas:ends`;
}

/**
 * Gathers a Redis worker's ends and reports them to the queue's end stream every
 * END_REPORT_MS, and once more as it closes. BullMQ tells the worker of an end only after it
 * has moved the job (the move's script returned), so the dispatcher never frees a slot early.
 * A failed attempt that will be retried is not reported (its job keeps its slot); one that
 * failed for good is (BullMQ sets `finishedOn` when it moves a job to the failed set). Ends a
 * report loses (the worker died within those 20 ms, or the write failed) are found by the
 * dispatcher's count of the queue within a second.
 */
function reportEnds(worker: Worker, redis: Redis, key: string): void {
  let completed: string[] = [];
  let failed: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const told = (error: Error) => {
    if (worker.listenerCount('error') > 0) worker.emit('error', new Error(`reporting jobs' ends failed (${error.message}); the dispatcher's count of the queue finds them`));
  };
  const flush = () => {
    timer = undefined;
    if (completed.length === 0 && failed.length === 0) return;
    const fields = [...(completed.length > 0 ? ['c', completed.join('\n')] : []), ...(failed.length > 0 ? ['f', failed.join('\n')] : [])];
    completed = [];
    failed = [];
    redis
      .pipeline()
      .xadd(key, 'MAXLEN', '~', END_REPORTS_KEPT, '*', ...fields)
      .pexpire(key, END_REPORTS_TTL_MS)
      .exec()
      .then((results) => {
        const failure = results?.find(([error]) => error !== null)?.[0];
        if (failure) told(failure);
      }, told);
  };
  const ended = (list: string[], jobId: string | undefined) => {
    if (jobId === undefined) return;
    list.push(jobId);
    timer ??= setTimeout(flush, END_REPORT_MS);
  };
  worker.on('completed', (job) => {
    ended(completed, job.id);
  });
  worker.on('failed', (job) => {
    if (job?.finishedOn) ended(failed, job.id);
  });
  // Issued before the backend's close quits the connection: QUIT goes after it.
  worker.on('closed', () => {
    if (timer !== undefined) clearTimeout(timer);
    flush();
  });
}

type EndReport = [id: string, fields: string[]];

/**
 * The ends (completed, failed for good) of a Redis queue's jobs, as its workers report them
 * (`reportEnds`), read from the stream's end when it starts. BullMQ's own event stream tells
 * them too, among some five events per job (added, waiting, active, …): reading it past the
 * last id in a script that returned only the ends cost Redis 2–3 CPU-seconds per 100,000 jobs,
 * on a core the workers' commands wait for; the reports are one short entry per worker per
 * 20 ms. A read that fails is tried again at the next turn: reports are not lost while the
 * stream keeps them, and the dispatcher's sweep and reconcile find the ends of any it missed.
 */
class RedisEndEvents extends EventEmitter implements JobEndEvents {
  readonly tellsEveryEnd = true;
  private lastId = '0-0';
  private closing = false;
  private loop: Promise<void> | undefined;
  private readonly ready: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {
    super();
    this.ready = this.start();
    this.ready.catch(() => undefined); // reported by waitUntilReady
  }

  private async start(): Promise<void> {
    const last = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
    this.lastId = last[0]?.[0] ?? '0-0';
    this.loop = this.run();
  }

  waitUntilReady(): Promise<void> {
    return this.ready;
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      const began = Date.now();
      let read = 0;
      try {
        // XRANGE's exclusive start ("(id") needs Redis 6.2 or later (compose runs redis:7).
        const reports = (await this.redis.xrange(this.key, `(${this.lastId}`, '+', 'COUNT', END_EVENTS_PER_READ)) as EndReport[];
        read = reports.length;
        if (read > 0) this.lastId = reports[read - 1]![0];
        for (const [, fields] of reports) {
          for (let i = 0; i + 1 < fields.length; i += 2) {
            const event = fields[i] === 'c' ? 'completed' : fields[i] === 'f' ? 'failed' : undefined;
            // A job id with a newline in it (BullMQ allows one; this platform makes none) would
            // be told as pieces, which match no job the dispatcher handed over.
            if (event !== undefined) for (const jobId of fields[i + 1]!.split('\n')) this.emit(event, { jobId });
          }
        }
      } catch (error) {
        if (this.closing) return;
        if (this.listenerCount('error') > 0) this.emit('error', error);
      }
      if (read >= END_EVENTS_PER_READ || this.closing) continue;
      const rest = (read > 0 ? END_EVENTS_BATCH_MS : END_EVENTS_IDLE_MS) - (Date.now() - began);
      if (rest > 0) await sleep(rest);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.ready.catch(() => undefined);
    await this.loop;
    this.redis.disconnect();
  }
}

export function jobBackend(config: JobBackendConfig): JobBackend {
  if (config.kind === 'redis') {
    // Clients made here, from this package's ioredis (BullMQ only finds ioredis by itself when
    // it is installed beside it), so they are closed here too.
    const clients: Redis[] = [];
    const client = () => {
      // Workers block on Redis; BullMQ needs ioredis to wait for it instead of failing commands.
      const redis = new Redis(config.url, { maxRetriesPerRequest: null, connectionName: 'mysaas-jobs' });
      clients.push(redis);
      return redis;
    };
    return {
      config,
      queue: (name) => new Queue(name, { connection: client() }),
      worker: (name, processor, options) => {
        const worker = new Worker(name, processor, { ...options, connection: client() });
        reportEnds(worker, client(), endReportsKey(name));
        return worker;
      },
      events: (name) => new QueueEvents(name, { connection: client() }),
      // A connection of its own, closed by the reader; a read cut by a reconnect fails (ioredis's default retries) and is tried again.
      endEvents: (name) => new RedisEndEvents(new Redis(config.url, { connectionName: 'mysaas-jobs-events' }), endReportsKey(name)),
      close: async () => {
        await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => redis.disconnect())));
      },
    };
  }
  const postgres = withBackend(createPostgresBackend);
  const connection = { connectionString: config.url, schema: config.schema, migrate: true };
  return {
    config,
    // One Queue and Worker API whatever the backend: BullMQ's classes differ only in their type parameters.
    queue: (name) => new postgres.Queue(name, { connection }) as unknown as Queue,
    worker: (name, processor, options) => new postgres.Worker(name, processor, { ...options, connection }) as unknown as Worker,
    // The backend reads events, then LISTENs for more: a NOTIFY sent between the two is missed
    // until the wait times out (10 s by default), and the fair dispatcher would keep a slot
    // for a job long ended. A short wait bounds that (one cheap read per 100 ms when idle).
    events: (name) => new postgres.QueueEvents(name, { connection, blockingTimeout: 100 }) as unknown as QueueEvents,
    endEvents: (name) => new postgres.QueueEvents(name, { connection, blockingTimeout: 100 }) as unknown as QueueEvents,
    // Each queue and worker owns its pool and closes it.
    close: async () => undefined,
  };
}
