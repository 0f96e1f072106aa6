import { currentTenantScope, runAsTenant, TenantJobQueue, type JobDefinition, type JobRegistry } from '@mysaas/tenant-runtime';
import type { TenantDatabase } from '@mysaas/db';
import type { TestTenant } from './test-pool';

export interface EnqueuedJob {
  id: string;
  /** The slug of the scope that enqueued it: the tenant the job service would run it as. */
  tenant: string;
  name: string;
  payload: unknown;
}

/**
 * The host's TenantJobQueue as these tests need it: it records what is enqueued (tenant from
 * the scope, payload checked by the definition, as the job service does) instead of storing it,
 * and can refuse as a full backlog does. The job service itself is tested in @mysaas/jobs.
 */
export class RecordingJobQueue extends TenantJobQueue {
  readonly enqueued: EnqueuedJob[] = [];
  /** Calls of enqueue/enqueueMany, refused ones included. */
  calls = 0;
  /** Thrown by the next enqueues, as the job service throws JobBacklogFullError. */
  refuseWith: Error | undefined;

  async enqueue<P>(definition: JobDefinition<P>, payload: P): Promise<string> {
    const [id] = await this.enqueueMany(definition, [payload]);
    return id!;
  }

  async enqueueMany<P>(definition: JobDefinition<P>, payloads: readonly P[]): Promise<string[]> {
    const { tenant } = currentTenantScope();
    this.calls++;
    for (const payload of payloads) definition.parse(payload);
    if (this.refuseWith) throw this.refuseWith;
    return payloads.map((payload) => {
      const job = { id: String(this.enqueued.length + 1), tenant: tenant.slug, name: definition.name, payload };
      this.enqueued.push(job);
      return job.id;
    });
  }
}

/**
 * Runs a job as a worker does: found by name in the registry, its payload read back through
 * `parse`, its handler inside `runAsTenant` (the tenant's role, schema and one transaction).
 */
export function runJob(registry: JobRegistry, db: TenantDatabase, tenant: TestTenant, job: Pick<EnqueuedJob, 'id' | 'name' | 'payload'>, attempt = 1): Promise<void> {
  const definition = registry.find(job.name);
  if (definition === undefined) throw new Error(`no job named ${job.name} in the registry`);
  return runAsTenant(db, tenant, (scope) => definition.run(definition.parse(job.payload), { id: job.id, attempt, tenant: scope.tenant }));
}
