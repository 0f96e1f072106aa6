import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  Bulkhead,
  BulkheadFullError,
  createRedis,
  FallbackAttemptCounter,
  MemoryAttemptCounter,
  RedisAttemptCounter,
  type AttemptCounter,
  type CountedKey,
} from '@mysaas/limits';
import type { SignInResult } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { TenantRoute } from '../routing/tenant-route';
import { addressKey } from './client-address';

/** The routes that check a password: the JSON API and the sign-in form. */
const SIGN_IN_PATHS = new Set(['/auth/login', '/login']);
/** Attempts that may wait for one account's (or address's) turn; more are refused at once. */
const MAX_WAITING = 64;
/** Sign-in bodies are an email and a password; anything bigger is not one. */
export const SIGN_IN_MAX_BODY_BYTES = 16 * 1024;

/** What a sign-in is counted by: the tenant, the client's address (as TRUST_PROXY reads it), the body's type. */
export interface SignInRequest {
  tenant: TenantRoute;
  clientAddress: string | undefined;
  contentType: string | undefined;
}

export interface SignInAttempt {
  /** Records how the attempt ended (the app server's verdict, or none); only the first call counts. */
  settle(result: string | string[] | undefined): Promise<void>;
}

/**
 * Sign-in throttling per account (tenant + email) and per client address. Failed sign-ins
 * are counted in Redis when REDIS_URL is set (so the limits hold across gateway instances),
 * else in this process; the app server's verdict (a platform response header) says which
 * attempts failed, so correct passwords never use anyone's allowance. Attempts on one
 * account run one at a time on this gateway, and at most a few per address, so a burst of
 * guesses cannot all be in flight before the first failure is counted: the burst waits its
 * turn, and turns after the limit are refused (SIGNIN_MAX_CONCURRENT_PER_ACCOUNT, default 1:
 * with more, a burst can overshoot the limit by that many minus one). A refusal is answered after a short delay,
 * holding the account's turn, so a flooder gets a handful of answers a second, not thousands.
 */
@Injectable()
export class SignInThrottle implements OnApplicationShutdown {
  private readonly logger = new Logger('SignInThrottle');
  private readonly counter: AttemptCounter;
  private readonly redis: ReturnType<typeof createRedis> | undefined;
  private readonly inProgress = new Bulkhead();
  private lastFallbackWarning = 0;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    const memory = new MemoryAttemptCounter();
    if (config.redis === undefined) {
      this.counter = memory;
      return;
    }
    const redis = createRedis(config.redis.url, 'mysaas-gateway');
    redis.on('error', (error: Error) => this.warnFallback(error));
    void redis.connect().catch(() => undefined); // ioredis keeps reconnecting; until then, memory counts
    this.redis = redis;
    this.counter = new FallbackAttemptCounter(new RedisAttemptCounter(redis, `${config.redis.keyPrefix}attempts:`), memory, (error) =>
      this.warnFallback(error),
    );
  }

  /** `path` is the edge's normalised path. */
  appliesTo(method: string | undefined, path: string): boolean {
    return method === 'POST' && SIGN_IN_PATHS.has(path.toLowerCase());
  }

  /**
   * Waits for the account's turn (and a free place for the address), then lets the attempt
   * through, or refuses it with 429 while the account or the address has had its failures.
   */
  async begin(attempt: SignInRequest, body: Buffer, signal: AbortSignal): Promise<SignInAttempt> {
    const { maxFailuresPerAccount, maxFailuresPerAddress, windowSeconds, maxConcurrentPerAccount, maxConcurrentPerAddress, queueWaitMs, refusalDelayMs } =
      this.config.signIn;
    const address: CountedKey = { key: `signin:addr:${addressKey(attempt.clientAddress)}`, limit: maxFailuresPerAddress };
    const email = accountOf(body, attempt.contentType);
    const account: CountedKey | undefined =
      email === undefined ? undefined : { key: `signin:acct:${attempt.tenant.id}:${digest(email)}`, limit: maxFailuresPerAccount };

    const releases: Array<() => void> = [];
    const releaseAll = () => releases.splice(0).forEach((release) => release());
    try {
      if (account !== undefined) releases.push(await this.turn(account.key, maxConcurrentPerAccount, queueWaitMs, signal, 'for this account'));
      releases.push(await this.turn(address.key, maxConcurrentPerAddress, queueWaitMs, signal, 'from your network'));
      const check = await this.counter.check(account ? [account, address] : [address]);
      if (!check.ok) {
        await sleep(Math.min(refusalDelayMs, check.retryAfterMs));
        const seconds = Math.ceil(check.retryAfterMs / 1000);
        const who = check.key === account?.key ? 'for this account' : 'from your network';
        throw new GatewayException(
          GatewayExceptionCode.SIGNIN_THROTTLED,
          `too many failed sign-ins ${who}; try again in ${seconds} second${seconds === 1 ? '' : 's'}`,
          seconds,
        );
      }
    } catch (error) {
      releaseAll();
      throw error;
    }

    let settled = false;
    return {
      settle: async (verdict) => {
        if (settled) return;
        settled = true;
        const result = (Array.isArray(verdict) ? verdict[0] : verdict) as SignInResult | undefined;
        try {
          if (result === 'failure') await this.counter.record(account ? [account.key, address.key] : [address.key], windowSeconds * 1000);
          if (result === 'success' && account !== undefined) await this.counter.clear(account.key);
        } catch (error) {
          this.logger.warn(`could not record a sign-in attempt: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          releaseAll();
        }
      },
    };
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  private async turn(key: string, limit: number, waitMs: number, signal: AbortSignal, who: string): Promise<() => void> {
    try {
      return await this.inProgress.acquire(key, { limit, waitMs, maxWaiting: MAX_WAITING, signal });
    } catch (error) {
      if (!(error instanceof BulkheadFullError)) throw error;
      throw new GatewayException(GatewayExceptionCode.SIGNIN_THROTTLED, `too many sign-ins in progress ${who}; try again in a moment`, 1);
    }
  }

  private warnFallback(error: unknown): void {
    if (Date.now() - this.lastFallbackWarning < 60_000) return;
    this.lastFallbackWarning = Date.now();
    this.logger.warn(
      `Redis is unavailable (${error instanceof Error ? error.message : String(error)}); sign-in failures are counted by this gateway alone until it is back`,
    );
  }
}

/** The email a sign-in body names, lower-cased, from JSON or a form; undefined when none. */
export function accountOf(body: Buffer, contentType: string | undefined): string | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let email: unknown;
  try {
    if (type === 'application/json') email = (JSON.parse(body.toString('utf8')) as { email?: unknown } | null)?.email;
    else if (type === 'application/x-www-form-urlencoded') email = new URLSearchParams(body.toString('utf8')).get('email');
  } catch {
    return undefined;
  }
  if (typeof email !== 'string') return undefined;
  const normalised = email.trim().toLowerCase();
  return normalised === '' || normalised.length > 320 ? undefined : normalised;
}

/** Keys carry a digest, not the address itself: Redis need not hold the tenant's users' emails. */
function digest(email: string): string {
  return createHash('sha256').update(email).digest('base64url').slice(0, 22);
}
