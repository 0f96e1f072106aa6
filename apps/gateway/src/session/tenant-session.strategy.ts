import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { parse as parseCookies } from 'cookie';
import { sessionCookieName, SessionTokenCodec } from '@mysaas/auth';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { GatewayRequest, SessionUser } from '../tenant-host/gateway-request';
import { RequestStrategy } from './request-strategy';

/**
 * Verifies the session cookie without a database: it is HMAC-signed by the app server and
 * names the tenant it was issued for, so a cookie from acme presented on globex is refused
 * here, before any tenant's app server sees it. Revocation is the app server's to check.
 */
@Injectable()
export class TenantSessionStrategy extends PassportStrategy(RequestStrategy, 'tenant-session') {
  private readonly codec: SessionTokenCodec;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super();
    this.codec = new SessionTokenCodec(config.secrets.session);
  }

  validate(req: GatewayRequest): SessionUser {
    // Over https only the __Host- cookie counts: a plain one could have been planted over http.
    const raw = req.headers.cookie === undefined ? undefined : parseCookies(req.headers.cookie)[sessionCookieName(req.secure)];
    if (raw === undefined || raw === '') {
      throw new GatewayException(GatewayExceptionCode.SESSION_REQUIRED, 'sign in first: this route needs a session');
    }
    const check = this.codec.verify(raw);
    if (!check.ok) {
      throw check.failure === 'expired'
        ? new GatewayException(GatewayExceptionCode.SESSION_EXPIRED, 'the session has expired; sign in again')
        : new GatewayException(GatewayExceptionCode.SESSION_INVALID, 'the session cookie is not valid; sign in again');
    }
    const tenant = req.tenantRoute;
    if (tenant === undefined || check.claims.tid !== tenant.id) {
      throw new GatewayException(
        GatewayExceptionCode.SESSION_WRONG_TENANT,
        `this session was issued for another workspace, not ${tenant?.slug ?? 'this one'}; sign in here`,
      );
    }
    return { sessionId: check.claims.sid, userId: check.claims.uid };
  }
}
