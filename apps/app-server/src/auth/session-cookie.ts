import type { Request, Response } from 'express';
import { SESSION_COOKIE } from '@mysaas/auth';

/**
 * HttpOnly so scripts cannot read it, SameSite=Lax against cross-site posts, host-only (no
 * Domain) so the browser never offers acme's cookie to globex, Secure behind https.
 */
export function setSessionCookie(req: Request, res: Response, token: string, expiresAt: Date): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(req),
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: isHttps(req), path: '/' });
}

function isHttps(req: Request): boolean {
  return req.header('x-forwarded-proto') === 'https';
}
