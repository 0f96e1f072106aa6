import { escapeIdentifier, escapeLiteral, type Pool, type PoolClient } from 'pg';

/** Anything that runs SQL: a pg Pool, a PoolClient, or a TypeORM manager/query runner adapter. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** Quotes a Postgres identifier (role, schema, table) for the places parameters cannot go. */
export const ident = (name: string): string => escapeIdentifier(name);

/** Quotes a string literal, for DDL such as `PASSWORD '...'` that takes no parameters. */
export const literal = (value: string): string => escapeLiteral(value);

/** Postgres SQLSTATE codes the platform reacts to. */
export const PgErrorCode = {
  UniqueViolation: '23505',
  DuplicateObject: '42710',
  DuplicateSchema: '42P06',
  UndefinedObject: '42704',
  InsufficientPrivilege: '42501',
  UndefinedTable: '42P01',
  InvalidTextRepresentation: '22P02',
  QueryCanceled: '57014',
} as const;

export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Runs work in one transaction on a pooled client: COMMIT on success, ROLLBACK on any error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
