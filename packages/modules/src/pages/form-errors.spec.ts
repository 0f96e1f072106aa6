import { JobQueueExceptionCode } from '@mysaas/tenant-runtime';
import { LinkExceptionCode } from '../links/links.exception';
import { linkErrorMessage, loginErrorMessage } from './form-errors';

describe('form error messages', () => {
  it('has a fixed message for every link error code', () => {
    for (const code of Object.values(LinkExceptionCode)) expect(linkErrorMessage(code)).toEqual(expect.any(String));
    // The import form shows the job service's refusals too (a full backlog, no job service).
    for (const code of Object.values(JobQueueExceptionCode)) expect(linkErrorMessage(code)).toEqual(expect.any(String));
    expect(loginErrorMessage('credentials')).toBe('Email or password is incorrect.');
  });

  // Inherited names of a plain object, free text, and a repeated parameter (an array).
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Your account is locked: call +1 555 0100', '', ['credentials', 'x'], undefined])(
    'shows no message for %j',
    (code) => {
      expect(loginErrorMessage(code)).toBeUndefined();
      expect(linkErrorMessage(code)).toBeUndefined();
    },
  );
});
