import type { Queue } from 'bullmq';
import { currentTenantScope, type ScopedTenant } from '@mysaas/tenant-runtime';
import type { JobDefinition } from './job-definition';

/** What a job carries in the queue: the tenant it runs as (from the scope that enqueued it) and its payload. */
export interface TenantJobData {
  v: 1;
  tenant: ScopedTenant;
  payload: unknown;
}

/**
 * Enqueues jobs for the current tenant: the tenant is taken from the tenant scope (the
 * request's, the job's, the command's), never from the caller, so no payload can make a job
 * run as another tenant. Outside a scope it refuses.
 */
export class TenantJobs {
  constructor(private readonly queue: Queue) {}

  /**
   * Queues `payload` for `definition`'s handler; resolves with the job id. `key` makes it
   * idempotent: the same key for the same tenant and job queues it once.
   */
  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: { key?: string } = {}): Promise<string> {
    const { tenant } = currentTenantScope();
    definition.parse(payload); // a payload the handler could not read fails here, not in a worker
    const data: TenantJobData = { v: 1, tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, payload };
    const job = await this.queue.add(definition.name, data, {
      attempts: definition.attempts,
      backoff: { type: 'exponential', delay: definition.backoffMs, jitter: 0.5 },
      ...(options.key === undefined ? {} : { jobId: `${tenant.id}.${definition.name}.${options.key}` }),
      // Finished jobs are kept for a while for inspection; failed ones (the dead letters) until replayed or removed.
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: false,
    });
    return job.id!;
  }
}
