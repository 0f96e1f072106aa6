import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataSource, getMetadataArgsStorage } from 'typeorm';
import { BusinessModules } from '@mysaas/modules';
import { LATEST_TENANT_RELEASE, tenantMigrationsFor, tenantSchemaEntities } from '@mysaas/modules/schema';
import { createTenant, createTestPlatform, type TestPlatform } from '@mysaas/testing';

/**
 * Each module's SQL migrations build its tables; its TypeORM entities read them. This fails
 * when the two disagree (an entity changed without a migration), and when a module's entity
 * is not in the tenant schema registry at all. No list of entities is kept here: every
 * `*.entity.js` of the modules package is loaded, and so is every registered Nest module (the
 * registry loads them lazily), and the entities are found where TypeORM records them.
 */
describe('tenant schema drift', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await createTestPlatform();
  });

  afterAll(async () => {
    await platform?.cleanup();
  });

  it('registers every entity of the business modules in the tenant schema', async () => {
    await BusinessModules.load();
    const built = dirname(require.resolve('@mysaas/modules'));
    for (const file of entityFiles(built)) require(file); // eslint-disable-line @typescript-eslint/no-require-imports
    const decorated = getMetadataArgsStorage().tables.map((table) => table.target).filter((target) => typeof target === 'function');
    const registered = new Set(tenantSchemaEntities());
    const missing = decorated.filter((entity) => !registered.has(entity)).map((entity) => (entity as { name: string }).name);
    expect(missing).toEqual([]);
    expect(decorated.length).toBeGreaterThan(0);
  });

  it('TypeORM would generate no migration for a tenant schema freshly provisioned at the newest release', async () => {
    // The entities describe the newest release; older releases' code leaves its newer tables alone (expand/contract).
    const tenant = await createTenant(platform, { migrations: tenantMigrationsFor(LATEST_TENANT_RELEASE) });
    const dataSource = await new DataSource({
      type: 'postgres',
      url: platform.poolDb.url,
      schema: tenant.schema,
      entities: tenantSchemaEntities(),
      uuidExtension: 'pgcrypto',
      installExtensions: false,
    }).initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});

/** Every `*.entity.js` below `dir`. */
function entityFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.entity.js'))
    .map((file) => join(dir, file));
}
