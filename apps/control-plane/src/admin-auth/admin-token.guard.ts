import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PROBE_ROUTE } from '@mysaas/nest-http';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../app-config';
import { adminTokenCheck, assertAdminToken, type AdminTokenCheck } from './admin-token';

/** `Authorization: Bearer <platform admin token>`, compared in constant time; only the probes go without. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly isAdminToken: AdminTokenCheck;

  constructor(
    @Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig,
    private readonly reflector: Reflector,
  ) {
    this.isAdminToken = adminTokenCheck(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PROBE_ROUTE, [context.getHandler(), context.getClass()])) {
      return true;
    }
    assertAdminToken(context.switchToHttp().getRequest<Request>().header('authorization'), this.isAdminToken);
    return true;
  }
}
