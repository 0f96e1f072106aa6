import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import {
  describeHttpException,
  INTERNAL_ERROR,
  RequestValidationException,
  safeRequestId,
  type ErrorBody,
  type ErrorDescription,
} from '@mysaas/http-errors';
import { REQUEST_ID_HEADER } from '@mysaas/tenancy';
import { AuthException, AuthExceptionCode } from '../auth/auth.exception';
import { LinkException, LinkExceptionCode } from '../links/links.exception';
import { TENANT_REQUEST_KEY, TenancyException, TenancyExceptionCode, type RequestWithTenant } from '../tenancy';

/**
 * The app server's one HTTP exception filter: domain codes map to statuses here and nowhere
 * else. It rolls back the request's tenant transaction before answering; a 500 is logged
 * with its request id and says nothing about internals.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AppServer');

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const req = host.switchToHttp().getRequest<RequestWithTenant>();
    const res = host.switchToHttp().getResponse<Response>();
    const tenantRequest = req[TENANT_REQUEST_KEY];
    await tenantRequest?.transaction.rollback().catch(() => undefined);
    const requestId = tenantRequest?.context.requestId ?? safeRequestId(req.header(REQUEST_ID_HEADER));
    const described = describe(exception);
    if (described.status >= 500) {
      this.logger.error(
        `request ${requestId} ${req.method} ${req.originalUrl} failed`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (res.headersSent) return;
    const body: ErrorBody = { statusCode: described.status, code: described.code, message: described.message, requestId };
    res.status(described.status).json(body);
  }
}

function describe(exception: unknown): ErrorDescription {
  if (exception instanceof TenancyException) {
    return { status: tenancyStatus(exception.code), code: exception.code, message: exception.message };
  }
  if (exception instanceof AuthException) {
    return { status: authStatus(exception.code), code: exception.code, message: exception.message };
  }
  if (exception instanceof LinkException) {
    return { status: linkStatus(exception.code), code: exception.code, message: exception.message };
  }
  if (exception instanceof RequestValidationException) {
    return { status: HttpStatus.BAD_REQUEST, code: exception.code, message: exception.message };
  }
  if (exception instanceof HttpException) return describeHttpException(exception);
  return INTERNAL_ERROR;
}

function tenancyStatus(code: TenancyExceptionCode): number {
  switch (code) {
    case TenancyExceptionCode.CONTEXT_MISSING:
    case TenancyExceptionCode.CONTEXT_INVALID:
    case TenancyExceptionCode.CONTEXT_EXPIRED:
      return HttpStatus.UNAUTHORIZED;
    case TenancyExceptionCode.WRONG_POOL:
    case TenancyExceptionCode.TENANT_NOT_ON_POOL:
      return HttpStatus.MISDIRECTED;
    case TenancyExceptionCode.NO_TENANT_SCOPE:
      return HttpStatus.INTERNAL_SERVER_ERROR;
    case TenancyExceptionCode.DATABASE_UNAVAILABLE:
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

function authStatus(code: AuthExceptionCode): number {
  switch (code) {
    case AuthExceptionCode.CREDENTIALS_MISSING:
      return HttpStatus.BAD_REQUEST;
    case AuthExceptionCode.INVALID_CREDENTIALS:
    case AuthExceptionCode.SESSION_REQUIRED:
    case AuthExceptionCode.SESSION_ENDED:
      return HttpStatus.UNAUTHORIZED;
  }
}

function linkStatus(code: LinkExceptionCode): number {
  switch (code) {
    case LinkExceptionCode.INVALID_URL:
      return HttpStatus.BAD_REQUEST;
    case LinkExceptionCode.CODE_TAKEN:
      return HttpStatus.CONFLICT;
    case LinkExceptionCode.CODE_SPACE_EXHAUSTED:
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}
