import { createHash, timingSafeEqual } from 'node:crypto';
import { AdminAuthException, AdminAuthExceptionCode } from './admin-auth.exception';

export type AdminTokenCheck = (presented: string) => boolean;

/**
 * Whether a presented token is the platform admin token: compared as SHA-256 digests in
 * constant time, so neither its content nor its length shows in the timing.
 */
export function adminTokenCheck(adminToken: string): AdminTokenCheck {
  const expected = digest(adminToken);
  return (presented) => timingSafeEqual(digest(presented), expected);
}

/**
 * Passes when the `Authorization` header carries the admin token as a bearer token, or, for
 * pages a browser opens (`basic`), as the password of HTTP Basic authentication (any user
 * name); throws the AdminAuthException to answer with otherwise.
 */
export function assertAdminToken(header: string | undefined, isAdminToken: AdminTokenCheck, options: { basic?: boolean } = {}): void {
  const bearer = header === undefined ? undefined : /^Bearer (.+)$/i.exec(header)?.[1];
  const presented = bearer ?? (options.basic && header !== undefined ? basicPassword(header) : undefined);
  if (!presented) {
    throw new AdminAuthException(
      AdminAuthExceptionCode.TOKEN_MISSING,
      options.basic
        ? 'send the platform admin token as the password when the browser asks (any user name), or as "Authorization: Bearer <token>"'
        : 'send the platform admin token as "Authorization: Bearer <token>" (the dev stack prints it at start)',
    );
  }
  if (!isAdminToken(presented)) {
    throw new AdminAuthException(AdminAuthExceptionCode.TOKEN_INVALID, 'the platform admin token is not valid');
  }
}

function basicPassword(header: string): string | undefined {
  const credentials = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (credentials === undefined) return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
