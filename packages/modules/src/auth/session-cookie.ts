import type { Response } from 'express';
import { sessionCookieName } from '@mysaas/auth';
import { currentTenantScope } from '@mysaas/tenant-runtime';

/**
 * HttpOnly so scripts cannot read it, SameSite=Lax against cross-site posts, host-only (no
 * Domain) so the browser never offers acme's cookie to globex. Over https (as the gateway
 * vouches in the signed context, not as a header says) it is Secure and `__Host-` prefixed.
 */
export function setSessionCookie(res: Response, token: string, expiresAt: Date): void {
  const secure = isSecure();
  res.cookie(sessionCookieName(secure), token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(res: Response): void {
  const secure = isSecure();
  res.clearCookie(sessionCookieName(secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

function isSecure(): boolean {
  return currentTenantScope().secure;
}
