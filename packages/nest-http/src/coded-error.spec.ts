import { HttpStatus, NotFoundException } from '@nestjs/common';
import { CodedError } from './coded-error';
import { describeError } from './error-body';
import { RequestValidationException } from './request-validation';

enum ThingCode {
  MISSING = 'THING_MISSING',
  BUSY = 'THING_BUSY',
}

class ThingException extends CodedError<ThingCode> {
  // Leaving a code out of this record is a compile error: every code has a status.
  protected readonly statuses = { [ThingCode.MISSING]: HttpStatus.NOT_FOUND, [ThingCode.BUSY]: HttpStatus.TOO_MANY_REQUESTS };
}

describe('describeError', () => {
  it("answers a domain error with its class's status for its code, and its Retry-After", () => {
    expect(describeError(new ThingException(ThingCode.MISSING, 'no such thing'))).toEqual({
      status: 404, code: 'THING_MISSING', message: 'no such thing',
    });
    expect(describeError(new ThingException(ThingCode.BUSY, 'try later', 3))).toEqual({
      status: 429, code: 'THING_BUSY', message: 'try later', retryAfterSeconds: 3,
    });
  });

  it('answers a failed validation with 400 and every problem', () => {
    expect(describeError(new RequestValidationException(['a is wrong', 'b is wrong']))).toEqual({
      status: 400, code: 'VALIDATION_FAILED', message: 'a is wrong; b is wrong',
    });
  });

  it("keeps Nest's own statuses and says nothing of anything else", () => {
    expect(describeError(new NotFoundException('Cannot GET /nope'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(describeError(new Error('connection string postgres://admin:secret@db'))).toEqual({
      status: 500, code: 'INTERNAL_ERROR', message: 'internal error; the server log has the details under this request id',
    });
  });
});
