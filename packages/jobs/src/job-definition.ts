import type { ScopedTenant } from '@mysaas/tenant-runtime';

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
