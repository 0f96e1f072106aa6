import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum AdminAuthExceptionCode {
  TOKEN_MISSING = 'ADMIN_TOKEN_MISSING',
  TOKEN_INVALID = 'ADMIN_TOKEN_INVALID',
}

export class AdminAuthException extends CodedError<AdminAuthExceptionCode> {
  protected readonly statuses = {
    [AdminAuthExceptionCode.TOKEN_MISSING]: HttpStatus.UNAUTHORIZED,
    [AdminAuthExceptionCode.TOKEN_INVALID]: HttpStatus.UNAUTHORIZED,
  };
}
