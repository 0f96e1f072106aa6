/**
 * The lifecycles the control plane records and every other part of the platform reacts to.
 * One definition, so the gateway, the control plane, the CLI and the database's CHECK
 * constraints can never disagree about what a status is called.
 */
export const TENANT_STATUSES = ['provisioning', 'active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const POOL_STATUSES = ['active', 'draining', 'retired'] as const;
export type PoolStatus = (typeof POOL_STATUSES)[number];

export function isTenantStatus(value: unknown): value is TenantStatus {
  return (TENANT_STATUSES as readonly unknown[]).includes(value);
}

export function isPoolStatus(value: unknown): value is PoolStatus {
  return (POOL_STATUSES as readonly unknown[]).includes(value);
}

/** A retired pool serves nothing; a draining one still serves its tenants but takes no new ones. */
export function poolServesRequests(status: PoolStatus): boolean {
  return status !== 'retired';
}

export function poolAcceptsTenants(status: PoolStatus): boolean {
  return status === 'active';
}

/**
 * Pool names appear in Postgres role names, metrics labels, URLs and environment
 * variables: a lowercase letter, then up to 30 lowercase letters, digits or hyphens.
 */
export const POOL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
export const POOL_NAME_RULE = 'must be a lowercase letter followed by up to 30 letters, digits or hyphens';

export function isPoolName(value: unknown): value is string {
  return typeof value === 'string' && POOL_NAME_PATTERN.test(value);
}
