/**
 * A bulkhead per key (a tenant): at most `limit` holders at once; the next callers wait in
 * arrival order for a bounded time, and a bounded number of them, so one key's flood never
 * takes what the others need. The limit is given on each acquire, so it can change with the
 * key's plan without rebuilding anything.
 */
export class Bulkhead {
  private readonly keys = new Map<string, { active: number; waiters: Waiter[] }>();

  /**
   * Resolves with a release function once the key is under `limit`. Rejects with
   * BulkheadFullError when `maxWaiting` callers already wait, after `waitMs`, or when
   * `signal` aborts (the caller went away).
   */
  acquire(key: string, options: { limit: number; waitMs: number; maxWaiting?: number; signal?: AbortSignal }): Promise<() => void> {
    const { limit, waitMs, maxWaiting = Infinity, signal } = options;
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a bulkhead limit must be a whole number of at least 1, not ${limit}`);
    const state = this.stateOf(key);
    if (state.active < limit) {
      state.active++;
      return Promise.resolve(this.releaser(key));
    }
    if (state.waiters.length >= maxWaiting || waitMs <= 0) {
      this.forgetIfIdle(key);
      return Promise.reject(new BulkheadFullError(key, limit, 0));
    }
    return new Promise((resolve, reject) => {
      const leave = (error: Error) => {
        const index = state.waiters.indexOf(waiter);
        if (index !== -1) state.waiters.splice(index, 1);
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        this.forgetIfIdle(key);
        reject(error);
      };
      const onAbort = () => leave(new BulkheadFullError(key, limit, waitMs, 'aborted'));
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser(key));
        },
        timer: setTimeout(() => leave(new BulkheadFullError(key, limit, waitMs)), waitMs),
      };
      state.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Holders of the key now. */
  active(key: string): number {
    return this.keys.get(key)?.active ?? 0;
  }

  /** Callers waiting for the key now. */
  waiting(key: string): number {
    return this.keys.get(key)?.waiters.length ?? 0;
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const state = this.keys.get(key);
      if (state === undefined) return;
      const next = state.waiters.shift();
      if (next !== undefined) return next.grant(); // the slot passes on; active stays
      state.active--;
      this.forgetIfIdle(key);
    };
  }

  private stateOf(key: string) {
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { active: 0, waiters: [] };
      this.keys.set(key, state);
    }
    return state;
  }

  private forgetIfIdle(key: string): void {
    const state = this.keys.get(key);
    if (state !== undefined && state.active === 0 && state.waiters.length === 0) this.keys.delete(key);
  }
}

interface Waiter {
  grant(): void;
  timer: NodeJS.Timeout;
}

export class BulkheadFullError extends Error {
  constructor(
    readonly key: string,
    readonly limit: number,
    /** How long the caller waited before giving up (0: refused at once, the queue was full). */
    readonly waitedMs: number,
    readonly why: 'full' | 'aborted' = 'full',
  ) {
    super(
      why === 'aborted'
        ? `gave up waiting for ${key}: the caller went away`
        : `${key} already has ${limit} in progress${waitedMs > 0 ? ` and none finished within ${waitedMs} ms` : ' and too many waiting'}`,
    );
    this.name = 'BulkheadFullError';
  }
}
