import { HttpStatus } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { CodedError } from '@mysaas/nest-http';
import type { PostgresJobStore } from './job-store';
import type { TenantJobData } from './tenant-jobs';

export enum JobAdminExceptionCode {
  DEAD_JOB_NOT_FOUND = 'DEAD_JOB_NOT_FOUND',
}

export class JobAdminException extends CodedError<JobAdminExceptionCode> {
  protected readonly statuses = { [JobAdminExceptionCode.DEAD_JOB_NOT_FOUND]: HttpStatus.NOT_FOUND };
}

/** A job that used up its attempts: it waits among BullMQ's failed jobs until replayed. */
export interface DeadJob {
  id: string;
  tenantId: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  failedAt: Date | null;
}

/** How many failed jobs a listing looks through (newest first). */
const DEAD_SCAN = 10_000;

/**
 * What platform engineers do to the job service: read its dead letters and send them back.
 * A replayed job goes through the store again, so it waits its tenant's turn like any other
 * (it is not pushed past the fair scheduler into the queue).
 */
export class JobAdmin {
  constructor(
    private readonly store: PostgresJobStore,
    private readonly queue: Queue,
  ) {}

  /** Newest first; only `tenantId`'s when given. */
  async deadLetters(options: { tenantId?: string; limit: number }): Promise<DeadJob[]> {
    const found: DeadJob[] = [];
    for (let start = 0; start < DEAD_SCAN && found.length < options.limit; start += 500) {
      const page = await this.queue.getFailed(start, start + 499);
      for (const job of page) {
        const dead = deadJob(job);
        if (dead !== undefined && (options.tenantId === undefined || dead.tenantId === options.tenantId)) found.push(dead);
        if (found.length >= options.limit) break;
      }
      if (page.length < 500) break;
    }
    return found;
  }

  /**
   * Sends a dead job back to the store (a new id, at the back of its tenant's line), then
   * removes it from the failed jobs. A crash between the two leaves it in both: replaying it
   * again runs it twice, which at-least-once handlers already allow.
   */
  async replay(jobId: string): Promise<{ id: string; newId: string }> {
    const job = await this.queue.getJob(jobId);
    if (job === undefined || (await job.getState()) !== 'failed' || deadJob(job) === undefined) {
      throw new JobAdminException(JobAdminExceptionCode.DEAD_JOB_NOT_FOUND, `no dead job has the id ${jobId} (saas jobs dead list shows them)`);
    }
    return this.send(job);
  }

  /** Replays every dead job of a tenant (up to the listing's scan). */
  async replayTenant(tenantId: string): Promise<Array<{ id: string; newId: string }>> {
    const dead = await this.deadLetters({ tenantId, limit: DEAD_SCAN });
    const replayed: Array<{ id: string; newId: string }> = [];
    for (const { id } of dead) {
      const job = await this.queue.getJob(id);
      if (job !== undefined && (await job.getState()) === 'failed') replayed.push(await this.send(job));
    }
    return replayed;
  }

  private async send(job: Job): Promise<{ id: string; newId: string }> {
    const { acceptedAt: _acceptedAt, ...data } = job.data as TenantJobData;
    // What the tenant already had accepted comes back whatever its backlog limit now says.
    const stored = await this.store.addMany(data.tenant, [{ name: job.name, data, opts: replayOptions(job), cost: 1 }], Number.MAX_SAFE_INTEGER);
    if (!stored.ok) throw new Error('the store refused a replay'); // no limit was set: cannot happen
    await job.remove();
    return { id: job.id!, newId: stored.ids[0]! };
  }
}

function deadJob(job: Job | undefined): DeadJob | undefined {
  const tenantId = (job?.data as Partial<TenantJobData> | undefined)?.tenant?.id;
  if (job?.id === undefined || typeof tenantId !== 'string') return undefined;
  return {
    id: job.id,
    tenantId,
    name: job.name,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn === undefined ? null : new Date(job.finishedOn),
  };
}

/** The job's own retry settings, for its new life. */
function replayOptions(job: Job): Record<string, unknown> {
  const { attempts, backoff, removeOnComplete, removeOnFail } = job.opts;
  return { attempts, backoff, removeOnComplete, removeOnFail };
}
