import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum AuthExceptionCode {
  CREDENTIALS_MISSING = 'CREDENTIALS_MISSING',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  SESSION_REQUIRED = 'SESSION_REQUIRED',
  SESSION_ENDED = 'SESSION_ENDED',
  /** The tenant already has its share of password checks running. */
  SIGNIN_BUSY = 'SIGNIN_BUSY',
}

export class AuthException extends CodedError<AuthExceptionCode> {
  protected readonly statuses = {
    [AuthExceptionCode.CREDENTIALS_MISSING]: HttpStatus.BAD_REQUEST,
    [AuthExceptionCode.INVALID_CREDENTIALS]: HttpStatus.UNAUTHORIZED,
    [AuthExceptionCode.SESSION_REQUIRED]: HttpStatus.UNAUTHORIZED,
    [AuthExceptionCode.SESSION_ENDED]: HttpStatus.UNAUTHORIZED,
    [AuthExceptionCode.SIGNIN_BUSY]: HttpStatus.TOO_MANY_REQUESTS,
  };
}
