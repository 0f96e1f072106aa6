import { LinkException, LinkExceptionCode } from './links.exception';

/**
 * A short code: 3 to 32 letters, digits, "-" or "_", so it fits links.code (varchar(32)) and
 * needs no escaping in /l/<code>. The "-" is escaped so the same source also compiles with the
 * `v` flag, which browsers use for an input's pattern attribute.
 */
export const LINK_CODE_PATTERN = /^[A-Za-z0-9\-_]{3,32}$/;
export const LINK_CODE_RULE = 'code must be 3 to 32 letters, digits, "-" or "_"';

export function parseLinkCode(input: string): string {
  if (!LINK_CODE_PATTERN.test(input)) throw new LinkException(LinkExceptionCode.INVALID_CODE, LINK_CODE_RULE);
  return input;
}
