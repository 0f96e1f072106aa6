import type { Request } from 'express';
import type { AppServerConfig } from '@mysaas/config';
import { appObservability, matchedRoute, type AppObservability } from '@mysaas/nest-http';
import { connectionWaitMetric, type DestinationStream } from '@mysaas/observability';
import { findTenantScope } from '@mysaas/tenant-runtime';
import { TENANT_SCOPE_KEY, type RequestWithTenant } from './tenancy';

export interface AppServerObservability extends AppObservability {
  /** Told how long each tenant transaction waited for its connection. */
  onConnectionWait(tenant: { slug: string }, seconds: number): void;
}

/**
 * Every log line carries the pool and release, and inside a tenant scope the tenant and the
 * request id; every request is counted by tenant, pool and route; tenant transactions report
 * how long they waited for a connection.
 */
export function appServerObservability(config: AppServerConfig, destination?: DestinationStream): AppServerObservability {
  const scopeOf = (req: Request) => (req as RequestWithTenant)[TENANT_SCOPE_KEY];
  const observability = appObservability({
    app: 'app-server',
    log: config.log,
    base: { pool: config.pool.name, release: config.pool.release },
    context: () => {
      const scope = findTenantScope();
      return scope && { tenant: scope.tenant.slug, requestId: scope.traceId };
    },
    destination,
    labels: (req) => ({ tenant: scopeOf(req)?.tenant.slug ?? '-', pool: config.pool.name, route: matchedRoute(req) }),
    requestId: (req) => scopeOf(req)?.traceId,
  });
  const connectionWait = connectionWaitMetric(observability.registry);
  return {
    ...observability,
    onConnectionWait: (tenant, seconds) => connectionWait.observe({ tenant: tenant.slug, pool: config.pool.name }, seconds),
  };
}
