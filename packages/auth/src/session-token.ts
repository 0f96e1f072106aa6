import { isRecord, SignedTokenCodec, type TimedClaims, type TokenCheck } from '@mysaas/tenancy';

/** The session cookie. Host-only (no Domain attribute): the browser keeps it on one tenant host. */
export const SESSION_COOKIE = 'mysaas_session';

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
