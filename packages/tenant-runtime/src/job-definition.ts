import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';
import { currentTenantScope, type ScopedTenant } from './tenant-scope';

/** What a handler knows of the run it is in. */
export interface RunningJob {
  id: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  tenant: ScopedTenant;
}

/**
 * One kind of job: its name, how to read its payload back from the queue, and its handler.
 * The handler runs as the job's tenant, inside the tenant's transaction on its current pool
 * (`runAsTenant`): module repositories work as in a request. Delivery is at least once, so a
 * handler must be safe to run twice (write with upserts keyed by what the job is about).
 */
export interface JobDefinition<P> {
  readonly name: string;
  /** The payload, checked; throws saying what is wrong (such a job fails without retries). */
  readonly parse: (data: unknown) => P;
  readonly run: (payload: P, job: RunningJob) => Promise<void>;
  /** Runs at most this many times in all (retries with exponential backoff and jitter in between). */
  readonly attempts: number;
  /** The first retry's delay; each next one doubles, ± half at random. */
  readonly backoffMs: number;
}

const NAME = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;

export function defineJob<P>(definition: {
  name: string;
  parse: (data: unknown) => P;
  run: (payload: P, job: RunningJob) => Promise<void>;
  attempts?: number;
  backoffMs?: number;
}): JobDefinition<P> {
  if (!NAME.test(definition.name)) throw new Error(`a job name is lower case words joined by dots or hyphens (links.import), not "${definition.name}"`);
  const attempts = definition.attempts ?? 5;
  const backoffMs = definition.backoffMs ?? 1_000;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a whole number of at least 1, not ${attempts}`);
  if (!Number.isInteger(backoffMs) || backoffMs < 0) throw new RangeError(`backoffMs must be a whole number of at least 0, not ${backoffMs}`);
  return { name: definition.name, parse: definition.parse, run: definition.run, attempts, backoffMs };
}

/** Jobs by name; a name given twice is refused. */
export class JobRegistry {
  private readonly byName = new Map<string, JobDefinition<unknown>>();

  // Each definition has its own payload type; the registry only hands them out by name.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(definitions: ReadonlyArray<JobDefinition<any>>) {
    for (const definition of definitions) {
      if (this.byName.has(definition.name)) throw new Error(`two jobs are named ${definition.name}`);
      this.byName.set(definition.name, definition as unknown as JobDefinition<unknown>);
    }
  }

  find(name: string): JobDefinition<unknown> | undefined {
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }
}

/**
 * Where a module enqueues its jobs: inject it (`constructor(private readonly jobs:
 * TenantJobQueue)`) and call `enqueue` inside a request or a job. The tenant comes from the
 * current tenant scope, never from the caller; the host provides the implementation (the
 * job service's `TenantJobs`).
 */
export abstract class TenantJobQueue {
  /** Queues one job for the current tenant; resolves with its id. */
  abstract enqueue<P>(definition: JobDefinition<P>, payload: P, options?: { key?: string; cost?: number }): Promise<string>;
  /** Queues many jobs of one definition for the current tenant, all or none; resolves with their ids, in order. */
  abstract enqueueMany<P>(definition: JobDefinition<P>, payloads: readonly P[], options?: { cost?: number }): Promise<string[]>;
}

export enum JobQueueExceptionCode {
  /** The tenant's backlog is at its plan's limit: the work is refused, not queued. */
  BACKLOG_FULL = 'JOB_BACKLOG_FULL',
  /** This host was started without a job service. */
  NOT_CONFIGURED = 'JOB_SERVICE_NOT_CONFIGURED',
}

export class JobQueueException extends CodedError<JobQueueExceptionCode> {
  protected readonly statuses = {
    [JobQueueExceptionCode.BACKLOG_FULL]: HttpStatus.TOO_MANY_REQUESTS,
    [JobQueueExceptionCode.NOT_CONFIGURED]: HttpStatus.SERVICE_UNAVAILABLE,
  };
}

/** A tenant's backlog is full: the API answers 429 with this message. */
export class JobBacklogFullError extends JobQueueException {
  constructor(
    readonly tenant: string,
    readonly limit: number,
  ) {
    super(JobQueueExceptionCode.BACKLOG_FULL, `${tenant} already has ${limit} jobs waiting; wait for some to finish, or ask for a larger backlog`, 30);
  }
}

/** The queue of a host that runs no job service: every enqueue says so (503). */
export class NoJobQueue extends TenantJobQueue {
  enqueue(): Promise<string> {
    return this.refuse();
  }

  enqueueMany(): Promise<string[]> {
    return this.refuse();
  }

  private refuse(): Promise<never> {
    currentTenantScope();
    return Promise.reject(new JobQueueException(JobQueueExceptionCode.NOT_CONFIGURED, 'this server runs without a job service (set JOBS_DATABASE_URL); background work cannot be queued'));
  }
}
