import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { describeCoded, describeOtherError, sendError, type ErrorDescription } from '@mysaas/nest-http';
import type { GatewayRequest } from '../tenant-host/gateway-request';
import { errorPage } from './error-page';
import { GatewayException, GatewayExceptionCode } from './gateway.exception';

/**
 * The gateway's one exception filter. Browsers navigating get a readable page, everything
 * else the platform's JSON error body; both carry the request id.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendGatewayError(host.switchToHttp().getRequest<GatewayRequest>(), host.switchToHttp().getResponse<Response>(), exception, this.logger);
  }
}

/** Also used by the edge filter, which refuses requests before Nest sees them. */
export function sendGatewayError(req: GatewayRequest, res: Response, exception: unknown, logger: LoggerService): void {
  sendError({
    req,
    res,
    // The gateway's own refusals are expected; their message says all there is to log.
    exception: exception instanceof GatewayException ? exception.message : exception,
    described: describe(exception),
    requestId: req.requestId ?? randomUUID(),
    logger,
    html: (described, requestId) => errorPage(described.status, titleOf(described), described.message, requestId),
  });
}

function describe(exception: unknown): ErrorDescription {
  if (exception instanceof GatewayException) {
    return { ...describeCoded(exception, gatewayStatus(exception.code)), ...exception.details };
  }
  return describeOtherError(exception);
}

function gatewayStatus(code: GatewayExceptionCode): number {
  switch (code) {
    case GatewayExceptionCode.HOST_MALFORMED:
    case GatewayExceptionCode.HOST_DUPLICATED:
    case GatewayExceptionCode.NOT_A_TENANT_HOST:
    case GatewayExceptionCode.REQUEST_TARGET_INVALID:
      return HttpStatus.BAD_REQUEST;
    case GatewayExceptionCode.TENANT_UNKNOWN:
      return HttpStatus.NOT_FOUND;
    case GatewayExceptionCode.TENANT_SUSPENDED:
    case GatewayExceptionCode.CROSS_ORIGIN_REQUEST:
      return HttpStatus.FORBIDDEN;
    case GatewayExceptionCode.SESSION_REQUIRED:
    case GatewayExceptionCode.SESSION_INVALID:
    case GatewayExceptionCode.SESSION_EXPIRED:
    case GatewayExceptionCode.SESSION_WRONG_TENANT:
      return HttpStatus.UNAUTHORIZED;
    case GatewayExceptionCode.TENANT_BUSY:
    case GatewayExceptionCode.SIGNIN_THROTTLED:
      return HttpStatus.TOO_MANY_REQUESTS;
    case GatewayExceptionCode.BODY_TOO_LARGE:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case GatewayExceptionCode.TENANT_NOT_READY:
    case GatewayExceptionCode.POOL_UNAVAILABLE:
    case GatewayExceptionCode.ROUTING_UNAVAILABLE:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case GatewayExceptionCode.UPSTREAM_UNREACHABLE:
      return HttpStatus.BAD_GATEWAY;
    case GatewayExceptionCode.UPSTREAM_TIMEOUT:
      return HttpStatus.GATEWAY_TIMEOUT;
  }
}

const TITLES: Partial<Record<string, string>> = {
  TENANT_UNKNOWN: 'Workspace not found',
  TENANT_SUSPENDED: 'Workspace suspended',
  TENANT_NOT_READY: 'Workspace not ready yet',
  HOST_MALFORMED: 'Bad address',
  HOST_DUPLICATED: 'Bad address',
  REQUEST_TARGET_INVALID: 'Bad address',
  NOT_A_TENANT_HOST: 'Not a workspace address',
  TENANT_BUSY: 'Busy right now',
  SIGNIN_THROTTLED: 'Too many sign-in attempts',
};

function titleOf(described: ErrorDescription): string {
  if (TITLES[described.code]) return TITLES[described.code]!;
  if (described.status === 401) return 'Please sign in';
  if (described.status >= 500) return 'Something went wrong on our side';
  return 'Request refused';
}
