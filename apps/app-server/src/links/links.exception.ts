import { CodedError } from '@mysaas/nest-http';

export enum LinkExceptionCode {
  INVALID_URL = 'LINK_INVALID_URL',
  INVALID_CODE = 'LINK_INVALID_CODE',
  CODE_TAKEN = 'LINK_CODE_TAKEN',
  CODE_SPACE_EXHAUSTED = 'LINK_CODE_SPACE_EXHAUSTED',
}

export class LinkException extends CodedError<LinkExceptionCode> {}
