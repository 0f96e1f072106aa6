import { readEnv } from '@mysaas/config';
import { redisReachable } from '../src/redis';

/** Jest globalSetup: the Redis tests run against REDIS_URL (default local), or say loudly why not. */
export default async function globalSetup(): Promise<void> {
  const url = readEnv('REDIS_URL') ?? 'redis://127.0.0.1:6379';
  if (await redisReachable(url)) {
    process.env.MYSAAS_TEST_REDIS_URL = url;
    return;
  }
  if (readEnv('CI') === 'true') throw new Error(`CI must run the Redis tests, but Redis at ${url} is unreachable`);
  console.log(`\nSKIPPED Redis tests of @mysaas/limits: no Redis at ${url} (set REDIS_URL; CI runs them)`);
}
