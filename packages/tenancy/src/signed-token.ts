import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compact HMAC-SHA256 tokens: `<purpose-version>.<base64url(json)>.<base64url(mac)>`.
 * The purpose is part of the MAC input, so a token minted for one purpose (a session cookie)
 * is never accepted for another (a tenant context), even under the same secret.
 */
export type TokenFailure = 'missing' | 'malformed' | 'bad-signature' | 'expired' | 'not-yet-valid';

export type TokenCheck<T> = { ok: true; claims: T } | { ok: false; failure: TokenFailure };

export interface TimedClaims {
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
}

export const MIN_SECRET_LENGTH = 32;
const CLOCK_SKEW_SECONDS = 5;
const MAX_TOKEN_LENGTH = 8192;

export class SignedTokenCodec<T extends TimedClaims> {
  private readonly secret: Buffer;

  constructor(
    private readonly purpose: string,
    secret: string,
    private readonly isClaims: (value: unknown) => value is T,
  ) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`the ${purpose} secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    this.secret = Buffer.from(secret, 'utf8');
  }

  sign(claims: T): string {
    const body = `${this.purpose}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  verify(token: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): TokenCheck<T> {
    if (token === undefined || token === '') return { ok: false, failure: 'missing' };
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, failure: 'malformed' };
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== this.purpose) return { ok: false, failure: 'malformed' };
    const [, payload, mac] = parts as [string, string, string];
    const expected = this.mac(`${this.purpose}.${payload}`);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, failure: 'bad-signature' };
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, failure: 'malformed' };
    }
    if (!isTimed(claims) || !this.isClaims(claims)) return { ok: false, failure: 'malformed' };
    if (claims.exp < nowSeconds) return { ok: false, failure: 'expired' };
    if (claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) return { ok: false, failure: 'not-yet-valid' };
    return { ok: true, claims };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body).digest();
  }
}

function isTimed(value: unknown): value is TimedClaims {
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isInteger((value as TimedClaims).iat) &&
    Number.isInteger((value as TimedClaims).exp)
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
