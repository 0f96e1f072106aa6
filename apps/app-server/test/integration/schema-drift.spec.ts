import { DataSource } from 'typeorm';
import { createTenant, createTestPlatform, type TestPlatform } from '@mysaas/testing';
import { AppModule } from '../../src/app.module';
import { tenantEntities } from '../../src/tenancy';

/**
 * The tenant schema is built by the SQL migrations in @mysaas/db, the code reads it through
 * TypeORM entities. This fails when the two disagree: an entity changed without a migration.
 */
describe('tenant schema drift', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await createTestPlatform();
  });

  afterAll(async () => {
    await platform?.cleanup();
  });

  it('TypeORM would generate no migration for a freshly provisioned tenant schema', async () => {
    expect(AppModule).toBeDefined(); // importing it registers every feature module's entities
    const entities = tenantEntities();
    expect(entities.map((e) => e.name).sort()).toEqual(['Link', 'Session', 'User']);
    const tenant = await createTenant(platform);
    const dataSource = await new DataSource({
      type: 'postgres',
      url: platform.poolDb.url,
      schema: tenant.schema,
      entities,
      uuidExtension: 'pgcrypto',
      installExtensions: false,
    }).initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      const statements = pending.upQueries.map((q) => q.query);
      expect(statements).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
