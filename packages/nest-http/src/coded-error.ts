/**
 * Base of the platform's domain errors: a class per feature with a code enum
 * (`class LinkException extends CodedError<LinkExceptionCode> {}`). Transport-neutral: each
 * app's exception filter maps the codes to HTTP statuses with an exhaustive switch.
 */
export abstract class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The error description of a domain error, given the status its filter maps its code to. */
export function describeCoded(error: CodedError<string>, status: number): { status: number; code: string; message: string } {
  return { status, code: error.code, message: error.message };
}
