import { parseLinkTarget } from './link-target';
import { LinkException } from './links.exception';

describe('parseLinkTarget', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['http://example.com/a?b=c#d', 'http://example.com/a?b=c#d'],
    ['  https://EXAMPLE.com/path ', 'https://example.com/path'],
  ])('accepts %j as %s', (input, expected) => {
    expect(parseLinkTarget(input)).toBe(expected);
  });

  it.each([
    ['javascript:alert(1)', 'not javascript'],
    ['data:text/html,<script>alert(1)</script>', 'not data'],
    ['ftp://example.com/file', 'not ftp'],
    ['/relative/path', 'absolute'],
    ['example.com', 'absolute'],
    ['https://user:pw@example.com', 'user name or password'],
    [`https://example.com/${'a'.repeat(2100)}`, 'at most 2048'],
  ])('refuses %j (%s)', (input, reason) => {
    expect(() => parseLinkTarget(input)).toThrow(LinkException);
    expect(() => parseLinkTarget(input)).toThrow(reason);
  });
});
