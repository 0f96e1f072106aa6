import { CodedError } from '@mysaas/nest-http';

export enum GatewayExceptionCode {
  HOST_MALFORMED = 'HOST_MALFORMED',
  HOST_DUPLICATED = 'HOST_DUPLICATED',
  REQUEST_TARGET_INVALID = 'REQUEST_TARGET_INVALID',
  NOT_A_TENANT_HOST = 'NOT_A_TENANT_HOST',
  TENANT_UNKNOWN = 'TENANT_UNKNOWN',
  TENANT_SUSPENDED = 'TENANT_SUSPENDED',
  TENANT_NOT_READY = 'TENANT_NOT_READY',
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
  constructor(
    code: GatewayExceptionCode,
    message: string,
    /** For 429 and 503: when the client may try again. */
    readonly details: { retryAfterSeconds?: number } = {},
  ) {
    super(code, message);
  }
}
