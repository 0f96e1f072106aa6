import { Counter } from 'prom-client';
import type { GatewayConfig } from '@mysaas/config';
import { appObservability, logRequest, matchedRoute, type AppObservability } from '@mysaas/nest-http';
import { routingCacheMetric, type DestinationStream } from '@mysaas/observability';
import type { HeldRequestObserver, RequestEndObserver, RoutingLookupObserver } from './request-end';
import { upstreamHealthMetrics } from './upstream-health-metrics';
import type { UpstreamHealthObserver } from './upstream-health-observer';

export interface GatewayObservability extends AppObservability {
  /** Counts, times and logs each request on the proxy path (TenantProxy). */
  requestEnds: RequestEndObserver;
  /** Counts routing lookups by how the cache answered them. */
  routingLookups: RoutingLookupObserver;
  /** Counts requests a tenant move held, by tenant and how their wait ended. */
  heldRequests: HeldRequestObserver;
  /** Counts ejections, reports each pool member's state and logs its ejections and returns. */
  upstreamHealth: UpstreamHealthObserver;
}

/**
 * The gateway's logger and metrics. Tenant requests never reach Express (ADR 13): TenantProxy
 * reports each one's end here, labelled by tenant, pool and route group, with one access line.
 * The health probes, which Nest serves, are observed like any app's routes.
 */
export function gatewayObservability(config: GatewayConfig, destination?: DestinationStream): GatewayObservability {
  const observability = appObservability({
    app: 'gateway',
    log: config.log,
    destination,
    labels: (req) => ({ tenant: '-', pool: '-', route: matchedRoute(req) }),
    requestId: (req) => (req as { requestId?: string }).requestId,
  });
  const { logger, observe } = observability;
  const lookups = routingCacheMetric(observability.registry);
  const held = new Counter({
    name: 'mysaas_gateway_held_requests_total',
    help: "Requests that waited while a tenant move's cutover held their tenant, by how the wait ended (released: on to the new pool; timed_out: 503 TENANT_MOVING; client_gone; turned_away: 503 at once, the tenant holding its whole share already)",
    labelNames: ['tenant', 'outcome'],
    registers: [observability.registry],
  });
  return {
    ...observability,
    requestEnds: {
      observe: (end, seconds) => {
        observe.metrics.observe({ tenant: end.tenant, pool: end.pool, route: end.route, status: end.status }, seconds);
        logRequest(logger, end, seconds);
      },
    },
    routingLookups: { observe: (result) => lookups.inc({ result }) },
    heldRequests: { observe: (tenant, outcome) => held.inc({ tenant, outcome }) },
    upstreamHealth: upstreamHealthMetrics(observability.registry, logger),
  };
}
