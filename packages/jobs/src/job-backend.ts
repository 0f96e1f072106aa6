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
  /** The queue's events (completed, failed, …), as the fair dispatcher follows them. */
  events(name: string): QueueEvents;
  close(): Promise<void>;
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
    // Each queue and worker owns its pool and closes it.
    close: async () => undefined,
  };
}
