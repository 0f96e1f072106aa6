export { Bulkhead, BulkheadFullError } from './bulkhead';
export {
  FallbackAttemptCounter,
  MemoryAttemptCounter,
  RedisAttemptCounter,
  type AttemptCounter,
  type CountedKey,
  type CheckResult,
} from './attempt-counter';
export { createRedis, redisReachable } from './redis';
