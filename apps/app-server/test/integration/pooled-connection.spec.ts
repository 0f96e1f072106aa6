import type { DataSource, EntityManager } from 'typeorm';
import { setTenantStatementTimeout, TenantDatabase, TenantStatementRefusedError } from '@mysaas/db';
import { createTenant, createTestPlatform, singleConnectionTenantDatabase, type TestPlatform, type TestTenant } from '@mysaas/testing';

/**
 * Nothing tenant A does may outlive its transaction on a pooled connection. The pool has
 * one connection, so tenant B's transaction always runs on the connection A just used.
 * Two layers are tested: statements a module sends are checked before they reach Postgres
 * (the guard), and whatever gets past the guard (here: a function a migration created,
 * which runs any SQL it is given) is still confined by Postgres and undone on release.
 */
describe('a pooled connection after a tenant transaction', () => {
  let platform: TestPlatform;
  let acme: TestTenant;
  let globex: TestTenant;
  let dataSource: DataSource;
  let tenantDb: TenantDatabase;
  const DEFAULT_TIMEOUT_MS = 4_500; // not a whole number of seconds: Postgres shows it as 4500ms

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform);
    globex = await createTenant(platform);
    ({ dataSource, tenantDb } = await singleConnectionTenantDatabase(platform, {
      applicationName: 'pooled-connection-test',
      statementTimeoutMs: DEFAULT_TIMEOUT_MS,
    }));
    // What a careless migration might ship: a function that runs whatever SQL it is given.
    await platform.poolDb.pool.query(
      `CREATE FUNCTION ${acme.schema}.run_sql(sql text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE sql; END $$;
       ALTER FUNCTION ${acme.schema}.run_sql(text) OWNER TO ${acme.role}`,
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await platform?.cleanup();
  });

  const run = <T>(tenant: TestTenant, work: (m: EntityManager) => Promise<T>) => tenantDb.run(tenant, work);
  const backendPid = async () => (await run(globex, (m) => m.query('SELECT pg_backend_pid() AS pid')))[0].pid as number;

  /** What tenant B's next transaction finds on the shared connection. */
  async function globexSees() {
    const [state] = await run(globex, (m) =>
      m.query(`SELECT current_user AS "user", current_setting('search_path') AS "searchPath",
                      current_setting('statement_timeout') AS "statementTimeout",
                      current_setting('default_transaction_read_only') AS "readOnly",
                      current_setting('work_mem') AS "workMem",
                      (SELECT count(*)::int FROM pg_listening_channels()) AS listening,
                      (SELECT count(*)::int FROM pg_prepared_statements) AS prepared,
                      (SELECT count(*)::int FROM pg_cursors) AS cursors,
                      to_regclass('pg_temp.links') IS NOT NULL AS "tempLinks"`),
    );
    return state;
  }

  const clean = () => ({
    user: globex.role,
    searchPath: `${globex.schema}, pg_temp`,
    statementTimeout: `${DEFAULT_TIMEOUT_MS}ms`,
    readOnly: 'off',
    workMem: '4MB',
    listening: 0,
    prepared: 0,
    cursors: 0,
    tempLinks: false,
  });

  it("runs a tenant's statements under its role, its schema first and temporary objects last", async () => {
    expect(await globexSees()).toEqual(clean());
  });

  it("keeps TypeORM's nested transactions working: they become savepoints inside the tenant's", async () => {
    const codes = await run(acme, async (m) => {
      await m.query("INSERT INTO links (code, url) VALUES ('outer', 'https://example.com')");
      await m
        .transaction(async (inner) => {
          await inner.query("INSERT INTO links (code, url) VALUES ('inner', 'https://example.com')");
          throw new Error('undo the inner part only');
        })
        .catch(() => undefined);
      return (await m.query("SELECT code FROM links WHERE code IN ('outer', 'inner')")) as Array<{ code: string }>;
    });
    expect(codes).toEqual([{ code: 'outer' }]);
    await platform.poolDb.pool.query(`DELETE FROM ${acme.schema}.links WHERE code = 'outer'`);
  });

  describe('statements a module sends are refused before they reach Postgres', () => {
    it.each([
      ['CREATE TEMP TABLE links (code text)', 'CREATE changes definitions'],
      ['SET statement_timeout = 1', 'SET without LOCAL'],
      ['SET default_transaction_read_only = on', 'SET without LOCAL'],
      ['SET ROLE t_globex_x', 'SET without LOCAL'],
      ['SET LOCAL ROLE t_globex_x', 'role is set by the platform'],
      ['SET LOCAL statement_timeout = 0', 'statement_timeout is set by the platform'],
      ['RESET ROLE', 'RESET returns'],
      ["SELECT set_config('role', 't_globex_x', false)", 'set_config()'],
      ["DO $$ BEGIN EXECUTE 'SET ROLE t_globex_x'; END $$", 'DO runs code'],
      ['COMMIT', 'the platform begins and ends'],
      ['GRANT USAGE ON SCHEMA t_acme_x TO PUBLIC', 'GRANT changes'],
    ])('%s', async (sql, reason) => {
      const before = await backendPid();
      const attempt = run(acme, (m) => m.query(sql.replaceAll('t_globex_x', globex.role).replaceAll('t_acme_x', acme.schema)));
      await expect(attempt).rejects.toThrow(TenantStatementRefusedError);
      await expect(attempt).rejects.toThrow(reason);
      expect(await globexSees()).toEqual(clean());
      expect(await backendPid()).toBe(before); // the same connection, kept: it was never dirtied
    });
  });

  describe('what gets past the guard is confined by Postgres and reset on release', () => {
    const viaFunction = (sql: string) => run(acme, (m) => m.query('SELECT run_sql($1)', [sql]));

    it('refuses temporary tables: the tenant role may not create them', async () => {
      await expect(viaFunction('CREATE TEMP TABLE links (code text)')).rejects.toThrow('permission denied to create temporary tables');
      expect(await globexSees()).toEqual(clean());
    });

    it.each([
      ['SET default_transaction_read_only = on', 'readOnly'],
      ['SET work_mem = 1024', 'workMem'],
      ['SET statement_timeout = 50', 'statementTimeout'],
      ["SET search_path TO public", 'searchPath'],
      ['LISTEN tenant_a_channel', 'listening'],
      ['PREPARE leftover AS SELECT 1', 'prepared'],
    ])('undoes a session-level %s before the next tenant gets the connection', async (sql) => {
      await viaFunction(sql);
      expect(await globexSees()).toEqual(clean());
    });

    it('closes a cursor held past the commit', async () => {
      await run(acme, async (m) => {
        await m.query('SELECT run_sql($1)', ['DECLARE held CURSOR WITH HOLD FOR SELECT 1']);
      });
      expect(await globexSees()).toEqual(clean());
    });

    it('releases a session advisory lock taken in the transaction', async () => {
      await viaFunction('SELECT pg_advisory_lock(4242)');
      const { rows } = await platform.poolDb.pool.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242",
      );
      expect(rows[0]).toEqual({ n: 0 });
    });

    it("never commits work done after the role was switched to another tenant's", async () => {
      const before = await platform.poolDb.pool.query(`SELECT count(*)::int AS n FROM ${globex.schema}.links`);
      await expect(
        run(acme, async (m) => {
          await m.query('SELECT run_sql($1)', [`SET ROLE ${globex.role}`]);
          await m.query(`INSERT INTO ${globex.schema}.links (code, url) VALUES ('planted', 'https://evil.example')`);
        }),
      ).rejects.toThrow(`the tenant role changed to ${globex.role}, not committing`);
      const after = await platform.poolDb.pool.query(`SELECT count(*)::int AS n FROM ${globex.schema}.links`);
      expect(after.rows[0]).toEqual(before.rows[0]);
      expect(await globexSees()).toEqual(clean());
      const [acmeNow] = await run(acme, (m) => m.query('SELECT current_user AS "user"'));
      expect(acmeNow).toEqual({ user: acme.role });
    });
  });

  it("applies the tenant's own statement timeout, set on its role, and the default to the others", async () => {
    await setTenantStatementTimeout(platform.poolDb.pool, acme.slug, 150);
    // A new app server (no cached timeouts) reads the role's setting at once.
    const fresh = new TenantDatabase(dataSource, tenantDb.options);
    const timeoutOf = async (db: TenantDatabase, tenant: TestTenant) =>
      (await db.run(tenant, (m) => m.query("SELECT current_setting('statement_timeout') AS t")))[0].t as string;
    try {
      await expect(fresh.run(acme, (m) => m.query('SELECT pg_sleep(1)'))).rejects.toThrow('canceling statement due to statement timeout');
      expect(await timeoutOf(fresh, acme)).toBe('150ms'); // now from its cache
      expect(await timeoutOf(fresh, globex)).toBe(`${DEFAULT_TIMEOUT_MS}ms`);
    } finally {
      await setTenantStatementTimeout(platform.poolDb.pool, acme.slug, null);
    }
    expect(await timeoutOf(new TenantDatabase(dataSource, tenantDb.options), acme)).toBe(`${DEFAULT_TIMEOUT_MS}ms`);
  });

  it('gives neither the app login nor tenant roles the right to create temporary objects', async () => {
    const { rows } = await platform.poolDb.pool.query(
      `SELECT has_database_privilege($1, current_database(), 'TEMP') AS app,
              has_database_privilege($2, current_database(), 'TEMP') AS tenant`,
      [platform.pool.appRole, acme.role],
    );
    expect(rows[0]).toEqual({ app: false, tenant: false });
  });
});
