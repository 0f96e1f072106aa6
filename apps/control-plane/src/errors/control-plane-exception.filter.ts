import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import {
  describeCoded,
  describeOtherError,
  safeRequestId,
  sendError,
  type ErrorDescription,
} from '@mysaas/nest-http';
import { AdminAuthException, AdminAuthExceptionCode } from '../admin-auth/admin-auth.exception';
import { PoolException, PoolExceptionCode } from '../pools/pools.exception';
import { TenantException, TenantExceptionCode } from '../tenants/tenants.exception';

/** The control plane's one HTTP exception filter: domain codes map to statuses here only. */
@Catch()
export class ControlPlaneExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ControlPlane');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const requestId = safeRequestId(req.header('x-request-id'), randomUUID());
    sendError({ req, res, exception, described: describe(exception), requestId, logger: this.logger });
  }
}

function describe(exception: unknown): ErrorDescription {
  if (exception instanceof TenantException) return describeCoded(exception, tenantStatus(exception.code));
  if (exception instanceof PoolException) return describeCoded(exception, poolStatus(exception.code));
  if (exception instanceof AdminAuthException) return describeCoded(exception, adminAuthStatus(exception.code));
  return describeOtherError(exception);
}

function tenantStatus(code: TenantExceptionCode): number {
  switch (code) {
    case TenantExceptionCode.INVALID_SLUG:
    case TenantExceptionCode.INVALID_PASSWORD:
    case TenantExceptionCode.POOL_UNKNOWN:
      return HttpStatus.BAD_REQUEST;
    case TenantExceptionCode.NOT_FOUND:
      return HttpStatus.NOT_FOUND;
    case TenantExceptionCode.SLUG_TAKEN:
    case TenantExceptionCode.NOT_READY:
    case TenantExceptionCode.POOL_NOT_ACCEPTING:
    case TenantExceptionCode.RESIDUE_ON_POOL:
      return HttpStatus.CONFLICT;
    case TenantExceptionCode.POOL_UNREACHABLE:
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

function poolStatus(code: PoolExceptionCode): number {
  switch (code) {
    case PoolExceptionCode.NOT_FOUND:
      return HttpStatus.NOT_FOUND;
    case PoolExceptionCode.NAME_TAKEN:
      return HttpStatus.CONFLICT;
    case PoolExceptionCode.DATABASE_UNREACHABLE:
    case PoolExceptionCode.APP_ROLE_UNUSABLE:
    case PoolExceptionCode.INVALID_UPSTREAM:
      return HttpStatus.BAD_REQUEST;
  }
}

function adminAuthStatus(code: AdminAuthExceptionCode): number {
  switch (code) {
    case AdminAuthExceptionCode.TOKEN_MISSING:
    case AdminAuthExceptionCode.TOKEN_INVALID:
      return HttpStatus.UNAUTHORIZED;
  }
}
