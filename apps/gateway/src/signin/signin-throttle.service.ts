import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
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
import type { GatewayRequest } from '../tenant-host/gateway-request';
import { addressKey } from './client-address';

/** The routes that check a password: the JSON API and the sign-in form. */
const SIGN_IN_PATHS = new Set(['/auth/login', '/login']);
/** Sign-in bodies are an email and a password; anything bigger is not one. */
export const SIGN_IN_MAX_BODY_BYTES = 16 * 1024;

export interface SignInAttempt {
  /** Records how the attempt ended (the app server's verdict, or none); only the first call counts. */
  settle(result: string | string[] | undefined): Promise<void>;
}

/**
 * Sign-in throttling per account (tenant + email) and per client address, counted in
 * Redis when REDIS_URL is set (so it holds across gateway instances), else in this
 * process. Each attempt is counted before it is forwarded, so a burst of guesses cannot all
 * pass before the first failure is recorded; the app server's verdict (a platform response
 * header) then decides whether it stays counted: failures do, successes clear the
 * account's count, and attempts without a verdict (malformed, cut off) are given back.
 */
@Injectable()
export class SignInThrottle implements OnApplicationShutdown {
  private readonly logger = new Logger('SignInThrottle');
  private readonly counter: AttemptCounter;
  private readonly redis: ReturnType<typeof createRedis> | undefined;
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
    this.counter = new FallbackAttemptCounter(new RedisAttemptCounter(redis, `${config.redis.keyPrefix}attempts:`), memory, (error) => this.warnFallback(error));
  }

  appliesTo(req: GatewayRequest): boolean {
    return req.method === 'POST' && SIGN_IN_PATHS.has(req.path.toLowerCase());
  }

  /** Counts the attempt, or refuses it with 429 while the account or address is over its limit. */
  async begin(req: GatewayRequest, body: Buffer): Promise<SignInAttempt> {
    const { maxFailuresPerAccount, maxFailuresPerAddress, windowSeconds } = this.config.signIn;
    const address: CountedKey = { key: `signin:addr:${addressKey(req.ip)}`, limit: maxFailuresPerAddress };
    const email = accountOf(body, req.header('content-type'));
    const account: CountedKey | undefined =
      email === undefined ? undefined : { key: `signin:acct:${req.tenantRoute!.id}:${digest(email)}`, limit: maxFailuresPerAccount };
    const keys = account ? [account, address] : [address];
    const taken = await this.counter.take(keys, windowSeconds * 1000);
    if (!taken.ok) {
      const seconds = Math.ceil(taken.retryAfterMs / 1000);
      const who = taken.key === account?.key ? 'for this account' : 'from your network';
      throw new GatewayException(
        GatewayExceptionCode.SIGNIN_THROTTLED,
        `too many failed sign-ins ${who}; try again in ${seconds} second${seconds === 1 ? '' : 's'}`,
        { retryAfterSeconds: seconds },
      );
    }
    let settled = false;
    return {
      settle: async (verdict) => {
        if (settled) return;
        settled = true;
        const result = (Array.isArray(verdict) ? verdict[0] : verdict) as SignInResult | undefined;
        try {
          if (result === 'failure') return;
          await this.counter.giveBack([address.key]);
          if (account !== undefined) await (result === 'success' ? this.counter.clear(account.key) : this.counter.giveBack([account.key]));
        } catch (error) {
          this.logger.warn(`could not settle a sign-in attempt: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
    };
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  private warnFallback(error: unknown): void {
    if (Date.now() - this.lastFallbackWarning < 60_000) return;
    this.lastFallbackWarning = Date.now();
    this.logger.warn(
      `Redis is unavailable (${error instanceof Error ? error.message : String(error)}); sign-in attempts are counted by this gateway alone until it is back`,
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
