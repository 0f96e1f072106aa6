import { Redis } from 'ioredis';

/**
 * A Redis client for request-path work: commands fail fast instead of queueing while the
 * server is away, so a caller can fall back rather than hang.
 */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    lazyConnect: true,
  });
  return redis;
}

/** Whether a Redis server answers PING at `url` within two seconds. */
export async function redisReachable(url: string): Promise<boolean> {
  const redis = createRedis(url, 'mysaas-probe');
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
