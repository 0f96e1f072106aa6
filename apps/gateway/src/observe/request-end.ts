/** How one request through the gateway ended: the labels metrics count it by. */
export interface RequestEnd {
  /** The tenant's slug; `-` when the request was refused before one was known. */
  tenant: string;
  /** The tenant's pool; `-` when none was known. */
  pool: string;
  /** A route group from a fixed list (`routeGroup`), never the raw path: a path scan must not create series. */
  route: string;
  /** The status written, or 499 when the client went away first (as nginx counts it). */
  status: number;
}

/**
 * Sees the end of every request on the proxy path, once, with how long it took. The one place
 * for request metrics (a prom-client counter and histogram fit here as they are: `observe`
 * has the shape of @mysaas/observability's HttpMetrics) and access logs. It runs on every
 * request, so it must stay cheap: no allocation beyond the labels, no I/O.
 */
export interface RequestEndObserver {
  observe(end: RequestEnd, seconds: number): void;
}

/** Nest token of the RequestEndObserver; GatewayModule provides one that does nothing. */
export const REQUEST_END_OBSERVER = Symbol('REQUEST_END_OBSERVER');

export const IGNORE_REQUEST_ENDS: RequestEndObserver = { observe: () => undefined };

/** The app server's route groups; anything else is `other`. */
const GROUPS = ['/api', '/auth', '/l', '/login', '/logout', '/links'];

/** The route label of a normalised path: `/`, one of the groups (case ignored, as the app servers route), or `other`. */
export function routeGroup(path: string): string {
  if (path === '/') return '/';
  const lower = path.toLowerCase();
  for (const group of GROUPS) if (lower === group || lower.startsWith(`${group}/`)) return group;
  return 'other';
}
