import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum TenantExceptionCode {
  INVALID_SLUG = 'TENANT_INVALID_SLUG',
  INVALID_PASSWORD = 'TENANT_INVALID_PASSWORD',
  SLUG_TAKEN = 'TENANT_SLUG_TAKEN',
  NOT_FOUND = 'TENANT_NOT_FOUND',
  NOT_READY = 'TENANT_NOT_READY',
  POOL_UNKNOWN = 'TENANT_POOL_UNKNOWN',
  POOL_NOT_ACCEPTING = 'TENANT_POOL_NOT_ACCEPTING',
  RESIDUE_ON_POOL = 'TENANT_RESIDUE_ON_POOL',
  POOL_UNREACHABLE = 'TENANT_POOL_UNREACHABLE',
}

export class TenantException extends CodedError<TenantExceptionCode> {
  protected readonly statuses = {
    [TenantExceptionCode.INVALID_SLUG]: HttpStatus.BAD_REQUEST,
    [TenantExceptionCode.INVALID_PASSWORD]: HttpStatus.BAD_REQUEST,
    [TenantExceptionCode.POOL_UNKNOWN]: HttpStatus.BAD_REQUEST,
    [TenantExceptionCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
    [TenantExceptionCode.SLUG_TAKEN]: HttpStatus.CONFLICT,
    [TenantExceptionCode.NOT_READY]: HttpStatus.CONFLICT,
    [TenantExceptionCode.POOL_NOT_ACCEPTING]: HttpStatus.CONFLICT,
    [TenantExceptionCode.RESIDUE_ON_POOL]: HttpStatus.CONFLICT,
    [TenantExceptionCode.POOL_UNREACHABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  };
}
