import type { Pool } from 'pg';
import { applyMigrations } from './migrations/migration';
import { PLATFORM_MIGRATIONS } from './migrations/platform.migrations';
import { ident, inTransaction, literal, type Queryable } from './sql';

const PLATFORM_MIGRATION_LOCK = 'mysaas.platform.migrations';

/**
 * Brings the control-plane database's `platform` schema up to date. Safe to run from several
 * processes at once: an advisory lock serialises them and each run is one transaction.
 */
export async function migratePlatform(pool: Pool): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [PLATFORM_MIGRATION_LOCK]);
    await client.query('CREATE SCHEMA IF NOT EXISTS platform');
    return applyMigrations(client, PLATFORM_MIGRATIONS, {
      schema: 'platform',
      table: 'schema_migrations',
      where: 'the platform schema',
    });
  });
}

/** Lets the gateway's login role read routing data (the tenant_routes view) and nothing else. */
export async function grantRoutingAccess(db: Queryable, gatewayRole: string): Promise<void> {
  await db.query(`GRANT USAGE ON SCHEMA platform TO ${ident(gatewayRole)}`);
  await db.query(`GRANT SELECT ON platform.tenant_routes TO ${ident(gatewayRole)}`);
}

/**
 * Creates a login role, or resets its password when it exists. NOINHERIT: the role holds no
 * rights of the roles granted to it until it switches to one with SET ROLE, which is how a
 * pool's app servers reach exactly one tenant schema at a time.
 */
export async function ensureLoginRole(db: Queryable, name: string, password: string): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  const verb = rows.length > 0 ? 'ALTER' : 'CREATE';
  await db.query(`${verb} ROLE ${ident(name)} WITH LOGIN NOINHERIT PASSWORD ${literal(password)}`);
}
