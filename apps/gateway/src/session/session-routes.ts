/**
 * Routes the gateway will not forward without a session issued for the request's tenant:
 * each path here and everything below it. Everything else is forwarded with or without one;
 * the app server decides what it needs.
 */
const PROTECTED = ['/api', '/auth/logout'];

export function requiresSession(path: string): boolean {
  return PROTECTED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
