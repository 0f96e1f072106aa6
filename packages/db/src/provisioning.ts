import type { Pool } from 'pg';
import { tenantRoleName, tenantSchemaName, type TenantSlug } from '@mysaas/tenancy';
import { applyMigrations, type Migration } from './migrations/migration';
import { hardenPoolDatabase } from './pool-hardening';
import { ident, inTransaction, literal, pgErrorCode, PgErrorCode, type Queryable } from './sql';

export const TENANT_MIGRATIONS_TABLE = 'schema_migrations';

export type ProvisioningFailure = 'role-exists' | 'schema-exists' | 'app-role-missing';

export class TenantProvisioningError extends Error {
  constructor(readonly failure: ProvisioningFailure, message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'TenantProvisioningError';
  }
}

export interface ProvisionTenantInput {
  slug: TenantSlug;
  /** The pool's app-server login role, which must be able to SET ROLE to the tenant. */
  appRole: string;
  /** The tenant schema at the pool's release, in apply order (tenantMigrations(registry, release)). */
  migrations: readonly Migration[];
  /** First data (the first user), written as the tenant after the migrations, in the same transaction. */
  seed?: (tenant: Queryable) => Promise<void>;
  /** The tenant's statement_timeout; absent: the app servers' default. */
  statementTimeoutMs?: number | null;
}

export interface ProvisionedTenant {
  schema: string;
  role: string;
  migrations: string[];
}

/**
 * Creates a tenant on a pool database server: a NOLOGIN role, a schema it owns, the tenant
 * migrations (run as that role, so it owns every table) and the seed. Everything runs in one
 * transaction (Postgres DDL and CREATE ROLE are transactional), so a failure at any step
 * leaves no schema, role or grant behind.
 */
export async function provisionTenantSchema(pool: Pool, input: ProvisionTenantInput): Promise<ProvisionedTenant> {
  const schema = tenantSchemaName(input.slug);
  const role = tenantRoleName(input.slug);
  return inTransaction(pool, async (client) => {
    // Every provisioning re-asserts it, so a pool server set up by hand is hardened too.
    await hardenPoolDatabase(client);
    await step(() => client.query(`CREATE ROLE ${ident(role)} NOLOGIN NOINHERIT`), {
      [PgErrorCode.DuplicateObject]: () =>
        new TenantProvisioningError('role-exists', `role ${role} already exists on the pool server`),
    });
    await step(() => client.query(`GRANT ${ident(role)} TO ${ident(input.appRole)}`), {
      [PgErrorCode.UndefinedObject]: () =>
        new TenantProvisioningError('app-role-missing', `the pool's app role ${input.appRole} does not exist`),
    });
    await step(() => client.query(`CREATE SCHEMA ${ident(schema)} AUTHORIZATION ${ident(role)}`), {
      [PgErrorCode.DuplicateSchema]: () =>
        new TenantProvisioningError('schema-exists', `schema ${schema} already exists on the pool server`),
    });
    await setTenantStatementTimeout(client, input.slug, input.statementTimeoutMs ?? null);
    await client.query(`SET LOCAL ROLE ${ident(role)}`);
    await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
    const ran = await applyMigrations(client, input.migrations, {
      table: TENANT_MIGRATIONS_TABLE,
      where: `schema ${schema}`,
    });
    await input.seed?.(client);
    await client.query('RESET ROLE');
    return { schema, role, migrations: ran };
  });
}

/**
 * Sets (or, with null, removes) the statement_timeout stored on the tenant's role. SET ROLE
 * does not apply a role's settings, so tenant transactions read it from there themselves.
 */
export async function setTenantStatementTimeout(db: Queryable, slug: TenantSlug, timeoutMs: number | null): Promise<void> {
  const role = ident(tenantRoleName(slug));
  if (timeoutMs === null) {
    await db.query(`ALTER ROLE ${role} RESET statement_timeout`);
    return;
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error(`a statement timeout must be a whole number of milliseconds, not ${timeoutMs}`);
  await db.query(`ALTER ROLE ${role} SET statement_timeout = ${literal(`${timeoutMs}ms`)}`);
}

/** Drops a tenant's schema (with every table in it) and its role. Idempotent. */
export async function dropTenantSchema(pool: Pool, slug: TenantSlug): Promise<void> {
  const schema = tenantSchemaName(slug);
  const role = tenantRoleName(slug);
  await inTransaction(pool, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (rows.length > 0) {
      await client.query(`DROP OWNED BY ${ident(role)}`);
      await client.query(`DROP ROLE ${ident(role)}`);
    }
  });
}

export async function tenantSchemaExists(pool: Pool, slug: TenantSlug): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tenantSchemaName(slug)]);
  return rows.length > 0;
}

export async function tenantRoleExists(pool: Pool, slug: TenantSlug): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [tenantRoleName(slug)]);
  return rows.length > 0;
}

async function step<T>(run: () => Promise<T>, known: Record<string, () => Error>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const code = pgErrorCode(error);
    const make = code === undefined ? undefined : known[code];
    if (make) {
      const mapped = make();
      mapped.cause = error;
      throw mapped;
    }
    throw error;
  }
}
