import { ident, type Queryable } from '../sql';

/**
 * A forward-only SQL migration. Ids sort in apply order and are never renamed once shipped:
 * the id is what a schema records to say it has run.
 */
export interface Migration {
  id: string;
  /** The release that introduced it; a pool on an older release does not know it. */
  release: number;
  sql: string;
}

export class UnknownMigrationsError extends Error {
  constructor(readonly where: string, readonly unknown: string[]) {
    super(
      `${where} has migrations this release does not know: ${unknown.join(', ')}. ` +
        'It was migrated by a newer release; run a release that knows them.',
    );
    this.name = 'UnknownMigrationsError';
  }
}

/** Migrations a release ships: every migration introduced at or before it. */
export function migrationsForRelease(all: readonly Migration[], release: number): Migration[] {
  return all.filter((m) => m.release <= release);
}

/**
 * Applies the pending migrations in order, inside whatever transaction the caller holds, and
 * records each in `table`. Returns the ids it applied. Refuses a schema that recorded
 * migrations the given list does not contain (it belongs to a newer release).
 */
export async function applyMigrations(
  db: Queryable,
  migrations: readonly Migration[],
  options: { table: string; schema?: string; where: string },
): Promise<string[]> {
  const table = options.schema ? `${ident(options.schema)}.${ident(options.table)}` : ident(options.table);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       id text PRIMARY KEY,
       release integer NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`);
  const applied = new Set(rows.map((r) => r.id));
  const known = new Set(migrations.map((m) => m.id));
  const unknown = [...applied].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UnknownMigrationsError(options.where, unknown);

  const ran: string[] = [];
  for (const migration of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
    if (applied.has(migration.id)) continue;
    await db.query(migration.sql);
    await db.query(`INSERT INTO ${table} (id, release) VALUES ($1, $2)`, [migration.id, migration.release]);
    ran.push(migration.id);
  }
  return ran;
}
