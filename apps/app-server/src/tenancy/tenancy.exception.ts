import { CodedError } from '@mysaas/nest-http';

export enum TenancyExceptionCode {
  CONTEXT_MISSING = 'TENANT_CONTEXT_MISSING',
  CONTEXT_INVALID = 'TENANT_CONTEXT_INVALID',
  CONTEXT_EXPIRED = 'TENANT_CONTEXT_EXPIRED',
  WRONG_POOL = 'TENANT_CONTEXT_WRONG_POOL',
  TENANT_NOT_ON_POOL = 'TENANT_NOT_ON_POOL',
  NO_TENANT_SCOPE = 'NO_TENANT_SCOPE',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  /** The tenant holds its whole share of the pool's connections. */
  TENANT_BUSY = 'TENANT_BUSY',
}

export class TenancyException extends CodedError<TenancyExceptionCode> {}
