import type { JobsOptions, Queue } from 'bullmq';
import { currentTenantScope, JobBacklogFullError, TenantJobQueue, type JobDefinition, type ScopedTenant } from '@mysaas/tenant-runtime';
import type { TenantJobPolicy } from './fair-scheduler';
import type { PostgresJobStore } from './job-store';

/** What a job carries in the queue: the tenant it runs as (from the scope that enqueued it) and its payload. */
export interface TenantJobData {
  v: 1;
  tenant: ScopedTenant;
  payload: unknown;
  /** When the job was accepted (ms since the epoch), set as the dispatcher hands it over: its wait is measured from here. */
  acceptedAt?: number;
}

/** Where enqueued jobs go: straight to a queue, or to the fair dispatcher's store (ADR 16). */
export type JobTarget =
  | { queue: Queue }
  /** The store; without `defaultPolicy`, each tenant's backlog limit is its plan's (the store's plans). */
  | { store: PostgresJobStore; policyOf?: (tenantId: string) => TenantJobPolicy | undefined; defaultPolicy?: TenantJobPolicy };

/**
 * Enqueues jobs for the current tenant: the tenant is taken from the tenant scope (the
 * request's, the job's, the command's), never from the caller, so no payload can make a job
 * run as another tenant. Outside a scope it refuses.
 */
export class TenantJobs extends TenantJobQueue {
  constructor(private readonly target: JobTarget) {
    super();
  }

  /**
   * Queues `payload` for `definition`'s handler; resolves with its id. `key` makes it
   * idempotent: the same key for the same tenant and job queues it once (on a queue target).
   * On a store target a tenant's full backlog refuses it (`JobBacklogFullError`).
   */
  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: { key?: string; cost?: number } = {}): Promise<string> {
    const [id] = await this.enqueueMany(definition, [payload], options);
    return id!;
  }

  /**
   * Queues many jobs of one definition for the current tenant, all or none (a full backlog
   * refuses the whole batch); resolves with their ids, in order. One round trip for the batch.
   * A `key` names one job, so it comes with a single payload only.
   */
  async enqueueMany<P>(definition: JobDefinition<P>, payloads: readonly P[], options: { key?: string; cost?: number } = {}): Promise<string[]> {
    if (options.key !== undefined && payloads.length !== 1) throw new Error('a job key names one job: enqueue that payload alone');
    const { tenant } = currentTenantScope();
    for (const payload of payloads) definition.parse(payload); // a payload the handler could not read fails here, not in a worker
    const scoped: ScopedTenant = { id: tenant.id, slug: tenant.slug, name: tenant.name };
    const opts = jobOptions(definition);
    const datas = payloads.map((payload): TenantJobData => ({ v: 1, tenant: scoped, payload }));
    if ('queue' in this.target) {
      const { queue } = this.target;
      if (datas.length === 1) {
        const jobId = options.key === undefined ? {} : { jobId: `${tenant.id}.${definition.name}.${options.key}` };
        return [(await queue.add(definition.name, datas[0], { ...opts, ...jobId })).id!];
      }
      const jobs = await queue.addBulk(datas.map((data) => ({ name: definition.name, data, opts })));
      return jobs.map((job) => job.id!);
    }
    const { store, policyOf, defaultPolicy } = this.target;
    const limit = (policyOf?.(tenant.id) ?? defaultPolicy)?.maxQueued;
    const stored = await store.addMany(scoped, datas.map((data) => ({ name: definition.name, data, opts: opts as Record<string, unknown>, cost: options.cost ?? 1 })), limit);
    if (!stored.ok) throw new JobBacklogFullError(tenant.slug, stored.limit);
    return stored.ids;
  }
}

function jobOptions(definition: Pick<JobDefinition<unknown>, 'attempts' | 'backoffMs'>): JobsOptions {
  return {
    attempts: definition.attempts,
    backoff: { type: 'exponential', delay: definition.backoffMs, jitter: 0.5 },
    // Finished jobs are kept for a while for inspection; failed ones (the dead letters) until replayed or removed.
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: false,
  };
}
