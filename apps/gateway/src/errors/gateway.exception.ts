import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum GatewayExceptionCode {
  HOST_MALFORMED = 'HOST_MALFORMED',
  HOST_DUPLICATED = 'HOST_DUPLICATED',
  REQUEST_TARGET_INVALID = 'REQUEST_TARGET_INVALID',
  NOT_A_TENANT_HOST = 'NOT_A_TENANT_HOST',
  TENANT_UNKNOWN = 'TENANT_UNKNOWN',
  TENANT_SUSPENDED = 'TENANT_SUSPENDED',
  TENANT_NOT_READY = 'TENANT_NOT_READY',
  /** A move's cutover held the tenant's requests for longer than GATEWAY_MOVE_HOLD_MS. */
  TENANT_MOVING = 'TENANT_MOVING',
  SESSION_REQUIRED = 'SESSION_REQUIRED',
  SESSION_INVALID = 'SESSION_INVALID',
  SESSION_EXPIRED = 'SESSION_EXPIRED',
  SESSION_WRONG_TENANT = 'SESSION_WRONG_TENANT',
  CROSS_ORIGIN_REQUEST = 'CROSS_ORIGIN_REQUEST',
  BODY_TOO_LARGE = 'BODY_TOO_LARGE',
  POOL_UNAVAILABLE = 'POOL_UNAVAILABLE',
  UPSTREAM_UNREACHABLE = 'UPSTREAM_UNREACHABLE',
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  ROUTING_UNAVAILABLE = 'ROUTING_UNAVAILABLE',
  /** The tenant has its whole share of requests in flight at this gateway. */
  TENANT_BUSY = 'TENANT_BUSY',
  SIGNIN_THROTTLED = 'SIGNIN_THROTTLED',
}

export class GatewayException extends CodedError<GatewayExceptionCode> {
  protected readonly statuses = {
    [GatewayExceptionCode.HOST_MALFORMED]: HttpStatus.BAD_REQUEST,
    [GatewayExceptionCode.HOST_DUPLICATED]: HttpStatus.BAD_REQUEST,
    [GatewayExceptionCode.REQUEST_TARGET_INVALID]: HttpStatus.BAD_REQUEST,
    [GatewayExceptionCode.NOT_A_TENANT_HOST]: HttpStatus.BAD_REQUEST,
    [GatewayExceptionCode.TENANT_UNKNOWN]: HttpStatus.NOT_FOUND,
    [GatewayExceptionCode.TENANT_SUSPENDED]: HttpStatus.FORBIDDEN,
    [GatewayExceptionCode.CROSS_ORIGIN_REQUEST]: HttpStatus.FORBIDDEN,
    [GatewayExceptionCode.TENANT_NOT_READY]: HttpStatus.SERVICE_UNAVAILABLE,
    [GatewayExceptionCode.TENANT_MOVING]: HttpStatus.SERVICE_UNAVAILABLE,
    [GatewayExceptionCode.SESSION_REQUIRED]: HttpStatus.UNAUTHORIZED,
    [GatewayExceptionCode.SESSION_INVALID]: HttpStatus.UNAUTHORIZED,
    [GatewayExceptionCode.SESSION_EXPIRED]: HttpStatus.UNAUTHORIZED,
    [GatewayExceptionCode.SESSION_WRONG_TENANT]: HttpStatus.UNAUTHORIZED,
    [GatewayExceptionCode.BODY_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
    [GatewayExceptionCode.POOL_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
    [GatewayExceptionCode.UPSTREAM_UNREACHABLE]: HttpStatus.BAD_GATEWAY,
    [GatewayExceptionCode.UPSTREAM_TIMEOUT]: HttpStatus.GATEWAY_TIMEOUT,
    [GatewayExceptionCode.ROUTING_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
    [GatewayExceptionCode.TENANT_BUSY]: HttpStatus.TOO_MANY_REQUESTS,
    [GatewayExceptionCode.SIGNIN_THROTTLED]: HttpStatus.TOO_MANY_REQUESTS,
  };
}
