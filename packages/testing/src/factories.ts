import { hashPassword } from '@mysaas/auth';
import { provisionTenantSchema, type Migration } from '@mysaas/db';
import { firstUserSeed, tenantMigrationsFor } from '@mysaas/modules/schema';
import { parseTenantSlug, tenantRoleName, tenantSchemaName, type TenantSlug, type TenantStatus } from '@mysaas/tenancy';
import { randomSuffix } from './test-database';
import type { TestPlatform } from './test-platform';

/** A valid slug no other test (or earlier run on the same server) will have used. */
export function uniqueSlug(prefix = 't'): TenantSlug {
  return parseTenantSlug(`${prefix}-${randomSuffix(3)}`);
}

export interface TestTenant {
  id: string;
  slug: TenantSlug;
  name: string;
  schema: string;
  role: string;
  admin: { email: string; password: string };
}

export interface CreateTenantOptions {
  slug?: TenantSlug;
  name?: string;
  status?: Exclude<TenantStatus, 'provisioning'>;
  password?: string;
  migrations?: readonly Migration[];
}

/**
 * Provisions a tenant straight into the test platform's databases (the control-plane API does
 * the same through its service; this factory skips HTTP for tests that are not about it).
 */
export async function createTenant(platform: TestPlatform, options: CreateTenantOptions = {}): Promise<TestTenant> {
  const slug = options.slug ?? uniqueSlug();
  const name = options.name ?? `Tenant ${slug}`;
  const admin = { email: `admin@${slug}.test`, password: options.password ?? 'correct-horse-battery' };
  const { rows } = await platform.control.pool.query<{ id: string }>(
    `INSERT INTO platform.tenants (slug, name, status, pool, schema_name, role_name)
     VALUES ($1, $2, 'provisioning', $3, $4, $5) RETURNING id`,
    [slug, name, platform.pool.name, tenantSchemaName(slug), tenantRoleName(slug)],
  );
  const id = rows[0]!.id;
  await provisionTenantSchema(platform.poolDb.pool, {
    slug,
    appRole: platform.pool.appRole,
    migrations: options.migrations ?? tenantMigrationsFor(platform.pool.release),
    seed: firstUserSeed({ email: admin.email, passwordHash: await hashPassword(admin.password) }),
  });
  await platform.control.pool.query('UPDATE platform.tenants SET status = $2 WHERE id = $1', [
    id,
    options.status ?? 'active',
  ]);
  return { id, slug, name, schema: tenantSchemaName(slug), role: tenantRoleName(slug), admin };
}
