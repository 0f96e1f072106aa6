import { CodedError } from '@mysaas/nest-http';

export enum AuthExceptionCode {
  CREDENTIALS_MISSING = 'CREDENTIALS_MISSING',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  SESSION_REQUIRED = 'SESSION_REQUIRED',
  SESSION_ENDED = 'SESSION_ENDED',
  /** The tenant already has its share of password checks running. */
  SIGNIN_BUSY = 'SIGNIN_BUSY',
}

export class AuthException extends CodedError<AuthExceptionCode> {}
