import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PROBE_ROUTE } from '@mysaas/nest-http';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../app-config';
import { AdminAuthException, AdminAuthExceptionCode } from './admin-auth.exception';

/** `Authorization: Bearer <platform admin token>`, compared in constant time; only the probes go without. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    @Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PROBE_ROUTE, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const header = context.switchToHttp().getRequest<Request>().header('authorization');
    const match = header === undefined ? null : /^Bearer (.+)$/i.exec(header);
    if (!match?.[1]) {
      throw new AdminAuthException(
        AdminAuthExceptionCode.TOKEN_MISSING,
        'send the platform admin token as "Authorization: Bearer <token>" (the dev stack prints it at start)',
      );
    }
    if (!timingSafeEqual(digest(match[1]), this.expected)) {
      throw new AdminAuthException(AdminAuthExceptionCode.TOKEN_INVALID, 'the platform admin token is not valid');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
