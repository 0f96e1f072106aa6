import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum LinkExceptionCode {
  INVALID_URL = 'LINK_INVALID_URL',
  INVALID_CODE = 'LINK_INVALID_CODE',
  CODE_TAKEN = 'LINK_CODE_TAKEN',
  CODE_SPACE_EXHAUSTED = 'LINK_CODE_SPACE_EXHAUSTED',
  /** An import with no links. */
  IMPORT_EMPTY = 'LINK_IMPORT_EMPTY',
  /** An import with more links than one request may carry. */
  IMPORT_TOO_LARGE = 'LINK_IMPORT_TOO_LARGE',
  /** An import whose list is not a list of rows (a row's own problems are reported per row instead). */
  IMPORT_MALFORMED = 'LINK_IMPORT_MALFORMED',
  IMPORT_INVALID_ID = 'LINK_IMPORT_INVALID_ID',
  IMPORT_NOT_FOUND = 'LINK_IMPORT_NOT_FOUND',
  /** A field this workspace's pool does not run yet (titles and tags come with release 2). */
  NEEDS_NEWER_RELEASE = 'LINK_NEEDS_NEWER_RELEASE',
  INVALID_DETAILS = 'LINK_INVALID_DETAILS',
}

export class LinkException extends CodedError<LinkExceptionCode> {
  protected readonly statuses = {
    [LinkExceptionCode.INVALID_URL]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.INVALID_CODE]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.CODE_TAKEN]: HttpStatus.CONFLICT,
    [LinkExceptionCode.CODE_SPACE_EXHAUSTED]: HttpStatus.SERVICE_UNAVAILABLE,
    [LinkExceptionCode.IMPORT_EMPTY]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.IMPORT_TOO_LARGE]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.IMPORT_MALFORMED]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.IMPORT_INVALID_ID]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.IMPORT_NOT_FOUND]: HttpStatus.NOT_FOUND,
    [LinkExceptionCode.NEEDS_NEWER_RELEASE]: HttpStatus.BAD_REQUEST,
    [LinkExceptionCode.INVALID_DETAILS]: HttpStatus.BAD_REQUEST,
  };
}
