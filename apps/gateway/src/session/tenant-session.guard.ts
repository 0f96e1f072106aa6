import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { GatewayRequest, SessionUser } from '../tenant-host/gateway-request';
import { requiresSession } from './session-routes';

/**
 * Runs the tenant-session strategy on every proxied request. Protected routes are refused
 * without a session for this tenant; on the others a missing or foreign cookie is ignored
 * and the request goes on anonymous.
 */
@Injectable()
export class TenantSessionGuard extends AuthGuard('tenant-session') {
  override handleRequest<TUser = SessionUser | null>(error: unknown, user: unknown, _info: unknown, context: ExecutionContext): TUser {
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    if (user) return user as TUser;
    if (requiresSession(req.path)) throw error;
    return null as TUser;
  }
}
