import { ident, type Queryable } from './sql';

/**
 * What every role may do on a pool database by default, minus what a tenant could use to
 * reach past its own schema: temporary objects (a temp table shadows a table of the same
 * name for whoever uses the connection next) and objects in the shared `public` schema
 * (Postgres 15 already refuses the latter; older servers do not). Idempotent; needs the
 * database's owner or a superuser.
 */
export async function hardenPoolDatabase(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ name: string }>('SELECT current_database() AS name');
  await db.query(`REVOKE TEMPORARY ON DATABASE ${ident(rows[0]!.name)} FROM PUBLIC`);
  await db.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
}
