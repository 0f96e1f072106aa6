import { LinkException, LinkExceptionCode } from './links.exception';

/** links.url is varchar(2048). */
export const MAX_URL_LENGTH = 2048;

/**
 * A redirect target must be an absolute http(s) URL: anything else (javascript:, data:,
 * relative paths) would turn the tenant's short links into an XSS or open-redirect vector.
 */
export function parseLinkTarget(input: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new LinkException(LinkExceptionCode.INVALID_URL, 'url must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LinkException(
      LinkExceptionCode.INVALID_URL,
      `url must use http or https, not ${url.protocol.replace(/:$/, '')}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new LinkException(LinkExceptionCode.INVALID_URL, 'url must not contain a user name or password');
  }
  if (url.href.length > MAX_URL_LENGTH) {
    throw new LinkException(LinkExceptionCode.INVALID_URL, `url must be at most ${MAX_URL_LENGTH} characters`);
  }
  return url.href;
}

/** Whether a stored URL may be rendered as a link: rows written around the service are not trusted. */
export function isLinkTarget(input: string): boolean {
  try {
    parseLinkTarget(input);
    return true;
  } catch {
    return false;
  }
}
