import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import {
  describeCoded,
  describeOtherError,
  safeRequestId,
  sendError,
  type ErrorDescription,
} from '@mysaas/nest-http';
import { pgErrorCode, PgErrorCode } from '@mysaas/db';
import { REQUEST_ID_HEADER } from '@mysaas/tenancy';
import { AuthException, AuthExceptionCode } from '../auth/auth.exception';
import { LinkException, LinkExceptionCode } from '../links/links.exception';
import { TENANT_REQUEST_KEY, TenancyException, TenancyExceptionCode, type RequestWithTenant } from '../tenancy';

/**
 * The app server's one HTTP exception filter: domain codes map to statuses here and nowhere
 * else. It rolls back the request's tenant transaction before answering.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AppServer');

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const req = host.switchToHttp().getRequest<RequestWithTenant>();
    const res = host.switchToHttp().getResponse<Response>();
    const tenantRequest = req[TENANT_REQUEST_KEY];
    await tenantRequest?.transaction.rollback().catch(() => undefined);
    // Work cut short because the client left (its transaction is gone): no one to answer,
    // and not a server fault.
    if (tenantRequest?.clientGone) return;
    const requestId = tenantRequest?.context.requestId ?? safeRequestId(req.header(REQUEST_ID_HEADER));
    sendError({ req, res, exception, described: describe(exception), requestId, logger: this.logger });
  }
}

function describe(exception: unknown): ErrorDescription {
  if (exception instanceof TenancyException) return describeCoded(exception, tenancyStatus(exception.code));
  if (exception instanceof AuthException) return describeCoded(exception, authStatus(exception.code));
  if (exception instanceof LinkException) return describeCoded(exception, linkStatus(exception.code));
  if (pgErrorCode(exception) === PgErrorCode.QueryCanceled) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'STATEMENT_TIMEOUT',
      message: "a database statement ran longer than this workspace's statement timeout and was cancelled",
    };
  }
  return describeOtherError(exception);
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
    case TenancyExceptionCode.TENANT_BUSY:
      return HttpStatus.TOO_MANY_REQUESTS;
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
    case AuthExceptionCode.SIGNIN_BUSY:
      return HttpStatus.TOO_MANY_REQUESTS;
  }
}

function linkStatus(code: LinkExceptionCode): number {
  switch (code) {
    case LinkExceptionCode.INVALID_URL:
    case LinkExceptionCode.INVALID_CODE:
      return HttpStatus.BAD_REQUEST;
    case LinkExceptionCode.CODE_TAKEN:
      return HttpStatus.CONFLICT;
    case LinkExceptionCode.CODE_SPACE_EXHAUSTED:
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}
