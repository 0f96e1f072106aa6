import type { Pool } from 'pg';
import { tenantRoleName, tenantSchemaName, type TenantSlug } from '@mysaas/tenancy';
import { applyMigrations, UnknownMigrationsError, type Migration } from './migrations/migration';
import { TENANT_MIGRATIONS_TABLE } from './provisioning';
import { ident, inTransaction, literal } from './sql';

/** What happened to one tenant schema in a fleet migration. */
export type SchemaOutcome =
  | { slug: string; status: 'migrated'; ran: string[]; ms: number }
  | { slug: string; status: 'current' }
  | { slug: string; status: 'failed'; reason: string };

export interface FleetMigrationReport {
  total: number;
  migrated: Array<{ slug: string; ran: string[]; ms: number }>;
  current: string[];
  failed: Array<{ slug: string; reason: string }>;
  /** Schemas not reached because the run was stopped (Ctrl-C): the next run does them. */
  notReached: string[];
}

export interface FleetMigrationEvents {
  /** Once, after the one query that finds which schemas are behind. */
  planned?(plan: { total: number; current: number; pending: number }): void;
  /** As each pending schema ends (migrated or failed). */
  schema?(outcome: SchemaOutcome): void;
}

export interface FleetMigrationOptions {
  /** An admin connection pool to the pool's database server (it runs DDL as each tenant's role). */
  db: Pool;
  /** The tenants on the pool. */
  tenants: readonly TenantSlug[];
  /** The pool release's tenant migrations, in apply order. */
  migrations: readonly Migration[];
  /** Schemas migrated at once (each in its own transaction on its own connection). */
  concurrency: number;
  /** How long a schema's migration waits for a table lock held by the tenant's traffic before it fails (and is reported). */
  lockTimeoutMs?: number;
  /** Stops starting schemas (the running ones end); the report lists what it did not reach. */
  signal?: AbortSignal;
  /** Schemas read per planning statement (default PLAN_BATCH). */
  planBatch?: number;
  on?: FleetMigrationEvents;
}

/**
 * Brings every tenant schema of a pool to the pool release's migrations. One query per 500
 * schemas finds the ones that are behind (not one per schema); each of those then migrates in a transaction
 * of its own, as its tenant's role, under an advisory lock on the schema, `concurrency` at a
 * time. A schema that fails rolls back alone and the others go on; a run that stops (a crash,
 * Ctrl-C, `signal`) leaves each schema either migrated or untouched, so running it again
 * picks up where it stopped and migrates nothing twice. While its schema migrates, a tenant's
 * requests wait for its table locks (briefly); every other tenant is served as usual.
 */
export async function migrateFleet(options: FleetMigrationOptions): Promise<FleetMigrationReport> {
  const { db, migrations } = options;
  const known = new Set(migrations.map((m) => m.id));
  const applied = await appliedMigrations(db, options.tenants, options.planBatch ?? PLAN_BATCH);
  const pending: TenantSlug[] = [];
  const report: FleetMigrationReport = { total: options.tenants.length, migrated: [], current: [], failed: [], notReached: [] };
  for (const slug of options.tenants) {
    const ran = applied.get(slug);
    if (ran === undefined) {
      report.failed.push({ slug, reason: `schema ${tenantSchemaName(slug)} has no ${TENANT_MIGRATIONS_TABLE} table (not provisioned on this pool?)` });
      continue;
    }
    const unknown = ran.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      report.failed.push({ slug, reason: new UnknownMigrationsError(`schema ${tenantSchemaName(slug)}`, unknown).message });
    } else if (migrations.some((m) => !ran.includes(m.id))) {
      pending.push(slug);
    } else {
      report.current.push(slug);
    }
  }
  options.on?.planned?.({ total: report.total, current: report.current.length, pending: pending.length });
  for (const failed of report.failed) options.on?.schema?.({ ...failed, status: 'failed' });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length && !options.signal?.aborted) {
      const slug = pending[next++]!;
      const outcome = await migrateSchema(db, slug, migrations, options.lockTimeoutMs ?? 5_000);
      if (outcome.status === 'migrated') report.migrated.push({ slug, ran: outcome.ran, ms: outcome.ms });
      else if (outcome.status === 'current') report.current.push(slug);
      else report.failed.push({ slug, reason: outcome.reason });
      options.on?.schema?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, worker));
  report.notReached = pending.slice(next);
  return report;
}

/**
 * Schemas read per planning statement. One statement reads a whole batch (not one per schema),
 * but each schema it reads holds its locks until the statement ends: a few hundred at a time
 * keep a pool of thousands within a stock server's lock table (max_locks_per_transaction 64 ×
 * max_connections 100).
 */
const PLAN_BATCH = 500;

/** Each schema's applied migration ids, one statement per PLAN_BATCH schemas; a schema without its table is absent. */
async function appliedMigrations(db: Pool, tenants: readonly TenantSlug[], batch: number): Promise<Map<TenantSlug, string[]>> {
  const result = new Map<TenantSlug, string[]>();
  if (tenants.length === 0) return result;
  const bySchema = new Map(tenants.map((slug) => [tenantSchemaName(slug), slug]));
  const { rows: existing } = await db.query<{ schema: string }>(
    `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = $1 AND table_schema = ANY($2)`,
    [TENANT_MIGRATIONS_TABLE, [...bySchema.keys()]],
  );
  for (let from = 0; from < existing.length; from += batch) {
    const union = existing
      .slice(from, from + batch)
      .map(({ schema }) => `SELECT ${literal(schema)} AS schema, coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM ${ident(schema)}.${ident(TENANT_MIGRATIONS_TABLE)}`)
      .join('\nUNION ALL\n');
    const { rows } = await db.query<{ schema: string; ids: string[] }>(union);
    for (const row of rows) result.set(bySchema.get(row.schema)!, row.ids);
  }
  return result;
}

async function migrateSchema(db: Pool, slug: TenantSlug, migrations: readonly Migration[], lockTimeoutMs: number): Promise<SchemaOutcome> {
  const schema = tenantSchemaName(slug);
  const started = performance.now();
  try {
    const ran = await inTransaction(db, async (client) => {
      // Two runs at once (two operators, a resumed run beside a stuck one) take turns per schema.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mysaas:migrate:${schema}`]);
      await client.query(`SET LOCAL lock_timeout = ${Number(lockTimeoutMs)}`);
      await client.query(`SET LOCAL ROLE ${ident(tenantRoleName(slug))}`);
      await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
      // Read again under the lock: what another run did meanwhile is not done twice.
      return applyMigrations(client, migrations, { table: TENANT_MIGRATIONS_TABLE, where: `schema ${schema}` });
    });
    return ran.length === 0 ? { slug, status: 'current' } : { slug, status: 'migrated', ran, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { slug, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}
