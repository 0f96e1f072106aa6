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
  /** Not labels (every request has its own): for the access line. */
  requestId: string;
  method: string;
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

/** Nest token of the RequestEndObserver (GatewayModule provides the gateway's observability). */
export const REQUEST_END_OBSERVER = Symbol('REQUEST_END_OBSERVER');

/** How a routing lookup was answered: from the cache, from the database, or by joining a lookup under way. */
export type RoutingLookup = 'hit' | 'miss' | 'shared';

export interface RoutingLookupObserver {
  observe(result: RoutingLookup): void;
}

/** Nest token of the RoutingLookupObserver. */
export const ROUTING_LOOKUP_OBSERVER = Symbol('ROUTING_LOOKUP_OBSERVER');

export const IGNORE_ROUTING_LOOKUPS: RoutingLookupObserver = { observe: () => undefined };

/** The app server's route groups; anything else is `other`. */
const GROUPS = ['/api', '/auth', '/l', '/login', '/logout', '/links'];

/** The route label of a normalised path: `/`, one of the groups (case ignored, as the app servers route), or `other`. */
export function routeGroup(path: string): string {
  if (path === '/') return '/';
  const lower = path.toLowerCase();
  for (const group of GROUPS) if (lower === group || lower.startsWith(`${group}/`)) return group;
  return 'other';
}

/**
 * How a request held by a tenant move ended: let through once the hold ended (released),
 * refused past GATEWAY_MOVE_HOLD_MS (timed_out), its client went away first (client_gone), or
 * refused at once because the tenant already had its share of requests held (turned_away).
 */
export type HeldRequestOutcome = 'released' | 'timed_out' | 'client_gone' | 'turned_away';

export interface HeldRequestObserver {
  observe(tenant: string, outcome: HeldRequestOutcome): void;
}

/** Nest token of the HeldRequestObserver. */
export const HELD_REQUEST_OBSERVER = Symbol('HELD_REQUEST_OBSERVER');

export const IGNORE_HELD_REQUESTS: HeldRequestObserver = { observe: () => undefined };
