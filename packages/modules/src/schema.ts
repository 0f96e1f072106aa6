import { tenantMigrations, type Migration, type TenantSchemaPart } from '@mysaas/db';
import { AUTH_SCHEMA } from './auth/auth.schema';
import { LINKS_SCHEMA } from './links/links.schema';

/**
 * The tenant schema: every business module's tables, in the order they are created (a module
 * may reference tables of the modules before it). Adding a module with tables adds one line
 * here. This file (`@mysaas/modules/schema`) loads entities and migrations only, no
 * controllers, so the control plane, the CLI and the mover can use it too.
 */
export const TENANT_SCHEMA: readonly TenantSchemaPart[] = [
  AUTH_SCHEMA,
  LINKS_SCHEMA,
];

/** What a tenant schema at `release` has run, in apply order. */
export function tenantMigrationsFor(release: number): Migration[] {
  return tenantMigrations(TENANT_SCHEMA, release);
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function tenantSchemaEntities(): Function[] {
  return TENANT_SCHEMA.flatMap((part) => [...part.entities]);
}

export { firstUserSeed } from './auth/auth.schema';
