import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';

/** One key an attempt counts against, and how many attempts the key allows per window. */
export interface CountedKey {
  key: string;
  limit: number;
}

export type TakeResult = { ok: true } | { ok: false; key: string; retryAfterMs: number };

/**
 * Counts attempts (failed sign-ins) per key in fixed windows that start at a key's first
 * attempt. An attempt is taken before it is made, so concurrent attempts cannot all slip in
 * under the limit; when it turns out not to count (it succeeded, or never got an answer) it
 * is given back.
 */
export interface AttemptCounter {
  /** Counts one attempt against every key, or against none when one is at its limit. */
  take(keys: CountedKey[], windowMs: number): Promise<TakeResult>;
  /** The attempt does not count after all. */
  giveBack(keys: string[]): Promise<void>;
  /** Forgets the key's attempts (an account that signed in successfully). */
  clear(key: string): Promise<void>;
}

/** In-process counts: what one gateway sees. Bounded in size; old keys fall out. */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly counts: LRUCache<string, { n: number }>;

  constructor(maxKeys = 100_000) {
    this.counts = new LRUCache({ max: maxKeys, ttlAutopurge: false });
  }

  async take(keys: CountedKey[], windowMs: number): Promise<TakeResult> {
    for (const { key, limit } of keys) {
      const entry = this.counts.get(key);
      if (entry !== undefined && entry.n >= limit) {
        return { ok: false, key, retryAfterMs: Math.max(1, Math.ceil(this.counts.getRemainingTTL(key))) };
      }
    }
    for (const { key } of keys) {
      const entry = this.counts.get(key);
      if (entry === undefined) this.counts.set(key, { n: 1 }, { ttl: windowMs });
      else entry.n++;
    }
    return { ok: true };
  }

  async giveBack(keys: string[]): Promise<void> {
    for (const key of keys) {
      const entry = this.counts.get(key);
      if (entry !== undefined && entry.n > 0) entry.n--;
    }
  }

  async clear(key: string): Promise<void> {
    this.counts.delete(key);
  }
}

const TAKE = `
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[i + 1]) then
    return {i, redis.call('PTTL', key)}
  end
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return {0, 0}`;

const GIVE_BACK = `
for _, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 0 then redis.call('DECR', key) end
end
return 0`;

/**
 * Counts in Redis, so every gateway instance sees every attempt. Each operation is one Lua
 * script, so checking and counting cannot interleave between instances.
 */
export class RedisAttemptCounter implements AttemptCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'mysaas:attempts:',
  ) {}

  async take(keys: CountedKey[], windowMs: number): Promise<TakeResult> {
    const [blocked, ttl] = (await this.redis.eval(
      TAKE,
      keys.length,
      ...keys.map((k) => this.prefix + k.key),
      String(windowMs),
      ...keys.map((k) => String(k.limit)),
    )) as [number, number];
    if (blocked === 0) return { ok: true };
    return { ok: false, key: keys[blocked - 1]!.key, retryAfterMs: Math.max(1, ttl) };
  }

  async giveBack(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.eval(GIVE_BACK, keys.length, ...keys.map((k) => this.prefix + k));
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

  take(keys: CountedKey[], windowMs: number): Promise<TakeResult> {
    return this.either((c) => c.take(keys, windowMs));
  }

  giveBack(keys: string[]): Promise<void> {
    return this.either((c) => c.giveBack(keys));
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
