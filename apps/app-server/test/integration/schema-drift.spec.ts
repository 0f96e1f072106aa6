import { DataSource, getMetadataArgsStorage } from 'typeorm';
import { tenantSchemaEntities } from '@mysaas/modules/schema';
import { createTenant, createTestPlatform, type TestPlatform } from '@mysaas/testing';
import { AppModule } from '../../src/app.module';

/**
 * Each module's SQL migrations build its tables; its TypeORM entities read them. This fails
 * when the two disagree (an entity changed without a migration), and when a module's entity
 * is not in the tenant schema registry at all. No list of entities is kept here: they are
 * found where TypeORM records them.
 */
describe('tenant schema drift', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await createTestPlatform();
  });

  afterAll(async () => {
    await platform?.cleanup();
  });

  it('registers every entity the app loads in the tenant schema', () => {
    expect(AppModule).toBeDefined(); // loading the app loads every module, and with them every @Entity
    const decorated = getMetadataArgsStorage().tables.map((table) => table.target).filter((target) => typeof target === 'function');
    const registered = new Set(tenantSchemaEntities());
    const missing = decorated.filter((entity) => !registered.has(entity)).map((entity) => (entity as { name: string }).name);
    expect(missing).toEqual([]);
    expect(decorated.length).toBeGreaterThan(0);
  });

  it('TypeORM would generate no migration for a freshly provisioned tenant schema', async () => {
    const tenant = await createTenant(platform);
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
