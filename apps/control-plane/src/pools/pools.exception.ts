import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum PoolExceptionCode {
  NOT_FOUND = 'POOL_NOT_FOUND',
  NAME_TAKEN = 'POOL_NAME_TAKEN',
  INVALID_UPSTREAM = 'POOL_INVALID_UPSTREAM',
  DATABASE_UNREACHABLE = 'POOL_DATABASE_UNREACHABLE',
  APP_ROLE_UNUSABLE = 'POOL_APP_ROLE_UNUSABLE',
  /** A status change the pool's life does not allow (retired is for good; retiring needs no tenants left). */
  STATUS_CHANGE_REFUSED = 'POOL_STATUS_CHANGE_REFUSED',
}

export class PoolException extends CodedError<PoolExceptionCode> {
  protected readonly statuses = {
    [PoolExceptionCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
    [PoolExceptionCode.NAME_TAKEN]: HttpStatus.CONFLICT,
    [PoolExceptionCode.DATABASE_UNREACHABLE]: HttpStatus.BAD_REQUEST,
    [PoolExceptionCode.APP_ROLE_UNUSABLE]: HttpStatus.BAD_REQUEST,
    [PoolExceptionCode.INVALID_UPSTREAM]: HttpStatus.BAD_REQUEST,
    [PoolExceptionCode.STATUS_CHANGE_REFUSED]: HttpStatus.CONFLICT,
  };
}
