import { tenantMigrations, type TenantSchemaPart } from './tenant-schema';

const part = (module: string, ...ids: Array<[string, number]>): TenantSchemaPart => ({
  module,
  entities: [],
  migrations: ids.map(([id, release]) => ({ id, release, sql: `-- ${id}` })),
});

describe('tenantMigrations', () => {
  it("lists the registry's migrations in order, up to the release", () => {
    const parts = [part('auth', ['0001_auth', 1]), part('links', ['0002_links', 1], ['0003_link_tags', 2])];
    expect(tenantMigrations(parts, 1).map((m) => m.id)).toEqual(['0001_auth', '0002_links']);
    expect(tenantMigrations(parts, 2).map((m) => m.id)).toEqual(['0001_auth', '0002_links', '0003_link_tags']);
  });

  it('refuses ids that repeat or go backwards across modules', () => {
    expect(() => tenantMigrations([part('a', ['0002_a', 1]), part('b', ['0001_b', 1])], 1)).toThrow('must rise in registry order');
    expect(() => tenantMigrations([part('a', ['0001_x', 1]), part('b', ['0001_x', 1])], 1)).toThrow('must rise in registry order');
  });
});
