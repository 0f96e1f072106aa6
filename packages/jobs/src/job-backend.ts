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
   * Only the events the fair dispatcher follows (completed, failed). On Redis a reader of the
   * queue's event stream that skips the rest and reads in batches (at most one read per
   * `END_EVENTS_BATCH_MS`); on the PostgreSQL backend, its QueueEvents.
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
   * True when every end is told but across a connection lost for longer than the queue keeps
   * its events (the Redis reader). Then the dispatcher counts the queue once a second only,
   * to find what was missed; otherwise (BullMQ's PostgreSQL QueueEvents skips events that
   * commit late) at every poll.
   */
  readonly tellsEveryEnd?: boolean;
}

/**
 * How often the Redis end-event reader reads the stream (ms): while events keep coming, and
 * when the last read found none. BullMQ's QueueEvents reads again as soon as a read returns, a
 * few events at a time, and this process would parse every event (added, waiting, active, …:
 * some five per job); the dispatcher refills its window once per batch of ends anyway.
 */
const END_EVENTS_BATCH_MS = 20;
const END_EVENTS_IDLE_MS = 25;
/** Events read per round trip at most (a full read is followed by the next at once). */
const END_EVENTS_PER_READ = 5_000;

/**
 * Reads the event stream past an id (exclusive) in Redis and returns the last id read with the
 * ends only: [lastId, completed ids, failed ids, entries read], the ids of each joined by a
 * newline (one string to decode, not two per job). BullMQ writes "event", <name>, "jobId",
 * <id>, … (moveToFinished): the name first. Filtering in Redis spares the dispatcher the
 * transfer and the parsing of the other three events of every job. XRANGE's exclusive start
 * ("(id") needs Redis 6.2 or later (compose runs redis:7).
 */
const READ_END_EVENTS = `
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
local completed = {}
local failed = {}
local last = ARGV[1]
for i = 1, #entries do
  local entry = entries[i]
  last = entry[1]
  local fields = entry[2]
  if fields[1] == 'event' and (fields[2] == 'completed' or fields[2] == 'failed') then
    local ends = fields[2] == 'completed' and completed or failed
    for j = 3, #fields - 1, 2 do
      if fields[j] == 'jobId' then
        ends[#ends + 1] = fields[j + 1]
        break
      end
    end
  end
end
return {last, table.concat(completed, '\\n'), table.concat(failed, '\\n'), #entries}
`;

type EndEventsReader = Redis & { mysaasReadEndEvents(key: string, after: string, count: number): Promise<[string, string, string, number]> };

/**
 * The ends (completed, failed) of a Redis queue's jobs, from its event stream (BullMQ's
 * `<prefix>:<queue>:events`), read from the stream's end when it starts, by a script that
 * returns only the ends. A read that fails is tried again at the next turn: events are not
 * lost while the stream keeps them (BullMQ trims it at some 10,000), and the dispatcher's
 * sweep and reconcile find the ends of any it missed.
 */
class RedisEndEvents extends EventEmitter implements JobEndEvents {
  readonly tellsEveryEnd = true;
  private lastId = '0-0';
  private closing = false;
  private loop: Promise<void> | undefined;
  private readonly ready: Promise<void>;
  private readonly redis: EndEventsReader;

  constructor(
    redis: Redis,
    private readonly key: string,
  ) {
    super();
    redis.defineCommand('mysaasReadEndEvents', { numberOfKeys: 1, lua: READ_END_EVENTS });
    this.redis = redis as EndEventsReader;
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
        const [last, completed, failed, entries] = await this.redis.mysaasReadEndEvents(this.key, this.lastId, END_EVENTS_PER_READ);
        this.lastId = last;
        read = entries;
        // A job id with a newline in it (BullMQ allows one; this platform makes none) would be
        // told as pieces, which match no job the dispatcher handed over.
        if (completed !== '') for (const jobId of completed.split('\n')) this.emit('completed', { jobId });
        if (failed !== '') for (const jobId of failed.split('\n')) this.emit('failed', { jobId });
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
      worker: (name, processor, options) => new Worker(name, processor, { ...options, connection: client() }),
      events: (name) => new QueueEvents(name, { connection: client() }),
      // A connection of its own, closed by the reader; a read cut by a reconnect fails (ioredis's default retries) and is tried again.
      endEvents: (name) => new RedisEndEvents(new Redis(config.url, { connectionName: 'mysaas-jobs-events' }), `bull:${name}:events`),
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
