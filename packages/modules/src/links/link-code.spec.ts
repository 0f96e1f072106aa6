import { LINK_CODE_PATTERN, parseLinkCode } from './link-code';
import { LinkException } from './links.exception';

describe('parseLinkCode', () => {
  it.each(['abc', 'spring-sale', 'Q3_launch', 'a'.repeat(32)])('accepts %j', (code) => {
    expect(parseLinkCode(code)).toBe(code);
  });

  it.each([
    ['ab', 'too short'],
    ['a'.repeat(33), 'longer than links.code holds'],
    ['a/b', 'a path separator'],
    ['<svg/onload=alert(1)>', 'markup'],
    ['a b', 'a space'],
    ['abc\n', 'a trailing newline'],
    ['café', 'a non-ASCII letter'],
    ['', 'empty'],
  ])('refuses %j (%s) with LINK_INVALID_CODE', (code) => {
    expect(() => parseLinkCode(code)).toThrow(LinkException);
    expect(() => parseLinkCode(code)).toThrow(expect.objectContaining({ code: 'LINK_INVALID_CODE' }));
  });

  it('compiles as an HTML pattern attribute (browsers use the v flag and ignore a pattern that fails)', () => {
    expect(new RegExp(LINK_CODE_PATTERN.source, 'v').test('a/b')).toBe(false);
    expect(new RegExp(LINK_CODE_PATTERN.source, 'v').test('spring-sale')).toBe(true);
  });
});
