import { isRecord, SignedTokenCodec, type TimedClaims, type TokenCheck } from '@mysaas/tenancy';

/** The session cookie. Host-only (no Domain attribute): the browser keeps it on one tenant host. */
export const SESSION_COOKIE = 'mysaas_session';
/**
 * Its name over https. Browsers accept a `__Host-` cookie only with Secure, Path=/ and no
 * Domain, and only from a secure origin, so neither a sibling subdomain nor a plain-http
 * man in the middle can plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** The session cookie's name for a request that arrived over https (`secure`) or not. */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * What a session cookie carries. The token proves who issued it and for which tenant, so the
 * gateway can refuse a cookie replayed on another tenant's host without a database; the
 * session row in the tenant schema stays the source of truth for revocation.
 */
export interface SessionClaims extends TimedClaims {
  /** Session id: the primary key of the session row in the tenant schema. */
  sid: string;
  /** The tenant the session was issued for. */
  tid: string;
  /** The user id in that tenant. */
  uid: string;
}

export class SessionTokenCodec {
  private readonly codec: SignedTokenCodec<SessionClaims>;

  constructor(secret: string) {
    this.codec = new SignedTokenCodec('ses1', secret, isSessionClaims);
  }

  sign(claims: SessionClaims): string {
    return this.codec.sign(claims);
  }

  verify(token: string | undefined, nowSeconds?: number): TokenCheck<SessionClaims> {
    return this.codec.verify(token, nowSeconds);
  }
}

function isSessionClaims(value: unknown): value is SessionClaims {
  return (
    isRecord(value) &&
    typeof value.sid === 'string' &&
    typeof value.tid === 'string' &&
    typeof value.uid === 'string'
  );
}
