import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { TenantDatabase } from '@mysaas/db';
import { checkTenantSlug } from '@mysaas/tenancy';
import { runAsTenant, type ScopedTenant } from '@mysaas/tenant-runtime';
import type { JobBackend } from './job-backend';
import type { JobRegistry } from '@mysaas/tenant-runtime';
import type { TenantJobData } from './tenant-jobs';

/** Where a tenant is served now: its pool database, reached with that pool's app login. */
export interface TenantLocation {
  tenant: ScopedTenant;
  db: TenantDatabase;
}

/** Finds a tenant's current pool when its job runs (a tenant that moved is served from its new pool). */
export type LocateTenant = (tenantId: string) => Promise<TenantLocation>;

/**
 * Runs the registry's jobs from one queue: each as its tenant, inside the tenant's transaction
 * on the pool the tenant is on when the job runs. A job that throws is retried (BullMQ's
 * backoff); one that can never succeed (unknown name, unreadable data) fails at once.
 */
export function startJobWorker(
  backend: JobBackend,
  queueName: string,
  options: {
    registry: JobRegistry;
    locate: LocateTenant;
    concurrency: number;
    /**
     * A worker holds a lock on each job it runs, renewed while it lives; a worker that died
     * (killed, crashed, cut off) lets it lapse, and the job runs again after at most
     * lockDurationMs + stalledIntervalMs (BullMQ's defaults: 30 s each).
     */
    lockDurationMs?: number;
    stalledIntervalMs?: number;
    /** Jobs started per second across every worker of this queue (BullMQ's limiter, kept in the backend). */
    ratePerSecond?: number;
    /** Told of the worker's own errors (not its jobs'); default: a line on stderr. */
    onError?: (error: Error) => void;
    /** Told as each job starts (with how long it waited since it was accepted) and ends. */
    observe?: JobObserver;
  },
): Worker {
  const { registry, locate } = options;
  const processor = async (job: Job): Promise<void> => {
    const data = readJobData(job.data);
    const attempt = job.attemptsMade + 1;
    const observed = { id: job.id!, name: job.name, tenant: data.tenant, attempt };
    options.observe?.started?.({ ...observed, waitMs: attempt === 1 && data.acceptedAt !== undefined ? Date.now() - data.acceptedAt : undefined });
    const startedAt = performance.now();
    try {
      const definition = registry.find(job.name);
      if (definition === undefined) throw new UnrecoverableError(`no job named ${job.name} is registered with this worker (${registry.names.join(', ')})`);
      let payload: unknown;
      try {
        payload = definition.parse(data.payload);
      } catch (error) {
        throw new UnrecoverableError(`the payload of ${job.name} is not valid: ${(error as Error).message}`);
      }
      const { tenant, db } = await locate(data.tenant.id);
      await runAsTenant(db, tenant, () => definition.run(payload, { id: job.id!, attempt, tenant }), { traceId: `job:${job.id}` });
    } catch (error) {
      const final = error instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1);
      options.observe?.ended?.({ ...observed, outcome: final ? 'failed' : 'retrying', ms: performance.now() - startedAt, error: error as Error });
      throw error;
    }
    options.observe?.ended?.({ ...observed, outcome: 'completed', ms: performance.now() - startedAt });
  };
  const worker = backend.worker(queueName, processor, {
    concurrency: options.concurrency,
    ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
    ...(options.ratePerSecond === undefined ? {} : { limiter: rateLimiter(options.ratePerSecond) }),
  });
  // The worker's own troubles (a lost connection, a deadlock in the backend while finishing a
  // job): the job stays active and runs again once its lock lapses, so this only reports.
  const onError = options.onError ?? ((error: Error) => process.stderr.write(`job worker ${queueName}: ${error.message}\n`));
  worker.on('error', onError);
  return worker;
}

/** What a worker tells of its jobs (logs, metrics). */
export interface JobObserver {
  /** `waitMs`: from acceptance to this first start (undefined on retries, or for jobs that did not come through the store). */
  started?(job: { id: string; name: string; tenant: ScopedTenant; attempt: number; waitMs: number | undefined }): void;
  ended?(job: { id: string; name: string; tenant: ScopedTenant; attempt: number; outcome: 'completed' | 'retrying' | 'failed'; ms: number; error?: Error }): void;
}

/** BullMQ counts jobs per window: a rate below one per second becomes one per 1/rate seconds. */
function rateLimiter(perSecond: number): { max: number; duration: number } {
  if (!(perSecond > 0)) throw new RangeError(`a job rate must be a positive number, not ${perSecond}`);
  return perSecond >= 1 ? { max: Math.round(perSecond), duration: 1_000 } : { max: 1, duration: Math.round(1_000 / perSecond) };
}

function readJobData(data: unknown): TenantJobData {
  const record = data as Partial<TenantJobData> | null;
  const tenant = record?.tenant;
  if (
    record?.v !== 1 ||
    typeof tenant?.id !== 'string' ||
    typeof tenant.name !== 'string' ||
    !checkTenantSlug(tenant.slug).ok
  ) {
    throw new UnrecoverableError('the job carries no tenant it could run as (was it enqueued through TenantJobs?)');
  }
  return record as TenantJobData;
}
