import type { TenantSlug } from './slug';

/**
 * Postgres names of a tenant. Pure functions of the slug, so every part of the platform
 * (provisioning, app servers, moves) agrees without looking anything up. Hyphens become
 * underscores; slugs cannot contain underscores, so the mapping stays one-to-one.
 */
export function tenantSchemaName(slug: TenantSlug): string {
  return `t_${slug.replaceAll('-', '_')}`;
}

/** The NOLOGIN role that owns the tenant schema and nothing else. */
export function tenantRoleName(slug: TenantSlug): string {
  return tenantSchemaName(slug);
}
