import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';

/** One key an attempt counts against, and how many attempts the key allows per window. */
export interface CountedKey {
  key: string;
  limit: number;
}

export type CheckResult = { ok: true } | { ok: false; key: string; retryAfterMs: number };

/**
 * Counts failures (failed sign-ins) per key in fixed windows that start at a key's first
 * failure. Checking counts nothing: only a failure, once known, is recorded, so attempts
 * that succeed never use up anyone's allowance. Callers keep attempts per key from running
 * side by side (a bulkhead), which bounds how far a burst can overshoot.
 */
export interface AttemptCounter {
  /** Whether every key is under its limit; if not, the first that is not, and for how long. */
  check(keys: CountedKey[]): Promise<CheckResult>;
  /** Counts one failure against every key. */
  record(keys: string[], windowMs: number): Promise<void>;
  /** Forgets the key's failures (an account that signed in). */
  clear(key: string): Promise<void>;
}

/** In-process counts: what one gateway sees. Bounded in size; old keys fall out. */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly counts: LRUCache<string, { n: number }>;

  constructor(maxKeys = 100_000) {
    this.counts = new LRUCache({ max: maxKeys });
  }

  async check(keys: CountedKey[]): Promise<CheckResult> {
    for (const { key, limit } of keys) {
      const entry = this.counts.get(key);
      if (entry !== undefined && entry.n >= limit) {
        return { ok: false, key, retryAfterMs: Math.max(1, Math.ceil(this.counts.getRemainingTTL(key))) };
      }
    }
    return { ok: true };
  }

  async record(keys: string[], windowMs: number): Promise<void> {
    for (const key of keys) {
      const entry = this.counts.get(key);
      if (entry === undefined) this.counts.set(key, { n: 1 }, { ttl: windowMs });
      else entry.n++;
    }
  }

  async clear(key: string): Promise<void> {
    this.counts.delete(key);
  }
}

const CHECK = `
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i]) then
    return {i, redis.call('PTTL', key)}
  end
end
return {0, 0}`;

const RECORD = `
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0`;

/** Counts in Redis, so every gateway instance sees every failure. */
export class RedisAttemptCounter implements AttemptCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'mysaas:attempts:',
  ) {}

  async check(keys: CountedKey[]): Promise<CheckResult> {
    const [blocked, ttl] = (await this.redis.eval(
      CHECK,
      keys.length,
      ...keys.map((k) => this.prefix + k.key),
      ...keys.map((k) => String(k.limit)),
    )) as [number, number];
    if (blocked === 0) return { ok: true };
    return { ok: false, key: keys[blocked - 1]!.key, retryAfterMs: Math.max(1, ttl) };
  }

  async record(keys: string[], windowMs: number): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.eval(RECORD, keys.length, ...keys.map((k) => this.prefix + k), String(windowMs));
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

/**
 * Redis when it answers, this process's own counts when it does not: throttling degrades to
 * per-instance instead of failing open or refusing every sign-in.
 */
export class FallbackAttemptCounter implements AttemptCounter {
  constructor(
    private readonly primary: AttemptCounter,
    private readonly fallback: AttemptCounter,
    private readonly onFallback: (error: unknown) => void,
  ) {}

  check(keys: CountedKey[]): Promise<CheckResult> {
    return this.either((c) => c.check(keys));
  }

  record(keys: string[], windowMs: number): Promise<void> {
    return this.either((c) => c.record(keys, windowMs));
  }

  clear(key: string): Promise<void> {
    return this.either((c) => c.clear(key));
  }

  private async either<T>(op: (counter: AttemptCounter) => Promise<T>): Promise<T> {
    try {
      return await op(this.primary);
    } catch (error) {
      this.onFallback(error);
      return op(this.fallback);
    }
  }
}
