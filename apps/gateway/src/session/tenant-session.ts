import { Inject, Injectable } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { sessionCookieName, SessionTokenCodec, type SessionClaims } from '@mysaas/auth';
import type { TokenCheck } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { TenantRoute } from '../routing/tenant-route';
import { requiresSession } from './session-routes';

/** The session a cookie for this tenant names. */
export interface SessionUser {
  sessionId: string;
  userId: string;
}

/**
 * The session rule of the edge (it was a passport strategy and an AuthGuard; ADR 13 says why
 * it is one function now): the cookie must be signed by the app servers, unexpired, and issued
 * for the tenant the Host names, so a cookie from acme presented on globex is refused here,
 * before any tenant's app server sees it. No database: revocation is the app server's to check.
 */
export function verifyTenantSession(codec: SessionVerifier, cookieHeader: string | undefined, secure: boolean, tenant: TenantRoute): SessionUser {
  // Over https only the __Host- cookie counts: a plain one could have been planted over http.
  const raw = cookieHeader === undefined ? undefined : parseCookies(cookieHeader)[sessionCookieName(secure)];
  if (raw === undefined || raw === '') {
    throw new GatewayException(GatewayExceptionCode.SESSION_REQUIRED, 'sign in first: this route needs a session');
  }
  const check = codec.verify(raw);
  if (!check.ok) {
    throw check.failure === 'expired'
      ? new GatewayException(GatewayExceptionCode.SESSION_EXPIRED, 'the session has expired; sign in again')
      : new GatewayException(GatewayExceptionCode.SESSION_INVALID, 'the session cookie is not valid; sign in again');
  }
  if (check.claims.tid !== tenant.id) {
    throw new GatewayException(
      GatewayExceptionCode.SESSION_WRONG_TENANT,
      `this session was issued for another workspace, not ${tenant.slug}; sign in here`,
    );
  }
  return { sessionId: check.claims.sid, userId: check.claims.uid };
}

/** What checks a session token: its signature, shape and lifetime. */
export interface SessionVerifier {
  verify(token: string): TokenCheck<SessionClaims>;
}

/**
 * A session token's signature checked once: a browser sends the same cookie with every
 * request, and the HMAC and JSON parse were ~6% of the gateway's CPU per request. A token
 * remembered is still checked for expiry on each use (the tenant too, by the caller);
 * revocation was never the gateway's to check (the app server reads the session row).
 * Bounded: past `max` tokens it starts over.
 */
export class RememberingSessionVerifier implements SessionVerifier {
  private readonly valid = new Map<string, SessionClaims>();

  constructor(
    private readonly codec: SessionTokenCodec,
    private readonly max = 10_000,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  verify(token: string): TokenCheck<SessionClaims> {
    const nowSeconds = this.now();
    const known = this.valid.get(token);
    if (known !== undefined) {
      if (known.exp >= nowSeconds) return { ok: true, claims: known };
      this.valid.delete(token);
    }
    const check = this.codec.verify(token, nowSeconds);
    if (check.ok) {
      if (this.valid.size >= this.max) this.valid.clear();
      this.valid.set(token, check.claims);
    }
    return check;
  }
}

/** The session rule with the gateway's secret, for every proxied request. */
@Injectable()
export class TenantSessions {
  private readonly codec: SessionVerifier;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.codec = new RememberingSessionVerifier(new SessionTokenCodec(config.secrets.session));
  }

  /**
   * The request's session, or null: protected routes (`requiresSession`) are refused without a
   * valid one for this tenant; elsewhere a missing or foreign cookie is ignored and the request
   * goes on anonymous (the app server decides what it needs).
   */
  authenticate(path: string, cookieHeader: string | undefined, secure: boolean, tenant: TenantRoute): SessionUser | null {
    if (requiresSession(path)) return verifyTenantSession(this.codec, cookieHeader, secure, tenant);
    if (cookieHeader === undefined) return null;
    try {
      return verifyTenantSession(this.codec, cookieHeader, secure, tenant);
    } catch (error) {
      if (error instanceof GatewayException) return null;
      throw error;
    }
  }
}
