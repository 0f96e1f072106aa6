import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { ident, literal, type Queryable } from '@mysaas/db';

/** A table of a tenant schema and the columns a copy carries (generated ones excluded). */
export interface TenantTable {
  name: string;
  columns: string[];
}

/** Row count and an order-independent checksum of a table's rows, as text (a numeric sum). */
export interface TableChecksum {
  table: string;
  rows: number;
  sum: string;
}

/** The ordinary tables of `schema`, by name, with their copyable columns in column order. */
export async function tenantTables(db: Queryable, schema: string): Promise<TenantTable[]> {
  const { rows } = await db.query<{ table: string; columns: string[] }>(
    `SELECT c.relname AS table,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = $1 AND c.relkind = 'r'
      GROUP BY c.relname
      ORDER BY c.relname`,
    [schema],
  );
  return rows.map((r) => ({ name: r.table, columns: r.columns }));
}

export function qualified(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

function columnList(columns: readonly string[]): string {
  return columns.map(ident).join(', ');
}

/**
 * Streams one table's rows from `source` into the same table on `target` with COPY (text
 * format, which any two Postgres versions read alike). Both clients must be inside the
 * transactions the caller chose (a snapshot on the source, the whole copy on the target).
 * Returns the rows written.
 */
export async function copyTable(source: PoolClient, target: PoolClient, schema: string, table: TenantTable): Promise<number> {
  const name = qualified(schema, table.name);
  const columns = columnList(table.columns);
  const out = source.query(copyTo(`COPY ${name} (${columns}) TO STDOUT`));
  const into = target.query(copyFrom(`COPY ${name} (${columns}) FROM STDIN`));
  await pipeline(out, into);
  return into.rowCount ?? 0;
}

/**
 * Copies every table of `schema` from `source` to `target`, replacing what the target's
 * tables held: TRUNCATE, then COPY, with triggers and foreign-key checks off (the rows are a
 * consistent copy already, and tables need no order). Runs inside the target transaction the
 * caller opened, so a copy that fails leaves the target as it was.
 */
export async function copySchema(
  source: PoolClient,
  target: PoolClient,
  schema: string,
  tables: readonly TenantTable[],
  onTable?: (table: string, rows: number) => void,
): Promise<number> {
  await target.query('SET LOCAL session_replication_role = replica');
  if (tables.length > 0) await target.query(`TRUNCATE ${tables.map((t) => qualified(schema, t.name)).join(', ')}`);
  // As pg_dump does: load the rows, then build the indexes, instead of updating them per row
  // (about twice as fast for a table of a million links).
  const deferred = await deferrableIndexes(target, schema);
  for (const index of deferred) await target.query(index.drop);
  let total = 0;
  for (const table of tables) {
    const rows = await copyTable(source, target, schema, table);
    total += rows;
    onTable?.(table.name, rows);
  }
  for (const index of deferred) await target.query(index.create);
  await copySequences(source, target, schema);
  return total;
}

/** An index (or the unique constraint it backs) dropped before a bulk load and built after it. */
interface DeferredIndex {
  drop: string;
  create: string;
}

/**
 * The indexes of `schema` a load can do without and build afterwards: plain indexes, and
 * primary-key and unique constraints no foreign key leans on (those must stay). Constraints
 * first, so the plain indexes are dropped after and built after them, as pg_dump orders them.
 */
async function deferrableIndexes(db: Queryable, schema: string): Promise<DeferredIndex[]> {
  const { rows } = await db.query<{ kind: number; drop: string; create: string }>(
    `SELECT 0 AS kind,
            format('ALTER TABLE %I.%I DROP CONSTRAINT %I', n.nspname, t.relname, c.conname) AS drop,
            format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid)) AS create
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND c.contype IN ('p', 'u')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
     UNION ALL
     SELECT 1 AS kind, format('DROP INDEX %I.%I', n.nspname, i.relname), pg_get_indexdef(x.indexrelid)
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY kind`,
    [schema],
  );
  return rows.map(({ drop, create }) => ({ drop, create }));
}

/** Row counts of every table, in one round trip: a cheap first sign that two copies agree. */
export async function rowCounts(db: Queryable, schema: string, tables: readonly TenantTable[]): Promise<Map<string, number>> {
  if (tables.length === 0) return new Map();
  const { rows } = await db.query<{ table: string; rows: string }>(
    tables.map((t) => `SELECT ${literal(t.name)} AS table, count(*)::text AS rows FROM ${qualified(schema, t.name)}`).join(' UNION ALL '),
  );
  return new Map(rows.map((r) => [r.table, Number(r.rows)]));
}

/**
 * Sets the target's sequences of `schema` to where the source's are. Neither COPY nor
 * logical replication carries sequences, and a sequence left behind would hand out ids the
 * copied rows already use.
 */
export async function copySequences(source: Queryable, target: Queryable, schema: string): Promise<void> {
  const { rows } = await source.query<{ name: string; last_value: string | null }>(
    'SELECT sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname = $1',
    [schema],
  );
  for (const sequence of rows) {
    const name = qualified(schema, sequence.name);
    if (sequence.last_value === null) await target.query('SELECT setval($1::regclass, 1, false)', [name]);
    else await target.query('SELECT setval($1::regclass, $2::bigint, true)', [name, sequence.last_value]);
  }
}

/**
 * Row counts and checksums of every table, to prove two copies hold the same rows. The sum
 * of a 64-bit hash of each row's text is independent of row order and cheap to compute.
 */
export async function checksums(db: Queryable, schema: string, tables: readonly TenantTable[]): Promise<TableChecksum[]> {
  const result: TableChecksum[] = [];
  for (const table of tables) {
    const row = `ROW(${columnList(table.columns)})::text`;
    const { rows } = await db.query<{ rows: string; sum: string }>(
      `SELECT count(*)::text AS rows, coalesce(sum(hashtextextended(${row}, 0)::numeric), 0)::text AS sum FROM ${qualified(schema, table.name)}`,
    );
    result.push({ table: table.name, rows: Number(rows[0]!.rows), sum: rows[0]!.sum });
  }
  return result;
}

/** The tables whose counts or checksums differ, described for an error message; empty when equal. */
export function checksumDifferences(source: readonly TableChecksum[], target: readonly TableChecksum[]): string[] {
  const byTable = new Map(target.map((t) => [t.table, t]));
  const differences: string[] = [];
  for (const expected of source) {
    const actual = byTable.get(expected.table);
    if (actual === undefined) differences.push(`${expected.table}: missing on the target`);
    else if (actual.rows !== expected.rows) differences.push(`${expected.table}: ${expected.rows} rows on the source, ${actual.rows} on the target`);
    else if (actual.sum !== expected.sum) differences.push(`${expected.table}: same row count (${actual.rows}) but different contents`);
  }
  for (const extra of target) if (!source.some((s) => s.table === extra.table)) differences.push(`${extra.table}: only on the target`);
  return differences;
}

export function totalRows(sums: readonly TableChecksum[]): number {
  return sums.reduce((n, s) => n + s.rows, 0);
}
