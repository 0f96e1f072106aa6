import { CodedError } from '@mysaas/nest-http';

export enum PoolExceptionCode {
  NOT_FOUND = 'POOL_NOT_FOUND',
  NAME_TAKEN = 'POOL_NAME_TAKEN',
  INVALID_UPSTREAM = 'POOL_INVALID_UPSTREAM',
  DATABASE_UNREACHABLE = 'POOL_DATABASE_UNREACHABLE',
  APP_ROLE_UNUSABLE = 'POOL_APP_ROLE_UNUSABLE',
}

export class PoolException extends CodedError<PoolExceptionCode> {}
