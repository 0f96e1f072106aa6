import type { PoolStatus, TenantSlug, TenantStatus, UpstreamOrigin } from '@mysaas/tenancy';

/** What the gateway knows of a tenant: enough to route it, nothing that opens its data. */
export interface TenantRoute {
  id: string;
  slug: TenantSlug;
  name: string;
  status: TenantStatus;
  pool: string;
  poolStatus: PoolStatus;
  /** Parsed with the control plane's rule: scheme, host and port only. */
  upstreams: UpstreamOrigin[];
  /** The tenant's own cap on requests in flight; null: the gateway's default. */
  maxConcurrentRequests: number | null;
  /** A move's cutover holds the tenant's requests: they wait until the move switches its pool. */
  held: boolean;
}
