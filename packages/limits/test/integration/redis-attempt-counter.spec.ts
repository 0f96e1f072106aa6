import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { readEnv } from '@mysaas/config';
import { RedisAttemptCounter } from '../../src/attempt-counter';
import { createRedis } from '../../src/redis';

/** Set by test/redis-global-setup.ts when Redis answers (it prints SKIPPED when not). */
const url = readEnv('MYSAAS_TEST_REDIS_URL');

/** Real Redis: where several gateways share sign-in counts. */
(url === undefined ? describe.skip : describe)('RedisAttemptCounter', () => {
  let redis: Redis;
  const prefix = `mysaas:test:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    redis = createRedis(url!, 'limits-test');
    await redis.connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const counter = () => new RedisAttemptCounter(redis, prefix);

  it('counts every key until one reaches its limit, then counts none', async () => {
    const keys = [{ key: 'account', limit: 2 }, { key: 'address', limit: 5 }];
    expect(await counter().take(keys, 60_000)).toEqual({ ok: true });
    expect(await counter().take(keys, 60_000)).toEqual({ ok: true });
    const refused = await counter().take(keys, 60_000);
    expect(refused).toMatchObject({ ok: false, key: 'account' });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(59_000);
    expect(await redis.get(`${prefix}address`)).toBe('2');
  });

  it('lets no more than the limit through when attempts race from several instances', async () => {
    const instances = [counter(), counter(), counter(), counter()];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => instances[i % 4]!.take([{ key: 'race', limit: 5 }], 60_000)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
  });

  it('gives back and clears', async () => {
    const keys = [{ key: 'back', limit: 1 }];
    await counter().take(keys, 60_000);
    await counter().giveBack(['back']);
    expect(await counter().take(keys, 60_000)).toEqual({ ok: true });
    await counter().clear('back');
    expect(await redis.exists(`${prefix}back`)).toBe(0);
  });

  it('starts over when the window has passed', async () => {
    const keys = [{ key: 'window', limit: 1 }];
    await counter().take(keys, 50);
    expect(await counter().take(keys, 50)).toMatchObject({ ok: false });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await counter().take(keys, 50)).toEqual({ ok: true });
  });
});
