import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PROBE_ROUTE } from '@mysaas/nest-http';
import { currentTenantScope } from '@mysaas/tenant-runtime';
import { AuthException, AuthExceptionCode } from './auth.exception';
import { SESSION_POLICY, type SessionPolicy } from './session-policy.decorator';
import { SessionsService } from './sessions.service';

/**
 * Global guard: the gateway has checked that the session cookie is genuine and issued for
 * this tenant; here the session row in the tenant schema decides whether it is still live.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy =
      this.reflector.getAllAndOverride<SessionPolicy | undefined>(SESSION_POLICY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'required';
    if (policy === 'public' || this.reflector.getAllAndOverride<boolean>(PROBE_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const scope = currentTenantScope();
    const claimed = scope.claimedSession;
    if (claimed !== undefined) {
      scope.user = await this.sessions.findActive(claimed.id, claimed.userId);
      if (scope.user === undefined && policy === 'required') {
        throw new AuthException(AuthExceptionCode.SESSION_ENDED, 'this session has ended (signed out or expired); sign in again');
      }
    }
    if (scope.user === undefined && policy === 'required') {
      throw new AuthException(AuthExceptionCode.SESSION_REQUIRED, 'sign in first: this route needs a session');
    }
    return true;
  }
}
