import { randomInt } from 'node:crypto';
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

/** No look-alike letters or digits (l, I, O, 0, 1): codes are read and typed by people. */
const CODE_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const GENERATED_CODE_LENGTH = 7;
/** Draws of a free code before giving up, for a single link and for each row of an import. */
export const GENERATE_ATTEMPTS = 5;

/** A random code for a link that was given none (single links and imports alike). */
export function generateLinkCode(): string {
  let code = '';
  for (let i = 0; i < GENERATED_CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}
