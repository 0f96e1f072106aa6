import type { TenantSlug, TenantStatus } from '@mysaas/tenancy';
import type { TenantView } from './dto/tenant.view';

export interface TenantLimits {
  /** Requests the gateway lets through for the tenant at once (per gateway instance). */
  maxConcurrentRequests: number | null;
  /** statement_timeout of the tenant's transactions, set on its role. */
  statementTimeoutMs: number | null;
}

export interface TenantRecord {
  id: string;
  slug: TenantSlug;
  name: string;
  status: TenantStatus;
  pool: string;
  schemaName: string;
  roleName: string;
  /** Overrides of the platform defaults; null means the default applies. */
  limits: TenantLimits;
  createdAt: Date;
  updatedAt: Date;
}

/** Typed as the documented schema, so a field added here and not there fails to compile. */
export function tenantView(tenant: TenantRecord): TenantView {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    status: tenant.status,
    pool: tenant.pool,
    schema: tenant.schemaName,
    role: tenant.roleName,
    limits: tenant.limits,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}
