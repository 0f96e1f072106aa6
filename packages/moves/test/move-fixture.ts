import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { ensureLoginRole, hardenPoolDatabase, ident, migratePlatform, migrationsForRelease, provisionTenantSchema, type Migration } from '@mysaas/db';
import { LOGICAL_SERVER_VARIABLE } from './global-setup';
import { createTestDatabase, randomSuffix, testServerUrl, withUrlParts, type TestDatabase } from '@mysaas/testing';
import { parseTenantSlug, tenantRoleName, tenantSchemaName, type TenantSlug } from '@mysaas/tenancy';

/** A small tenant schema: release 1 has two tables (one references the other); release 2 adds a column. */
export const MIGRATIONS: Migration[] = [
  {
    id: '0001_things',
    release: 1,
    sql: `CREATE TABLE things (id bigserial PRIMARY KEY, name text NOT NULL, at timestamptz NOT NULL DEFAULT now());
          CREATE TABLE notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), thing_id bigint NOT NULL REFERENCES things (id), body text)`,
  },
  { id: '0002_thing_tags', release: 2, sql: "ALTER TABLE things ADD COLUMN tags text[] NOT NULL DEFAULT '{}'" },
];
export const migrationsFor = (release: number) => migrationsForRelease(MIGRATIONS, release);

export interface FixturePool {
  name: string;
  release: number;
  adminUrl: string;
  appRole: string;
  appUrl: string;
  admin: Pool;
  app: Pool;
}

export interface MoveFixture {
  control: TestDatabase;
  pools: Record<string, FixturePool>;
  /** A tenant on `pool` with `rows` things (and a note on every tenth). */
  tenant(pool: string, rows?: number): Promise<{ slug: TenantSlug; id: string }>;
  /** Writes as the tenant on a pool, as an app server would (its login, SET ROLE). */
  write(pool: string, slug: TenantSlug, name: string): Promise<void>;
  names(pool: string, slug: TenantSlug): Promise<string[]>;
  /** Whether the pool's app login may become the tenant there (false: write-blocked or gone). */
  canServe(pool: string, slug: TenantSlug): Promise<boolean>;
  hasSchema(pool: string, slug: TenantSlug): Promise<boolean>;
  /** The tenant's routing: its pool, and whether a cutover holds it. */
  route(slug: string): Promise<{ pool: string; held: boolean }>;
  cleanup(): Promise<void>;
}

/**
 * A control database and pools `old` (release 1) and `new` (release 2), plus `draining` and
 * `retired` (release 2). `where` puts the pools: both on the test server, or `old` on an embedded server of
 * its own with wal_level=logical (a real second cluster) and `new` on the test server.
 */
export async function createMoveFixture(where: 'test-server' | 'logical-source'): Promise<MoveFixture> {
  const control = await createTestDatabase('mvctl');
  await migratePlatform(control.pool);
  const cleanups: Array<() => Promise<void>> = [];
  const databases: TestDatabase[] = [];
  const roles: Array<{ url: string; role: string }> = [];
  const pools: Record<string, FixturePool> = {};

  const makePool = async (name: string, release: number, status: string, serverUrl?: string) => {
    let adminUrl: string;
    if (serverUrl === undefined) {
      const db = await createTestDatabase(`mv${name.slice(0, 3)}`);
      databases.push(db);
      adminUrl = db.url;
    } else {
      adminUrl = serverUrl;
    }
    const admin = new Pool({ connectionString: adminUrl, max: 3 });
    admin.on('error', () => undefined);
    const appRole = `mt_mvapp_${randomSuffix()}`;
    const password = randomBytes(16).toString('hex');
    await ensureLoginRole(admin, appRole, password);
    await hardenPoolDatabase(admin);
    roles.push({ url: adminUrl, role: appRole });
    const appUrl = withUrlParts(adminUrl, { user: appRole, password });
    const app = new Pool({ connectionString: appUrl, max: 3 });
    app.on('error', () => undefined);
    await control.pool.query('INSERT INTO platform.pools (name, release, status, database_url, app_role) VALUES ($1, $2, $3, $4, $5)', [name, release, status, adminUrl, appRole]);
    pools[name] = { name, release, adminUrl, appRole, appUrl, admin, app };
  };

  if (where === 'logical-source') {
    const server = process.env[LOGICAL_SERVER_VARIABLE];
    if (server === undefined) throw new Error(`${LOGICAL_SERVER_VARIABLE} is not set: run the suite through this package's Jest config (test/global-setup.ts)`);
    const db = await createDatabaseOn(server, `mt_mvold_${randomSuffix()}`);
    cleanups.push(db.drop);
    await makePool('old', 1, 'active', db.url);
  } else {
    await makePool('old', 1, 'active');
  }
  await makePool('new', 2, 'active');
  await makePool('draining', 2, 'draining');
  await makePool('retired', 2, 'retired');

  const tenants: TenantSlug[] = [];
  return {
    control,
    pools,
    tenant: async (pool, rows = 100) => {
      const slug = parseTenantSlug(`mv${randomSuffix(3)}`);
      tenants.push(slug);
      const target = pools[pool]!;
      await provisionTenantSchema(target.admin, {
        slug,
        appRole: target.appRole,
        migrations: migrationsFor(target.release),
        seed: async (db) => {
          await db.query("INSERT INTO things (name) SELECT 'thing ' || i FROM generate_series(1, $1) i", [rows]);
          await db.query("INSERT INTO notes (thing_id, body) SELECT id, 'note of ' || name FROM things WHERE id % 10 = 0");
        },
      });
      const { rows: inserted } = await control.pool.query<{ id: string }>(
        "INSERT INTO platform.tenants (slug, name, status, pool, schema_name, role_name) VALUES ($1, $1, 'active', $2, $3, $4) RETURNING id",
        [slug, pool, tenantSchemaName(slug), tenantRoleName(slug)],
      );
      return { slug, id: inserted[0]!.id };
    },
    write: async (pool, slug, name) => {
      const client = await pools[pool]!.app.connect();
      try {
        await client.query(`BEGIN; SET LOCAL ROLE ${ident(tenantRoleName(slug))}`);
        await client.query(`INSERT INTO ${ident(tenantSchemaName(slug))}.things (name) VALUES ($1)`, [name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    names: async (pool, slug) => {
      const { rows } = await pools[pool]!.admin.query<{ name: string }>(`SELECT name FROM ${ident(tenantSchemaName(slug))}.things ORDER BY id`);
      return rows.map((r) => r.name);
    },
    canServe: async (pool, slug) => {
      const { rows } = await pools[pool]!.admin.query(
        `SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles a ON a.oid = m.member WHERE r.rolname = $1 AND a.rolname = $2`,
        [tenantRoleName(slug), pools[pool]!.appRole],
      );
      return rows.length > 0;
    },
    hasSchema: async (pool, slug) => (await pools[pool]!.admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tenantSchemaName(slug)])).rows.length > 0,
    route: async (slug) =>
      (await control.pool.query<{ pool: string; held: boolean }>('SELECT pool, held_since IS NOT NULL AS held FROM platform.tenants WHERE slug = $1', [slug])).rows[0]!,
    cleanup: async () => {
      // A test that failed mid-move leaves its subscription, which would keep the database from
      // being dropped (and its slot, which would keep WAL on the source server).
      for (const pool of Object.values(pools)) {
        const { rows: subscriptions } = await pool.admin.query<{ subname: string }>(
          "SELECT subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND subname LIKE 'mysaas_move_%'",
        );
        for (const { subname } of subscriptions) {
          await pool.admin.query(`ALTER SUBSCRIPTION ${ident(subname)} DISABLE`);
          await pool.admin.query(`ALTER SUBSCRIPTION ${ident(subname)} SET (slot_name = NONE)`);
          await pool.admin.query(`DROP SUBSCRIPTION ${ident(subname)}`);
        }
        await pool.admin.query(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database() AND slot_name LIKE 'mysaas_move_%' AND NOT active",
        );
      }
      for (const pool of Object.values(pools)) {
        await pool.app.end();
        for (const slug of tenants) await pool.admin.query(`DROP SCHEMA IF EXISTS ${ident(tenantSchemaName(slug))} CASCADE`).catch(() => undefined);
        await pool.admin.end();
      }
      await control.drop();
      for (const db of databases) await db.drop();
      const server = new Pool({ connectionString: testServerUrl(), max: 1 });
      try {
        for (const slug of tenants) await server.query(`DROP ROLE IF EXISTS ${ident(tenantRoleName(slug))}`).catch(() => undefined);
        for (const { role } of roles) await server.query(`DROP ROLE IF EXISTS ${ident(role)}`).catch(() => undefined);
      } finally {
        await server.end();
      }
      for (const cleanup of cleanups) await cleanup();
    },
  };
}

/** A database of its own on another server (the logical cluster); drop() removes it and the roles made there. */
async function createDatabaseOn(serverUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${ident(name)}`);
  } finally {
    await admin.end();
  }
  return {
    url: withUrlParts(serverUrl, { database: name }),
    drop: async () => {
      const dropper = new Pool({ connectionString: serverUrl, max: 1 });
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
