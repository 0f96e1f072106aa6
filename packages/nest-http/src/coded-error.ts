/**
 * Base of the platform's domain errors: a class per feature with a code enum, and beside the
 * codes the HTTP status of each, as a `Record<Code, number>` so the compiler refuses a code
 * without one:
 *
 *   export enum LinkExceptionCode { INVALID_URL = 'LINK_INVALID_URL', ... }
 *   export class LinkException extends CodedError<LinkExceptionCode> {
 *     protected readonly statuses = { [LinkExceptionCode.INVALID_URL]: 400, ... };
 *   }
 *
 * Services throw these; only the shared exception filter turns them into responses.
 */
export abstract class CodedError<Code extends string> extends Error {
  /** The HTTP status of each code of this class. */
  protected abstract readonly statuses: Readonly<Record<Code, number>>;

  constructor(
    readonly code: Code,
    message: string,
    /** For 429 and 503 answers: when the client may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get httpStatus(): number {
    return this.statuses[this.code];
  }
}

/** The error description of a domain error. */
export function describeCoded(error: CodedError<string>): {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
} {
  return {
    status: error.httpStatus,
    code: error.code,
    message: error.message,
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
  };
}
