import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { TenantMovingError, type TenantDatabase } from '@mysaas/db';
import { createTenant, createTestPlatform, singleConnectionTenantDatabase, type TestPlatform, type TestTenant } from '@mysaas/testing';

/**
 * Isolation is Postgres's job, not the app's: inside a tenant transaction the session runs
 * as the tenant's role, which has no rights on any other tenant's schema.
 */
describe('tenant isolation at the database', () => {
  let platform: TestPlatform;
  let acme: TestTenant;
  let globex: TestTenant;
  let dataSource: DataSource;
  let tenantDb: TenantDatabase;
  const inTenantTransaction = <T>(tenant: TestTenant, work: (m: EntityManager) => Promise<T>) => tenantDb.run(tenant, work);

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform);
    globex = await createTenant(platform);
    // One connection, so every test reuses the connection the previous one returned.
    ({ dataSource, tenantDb } = await singleConnectionTenantDatabase(platform, { applicationName: 'isolation-test' }));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await platform?.cleanup();
  });

  it('reads its own tables through unqualified names', async () => {
    const rows = await inTenantTransaction(acme, (m) => m.query('SELECT email FROM users'));
    expect(rows).toEqual([{ email: acme.admin.email }]);
  });

  it("refuses a qualified SELECT from another tenant's schema with permission denied", async () => {
    await expect(
      inTenantTransaction(acme, (m) => m.query(`SELECT * FROM ${globex.schema}.users`)),
    ).rejects.toThrow(`permission denied for schema ${globex.schema}`);
  });

  it("refuses another tenant's schema after a search_path change that got past the statement guard", async () => {
    // The guard refuses SET search_path; a function a migration created is not checked by
    // it. Postgres still skips search_path schemas the role may not use, so the unqualified
    // name does not resolve at all, and a qualified name is refused outright.
    await platform.poolDb.pool.query(
      `CREATE FUNCTION ${acme.schema}.use_path(path text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('search_path', path, true); END $$;
       ALTER FUNCTION ${acme.schema}.use_path(text) OWNER TO ${acme.role}`,
    );
    await expect(
      inTenantTransaction(acme, async (m) => {
        await m.query('SELECT use_path($1)', [globex.schema]);
        return m.query('SELECT * FROM users');
      }),
    ).rejects.toThrow('relation "users" does not exist');
    await expect(
      inTenantTransaction(acme, async (m) => {
        await m.query('SELECT use_path($1)', [globex.schema]);
        return m.query(`SELECT * FROM ${globex.schema}.users`);
      }),
    ).rejects.toThrow(`permission denied for schema ${globex.schema}`);
  });

  it("refuses writes into another tenant's schema and leaves it unchanged", async () => {
    await expect(
      inTenantTransaction(acme, (m) =>
        m.query(`INSERT INTO ${globex.schema}.links (code, url) VALUES ('stolen', 'https://example.com')`),
      ),
    ).rejects.toThrow(`permission denied for schema ${globex.schema}`);
    const { rows } = await platform.poolDb.pool.query(`SELECT count(*)::int AS n FROM ${globex.schema}.links`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('leaves no role or search_path on the pooled connection after the transaction', async () => {
    await inTenantTransaction(acme, (m) => m.query('SELECT 1'));
    const [state] = await dataSource.query<Array<{ current_user: string; search_path: string }>>(
      "SELECT current_user, current_setting('search_path') AS search_path",
    );
    expect(state).toEqual({ current_user: platform.pool.appRole, search_path: '"$user", public' });
  });

  it('rolls the role back with the transaction when the work fails', async () => {
    await expect(
      inTenantTransaction(acme, async (m) => {
        await m.query(`INSERT INTO links (code, url) VALUES ('rolled-back', 'https://example.com')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [state] = await dataSource.query<Array<{ current_user: string }>>('SELECT current_user');
    expect(state?.current_user).toBe(platform.pool.appRole);
    const { rows } = await platform.poolDb.pool.query(`SELECT count(*)::int AS n FROM ${acme.schema}.links`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('gives the app role itself no access to any tenant schema without SET ROLE', async () => {
    const client = new Client({ connectionString: platform.poolAppUrl });
    await client.connect();
    try {
      await expect(client.query(`SELECT * FROM ${acme.schema}.users`)).rejects.toThrow(
        `permission denied for schema ${acme.schema}`,
      );
    } finally {
      await client.end();
    }
  });

  it("refuses a transaction with TenantMovingError once a move revoked the tenant's role from the pool's login, and returns the connection clean", async () => {
    const initech = await createTenant(platform);
    await platform.poolDb.pool.query(`REVOKE ${initech.role} FROM ${platform.pool.appRole}`);
    try {
      await expect(tenantDb.begin(initech)).rejects.toBeInstanceOf(TenantMovingError);
    } finally {
      await platform.poolDb.pool.query(`GRANT ${initech.role} TO ${platform.pool.appRole}`);
    }
    expect(tenantDb.connectionsHeldBy(initech.id)).toBe(0);
    const [state] = await dataSource.query<Array<{ current_user: string }>>('SELECT current_user');
    expect(state?.current_user).toBe(platform.pool.appRole);
    await expect(inTenantTransaction(initech, (m) => m.query('SELECT count(*)::int AS n FROM users'))).resolves.toEqual([{ n: 1 }]);
  });

  it('refuses a transaction for a tenant that has no role on this pool server', async () => {
    await expect(tenantDb.begin({ id: 'x', slug: 'nowhere' as TestTenant['slug'] })).rejects.toThrow('role "t_nowhere" does not exist');
    const [state] = await dataSource.query<Array<{ current_user: string }>>('SELECT current_user');
    expect(state?.current_user).toBe(platform.pool.appRole);
  });
});
