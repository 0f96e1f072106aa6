/**
 * Routes the gateway will not forward without a session issued for the request's tenant:
 * each path here and everything below it. Everything else is forwarded with or without one;
 * the app server decides what it needs. `path` is the edge's normalised path; the match
 * ignores case because the app servers' router does.
 */
const PROTECTED = ['/api', '/auth/logout'];

export function requiresSession(path: string): boolean {
  const lower = path.toLowerCase();
  return PROTECTED.some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
}
