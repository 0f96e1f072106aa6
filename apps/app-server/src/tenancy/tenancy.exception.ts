import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum TenancyExceptionCode {
  CONTEXT_MISSING = 'TENANT_CONTEXT_MISSING',
  CONTEXT_INVALID = 'TENANT_CONTEXT_INVALID',
  CONTEXT_EXPIRED = 'TENANT_CONTEXT_EXPIRED',
  WRONG_POOL = 'TENANT_CONTEXT_WRONG_POOL',
  TENANT_NOT_ON_POOL = 'TENANT_NOT_ON_POOL',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  /** The tenant holds its whole share of the pool's connections. */
  TENANT_BUSY = 'TENANT_BUSY',
  /** A move's cutover took the tenant from this pool; the gateway will route it to the new one. */
  TENANT_MOVING = 'TENANT_MOVING',
  /** The tenant's schema is at a release this app server's code does not run on. */
  SCHEMA_RELEASE_UNSUPPORTED = 'SCHEMA_RELEASE_UNSUPPORTED',
}

export class TenancyException extends CodedError<TenancyExceptionCode> {
  protected readonly statuses = {
    [TenancyExceptionCode.CONTEXT_MISSING]: HttpStatus.UNAUTHORIZED,
    [TenancyExceptionCode.CONTEXT_INVALID]: HttpStatus.UNAUTHORIZED,
    [TenancyExceptionCode.CONTEXT_EXPIRED]: HttpStatus.UNAUTHORIZED,
    [TenancyExceptionCode.WRONG_POOL]: HttpStatus.MISDIRECTED,
    [TenancyExceptionCode.TENANT_NOT_ON_POOL]: HttpStatus.MISDIRECTED,
    [TenancyExceptionCode.DATABASE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
    [TenancyExceptionCode.TENANT_BUSY]: HttpStatus.TOO_MANY_REQUESTS,
    [TenancyExceptionCode.TENANT_MOVING]: HttpStatus.SERVICE_UNAVAILABLE,
    [TenancyExceptionCode.SCHEMA_RELEASE_UNSUPPORTED]: HttpStatus.SERVICE_UNAVAILABLE,
  };
}
