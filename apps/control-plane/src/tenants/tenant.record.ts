import type { TenantSlug } from '@mysaas/tenancy';

export type TenantStatus = 'provisioning' | 'active' | 'suspended';
export const TENANT_STATUSES: readonly TenantStatus[] = ['provisioning', 'active', 'suspended'];

export interface TenantRecord {
  id: string;
  slug: TenantSlug;
  name: string;
  status: TenantStatus;
  pool: string;
  schemaName: string;
  roleName: string;
  createdAt: Date;
  updatedAt: Date;
}

export function tenantView(tenant: TenantRecord) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    status: tenant.status,
    pool: tenant.pool,
    schema: tenant.schemaName,
    role: tenant.roleName,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}
