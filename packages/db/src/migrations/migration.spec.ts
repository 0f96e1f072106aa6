import type { Queryable } from '../sql';
import { applyMigrations, migrationsForRelease, UnknownMigrationsError, type Migration } from './migration';
import { PLATFORM_MIGRATIONS } from './platform.migrations';

/** Stands in for Postgres: records statements and keeps the migrations table's rows. */
class RecordingDb implements Queryable {
  readonly statements: string[] = [];
  readonly recorded: Array<{ id: string; release: number }> = [];

  async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
    this.statements.push(sql.trim().split('\n')[0]!);
    if (sql.startsWith('SELECT id FROM')) return { rows: this.recorded.map((r) => ({ id: r.id })) as unknown as R[], rowCount: this.recorded.length };
    if (sql.startsWith('INSERT INTO')) this.recorded.push({ id: params[0] as string, release: params[1] as number });
    return { rows: [] as R[], rowCount: 0 };
  }
}

const migrations: Migration[] = [
  { id: '0002_second', release: 2, sql: 'CREATE TABLE second ()' },
  { id: '0001_first', release: 1, sql: 'CREATE TABLE first ()' },
];

describe('applyMigrations', () => {
  it('applies pending migrations in id order and records each with its release', async () => {
    const db = new RecordingDb();
    const ran = await applyMigrations(db, migrations, { table: 'schema_migrations', where: 'test' });
    expect(ran).toEqual(['0001_first', '0002_second']);
    expect(db.recorded).toEqual([{ id: '0001_first', release: 1 }, { id: '0002_second', release: 2 }]);
    expect(db.statements.filter((s) => s.startsWith('CREATE TABLE ') && !s.includes('schema_migrations'))).toEqual([
      'CREATE TABLE first ()',
      'CREATE TABLE second ()',
    ]);
  });

  it('skips what is already recorded', async () => {
    const db = new RecordingDb();
    db.recorded.push({ id: '0001_first', release: 1 });
    expect(await applyMigrations(db, migrations, { table: 'schema_migrations', where: 'test' })).toEqual(['0002_second']);
    expect(db.statements).not.toContain('CREATE TABLE first ()');
  });

  it('refuses a schema that recorded a migration it does not know, running nothing', async () => {
    const db = new RecordingDb();
    db.recorded.push({ id: '0009_from_the_future', release: 9 });
    await expect(applyMigrations(db, migrations, { table: 'schema_migrations', where: 'schema t_acme' })).rejects.toThrow(
      new UnknownMigrationsError('schema t_acme', ['0009_from_the_future']),
    );
    expect(db.statements.some((s) => s.startsWith('CREATE TABLE first'))).toBe(false);
  });

  it('qualifies the migrations table with a schema when given one', async () => {
    const db = new RecordingDb();
    await applyMigrations(db, [], { schema: 'platform', table: 'schema_migrations', where: 'platform' });
    expect(db.statements[0]).toBe('CREATE TABLE IF NOT EXISTS "platform"."schema_migrations" (');
  });
});

describe('migrationsForRelease', () => {
  it('keeps the migrations introduced at or before the release', () => {
    expect(migrationsForRelease(migrations, 1).map((m) => m.id)).toEqual(['0001_first']);
    expect(migrationsForRelease(migrations, 2).map((m) => m.id)).toHaveLength(2);
  });
});

describe.each([['platform', PLATFORM_MIGRATIONS]])('the shipped %s migrations', (_name, shipped) => {
  it('have unique ids whose order matches their releases', () => {
    const ids = shipped.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const releases = shipped.map((m) => m.release);
    expect([...releases].sort((a, b) => a - b)).toEqual(releases);
  });
});
