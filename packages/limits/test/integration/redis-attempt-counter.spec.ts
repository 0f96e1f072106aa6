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

  it('lets keys through until one has its limit of failures, then says which and for how long', async () => {
    const keys = [{ key: 'account', limit: 2 }, { key: 'address', limit: 5 }];
    expect(await counter().check(keys)).toEqual({ ok: true });
    await counter().record(['account', 'address'], 60_000);
    await counter().record(['account', 'address'], 60_000);
    const refused = await counter().check(keys);
    expect(refused).toMatchObject({ ok: false, key: 'account' });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(59_000);
    expect(await redis.get(`${prefix}address`)).toBe('2');
  });

  it('sees failures recorded by other instances', async () => {
    const [one, two] = [counter(), counter()];
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).record(['shared'], 60_000)));
    expect(await redis.get(`${prefix}shared`)).toBe('6');
    expect(await one.check([{ key: 'shared', limit: 6 }])).toMatchObject({ ok: false, key: 'shared' });
    expect(await two.check([{ key: 'shared', limit: 7 }])).toEqual({ ok: true });
  });

  it('forgets a cleared key', async () => {
    await counter().record(['cleared'], 60_000);
    await counter().clear('cleared');
    expect(await redis.exists(`${prefix}cleared`)).toBe(0);
  });

  it('starts over when the window has passed', async () => {
    await counter().record(['window'], 50);
    expect(await counter().check([{ key: 'window', limit: 1 }])).toMatchObject({ ok: false });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await counter().check([{ key: 'window', limit: 1 }])).toEqual({ ok: true });
  });
});
