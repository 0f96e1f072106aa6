import { CodedError } from '@mysaas/nest-http';

export enum MoveExceptionCode {
  TENANT_UNKNOWN = 'MOVE_TENANT_UNKNOWN',
  TENANT_SUSPENDED = 'MOVE_TENANT_SUSPENDED',
  TENANT_NOT_READY = 'MOVE_TENANT_NOT_READY',
  POOL_UNKNOWN = 'MOVE_POOL_UNKNOWN',
  SAME_POOL = 'MOVE_SAME_POOL',
  POOL_NOT_ACCEPTING = 'MOVE_POOL_NOT_ACCEPTING',
  OLDER_RELEASE = 'MOVE_OLDER_RELEASE',
  ALREADY_OPEN = 'MOVE_ALREADY_OPEN',
  TARGET_NOT_EMPTY = 'MOVE_TARGET_NOT_EMPTY',
  POOL_UNREACHABLE = 'MOVE_POOL_UNREACHABLE',
  NOT_FOUND = 'MOVE_NOT_FOUND',
  WRONG_STATE = 'MOVE_WRONG_STATE',
  ROLLBACK_IMPOSSIBLE = 'MOVE_ROLLBACK_IMPOSSIBLE',
  BUSY = 'MOVE_BUSY',
  METHOD_UNAVAILABLE = 'MOVE_METHOD_UNAVAILABLE',
  ROLLOUT_INVALID = 'ROLLOUT_INVALID',
  ROLLOUT_OPEN = 'ROLLOUT_OPEN',
  ROLLOUT_NOT_FOUND = 'ROLLOUT_NOT_FOUND',
  ROLLOUT_NO_METRICS = 'ROLLOUT_NO_METRICS',
}

/** Why a move (or a step asked of one) was refused; nothing was changed. */
export class MoveException extends CodedError<MoveExceptionCode> {
  protected readonly statuses = {
    [MoveExceptionCode.TENANT_UNKNOWN]: 404,
    [MoveExceptionCode.TENANT_SUSPENDED]: 409,
    [MoveExceptionCode.TENANT_NOT_READY]: 409,
    [MoveExceptionCode.POOL_UNKNOWN]: 400,
    [MoveExceptionCode.SAME_POOL]: 409,
    [MoveExceptionCode.POOL_NOT_ACCEPTING]: 409,
    [MoveExceptionCode.OLDER_RELEASE]: 409,
    [MoveExceptionCode.ALREADY_OPEN]: 409,
    [MoveExceptionCode.TARGET_NOT_EMPTY]: 409,
    [MoveExceptionCode.POOL_UNREACHABLE]: 503,
    [MoveExceptionCode.NOT_FOUND]: 404,
    [MoveExceptionCode.WRONG_STATE]: 409,
    [MoveExceptionCode.ROLLBACK_IMPOSSIBLE]: 409,
    [MoveExceptionCode.BUSY]: 409,
    [MoveExceptionCode.METHOD_UNAVAILABLE]: 409,
    [MoveExceptionCode.ROLLOUT_INVALID]: 400,
    [MoveExceptionCode.ROLLOUT_OPEN]: 409,
    [MoveExceptionCode.ROLLOUT_NOT_FOUND]: 404,
    [MoveExceptionCode.ROLLOUT_NO_METRICS]: 409,
  };
}
