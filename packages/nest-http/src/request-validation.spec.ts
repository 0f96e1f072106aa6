import type { ValidationError } from 'class-validator';
import { RequestValidationException } from './request-validation';

describe('RequestValidationException', () => {
  it('lists every problem, nested properties by their path', () => {
    const errors = [
      { property: 'url', constraints: { isString: 'url is required and must be a string' }, children: [] },
      {
        property: 'owner',
        constraints: {},
        children: [{ property: 'email', constraints: { isEmail: 'must be an email address' }, children: [] }],
      },
    ] as unknown as ValidationError[];
    const exception = RequestValidationException.fromErrors(errors);
    expect(exception.problems).toEqual(['url is required and must be a string', 'owner.email: must be an email address']);
    expect(exception.message).toBe('url is required and must be a string; owner.email: must be an email address');
    expect(exception.code).toBe('VALIDATION_FAILED');
  });
});
