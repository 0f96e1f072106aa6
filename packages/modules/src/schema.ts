import { tenantMigrations, type Migration, type TenantSchemaPart } from '@mysaas/db';
import { BUSINESS_MODULES } from './registry';

/**
 * The tenant schema: the tables of every business module in the registry, in its order. This
 * file (`@mysaas/modules/schema`) loads entities and migrations only, no controllers, so the
 * control plane, the CLI and the mover can use it too.
 */
export const TENANT_SCHEMA: readonly TenantSchemaPart[] = BUSINESS_MODULES.flatMap((entry) => (entry.schema ? [entry.schema] : []));

/** The newest release any module's migrations belong to: the one the entities describe. */
export const LATEST_TENANT_RELEASE = Math.max(1, ...TENANT_SCHEMA.flatMap((part) => part.migrations.map((m) => m.release)));

/** What a tenant schema at `release` has run, in apply order. */
export function tenantMigrationsFor(release: number): Migration[] {
  return tenantMigrations(TENANT_SCHEMA, release);
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function tenantSchemaEntities(): Function[] {
  return TENANT_SCHEMA.flatMap((part) => [...part.entities]);
}

export { firstUserSeed } from './auth/auth.schema';
