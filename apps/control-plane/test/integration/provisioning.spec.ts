import { hashPassword } from '@mysaas/auth';
import {
  dropTenantSchema,
  provisionTenantSchema,
  tenantRoleExists,
  tenantSchemaExists,
  UnknownMigrationsError,
  applyMigrations,
} from '@mysaas/db';
import { firstUserSeed, tenantMigrationsFor } from '@mysaas/modules/schema';
import { createTestPlatform, uniqueSlug, type TestPlatform } from '@mysaas/testing';

const TENANT_MIGRATIONS = tenantMigrationsFor(1);

/** Provisioning on the pool server is one transaction: all of it happens, or none of it. */
describe('tenant provisioning on a pool server', () => {
  let platform: TestPlatform;
  let passwordHash: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    passwordHash = await hashPassword('demo-password-1');
  });

  afterAll(async () => {
    await platform?.cleanup();
  });

  const provision = (slug: ReturnType<typeof uniqueSlug>, migrations = TENANT_MIGRATIONS) =>
    provisionTenantSchema(platform.poolDb.pool, {
      slug,
      appRole: platform.pool.appRole,
      migrations,
      seed: firstUserSeed({ email: 'admin@example.test', passwordHash }),
    });

  const grantedToApp = async (role: string) =>
    (
      await platform.poolDb.pool.query(
        `SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles a ON a.oid = m.member
          WHERE r.rolname = $1 AND a.rolname = $2`,
        [role, platform.pool.appRole],
      )
    ).rowCount;

  it('records the migrations it ran inside the tenant schema', async () => {
    const slug = uniqueSlug('prov');
    const result = await provision(slug);
    expect(result.migrations).toEqual(TENANT_MIGRATIONS.map((m) => m.id));
    const { rows } = await platform.poolDb.pool.query(`SELECT id, release FROM ${result.schema}.schema_migrations ORDER BY id`);
    expect(rows).toEqual(TENANT_MIGRATIONS.map((m) => ({ id: m.id, release: m.release })));
    expect(await grantedToApp(result.role)).toBe(1);
  });

  it('leaves no schema, role or grant behind when a migration fails midway', async () => {
    const slug = uniqueSlug('prov');
    const failing = [...TENANT_MIGRATIONS, { id: '9999_broken', release: 1, sql: 'CREATE TABLE broken (id uuid REFERENCES nowhere (id))' }];
    await expect(provision(slug, failing)).rejects.toThrow('relation "nowhere" does not exist');
    expect(await tenantSchemaExists(platform.poolDb.pool, slug)).toBe(false);
    expect(await tenantRoleExists(platform.poolDb.pool, slug)).toBe(false);
    expect(await grantedToApp(`t_${slug.replaceAll('-', '_')}`)).toBe(0);
  });

  it('leaves nothing behind when the first user cannot be inserted', async () => {
    const slug = uniqueSlug('prov');
    await expect(
      provisionTenantSchema(platform.poolDb.pool, {
        slug,
        appRole: platform.pool.appRole,
        migrations: TENANT_MIGRATIONS,
        seed: firstUserSeed({ email: 'x'.repeat(400), passwordHash }),
      }),
    ).rejects.toThrow('value too long');
    expect(await tenantSchemaExists(platform.poolDb.pool, slug)).toBe(false);
    expect(await tenantRoleExists(platform.poolDb.pool, slug)).toBe(false);
  });

  it('drops a tenant schema and role idempotently', async () => {
    const slug = uniqueSlug('prov');
    await provision(slug);
    await dropTenantSchema(platform.poolDb.pool, slug);
    await dropTenantSchema(platform.poolDb.pool, slug);
    expect(await tenantSchemaExists(platform.poolDb.pool, slug)).toBe(false);
    expect(await tenantRoleExists(platform.poolDb.pool, slug)).toBe(false);
  });

  it('refuses to migrate a schema that a newer release has migrated', async () => {
    const slug = uniqueSlug('prov');
    const { schema } = await provision(slug);
    await platform.poolDb.pool.query(`INSERT INTO ${schema}.schema_migrations (id, release) VALUES ('0099_future', 9)`);
    const client = await platform.poolDb.pool.connect();
    try {
      await client.query(`SET search_path TO ${schema}`);
      await expect(
        applyMigrations(client, TENANT_MIGRATIONS, { table: 'schema_migrations', where: `schema ${schema}` }),
      ).rejects.toThrow(UnknownMigrationsError);
    } finally {
      await client.query('RESET search_path');
      client.release();
    }
  });
});
