import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum LinkExceptionCode {
  INVALID_URL = 'LINK_INVALID_URL',
  INVALID_CODE = 'LINK_INVALID_CODE',
  CODE_TAKEN = 'LINK_CODE_TAKEN',
  CODE_SPACE_EXHAUSTED = 'LINK_CODE_SPACE_EXHAUSTED',
}

export class LinkException extends CodedError<LinkExceptionCode> {
  protected readonly statuses = {
    [LinkExceptionCode.INVALID_URL]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.INVALID_CODE]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.CODE_TAKEN]: HttpStatus.CONFLICT,
    [LinkExceptionCode.CODE_SPACE_EXHAUSTED]: HttpStatus.SERVICE_UNAVAILABLE,
  };
}
