import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { describeHttpException, safeRequestId } from './error-body';

describe('describeHttpException', () => {
  it('names Nest exceptions by their status', () => {
    expect(describeHttpException(new NotFoundException('Cannot GET /nope'))).toEqual({
      status: 404, code: 'NOT_FOUND', message: 'Cannot GET /nope',
    });
  });

  it('joins a list of messages', () => {
    expect(describeHttpException(new BadRequestException(['a is wrong', 'b is wrong'])).message).toBe('a is wrong; b is wrong');
  });

  it('explains body-parser failures Nest wrapped, with the limit that was exceeded', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit: 16384 });
    expect(describeHttpException(new HttpException('request entity too large', 413, { cause: tooLarge }))).toEqual({
      status: 413, code: 'BODY_TOO_LARGE', message: 'request body is larger than 16384 bytes',
    });
    const badJson = Object.assign(new SyntaxError('Unexpected end of JSON input'), { type: 'entity.parse.failed' });
    expect(describeHttpException(new BadRequestException('x', { cause: badJson }))).toEqual({
      status: 400, code: 'MALFORMED_BODY', message: 'request body is not valid JSON (Unexpected end of JSON input)',
    });
  });
});

describe('safeRequestId', () => {
  it('echoes a well-formed id and replaces anything else', () => {
    expect(safeRequestId('req-123_abc.def:1')).toBe('req-123_abc.def:1');
    expect(safeRequestId('<script>', 'fallback')).toBe('fallback');
    expect(safeRequestId('x'.repeat(101), 'fallback')).toBe('fallback');
    expect(safeRequestId(undefined)).toBe('none');
  });
});
