import { assertTenantStatement, refusalOf, TenantStatementRefusedError } from './statement-guard';

describe('the tenant statement guard', () => {
  it.each([
    ['SET ROLE t_globex', 'SET without LOCAL'],
    ['set role t_globex', 'SET without LOCAL'],
    ['SET SESSION ROLE t_globex', 'SET without LOCAL'],
    ['SET "role" TO t_globex', 'SET without LOCAL'],
    ['SET statement_timeout = 0', 'SET without LOCAL'],
    ['SET default_transaction_read_only = on', 'SET without LOCAL'],
    ['SET SESSION AUTHORIZATION DEFAULT', 'SET without LOCAL'],
    ['SET LOCAL ROLE t_globex', 'role is set by the platform'],
    ['SET LOCAL "ROLE" TO t_globex', 'role is set by the platform'],
    ['SET LOCAL SESSION AUTHORIZATION t_globex', 'session_authorization is set by the platform'],
    ['SET LOCAL search_path TO t_globex', 'search_path is set by the platform'],
    ['SET LOCAL statement_timeout = 0', 'statement_timeout is set by the platform'],
    ['RESET ROLE', 'RESET returns'],
    ['RESET ALL', 'RESET returns'],
    ['DISCARD ALL', 'DISCARD'],
    ["SELECT set_config('role', 't_globex', true)", 'set_config()'],
    ["SELECT pg_catalog.set_config('role', 't_globex', false)", 'set_config()'],
    ['SELECT "set_config"(\'role\', \'x\', true)', 'set_config()'],
    ["SELECT 1 WHERE EXISTS (SELECT set_config('statement_timeout', '0', true))", 'set_config()'],
    ["DO $$ BEGIN EXECUTE 'SET ROLE t_globex'; END $$", 'DO runs code'],
    ['COMMIT', 'begins and ends the transaction'],
    ['BEGIN', 'begins and ends the transaction'],
    ['START TRANSACTION', 'begins and ends the transaction'],
    ['END', 'begins and ends the transaction'],
    ['ABORT', 'begins and ends the transaction'],
    ['ROLLBACK', 'use a savepoint'],
    ["PREPARE TRANSACTION 'x'", 'two-phase commit'],
    ['CREATE TEMP TABLE links (id int)', 'CREATE changes definitions'],
    ['CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$', 'CREATE changes definitions'],
    ['GRANT USAGE ON SCHEMA t_acme TO PUBLIC', 'GRANT changes'],
    ['ALTER ROLE t_acme SET statement_timeout = 0', 'ALTER changes'],
    ['DROP TABLE links', 'DROP changes'],
  ])('refuses %j (%s)', (sql, reason) => {
    expect(refusalOf(sql)).toContain(reason);
  });

  it.each([
    ["SELECT 1; SET ROLE t_globex", 'a second statement'],
    ["SELECT 'it''s'; SET ROLE t_globex", 'after a string with a doubled quote'],
    ["SELECT E'\\''; SET ROLE t_globex", 'after an escape string with a backslash-quote'],
    ['SELECT $tag$ ; $ $tag$; SET ROLE t_globex', 'after a dollar-quoted string'],
    ['/* ; */ SET ROLE t_globex', 'after a block comment'],
    ['/* /* nested */ still a comment */ SET ROLE t_globex', 'after a nested block comment'],
    ['-- a comment\nSET ROLE t_globex', 'after a line comment'],
    ['  \n\tSET\n  ROLE t_globex', 'split across lines'],
  ])('finds the hidden statement in %j (%s)', (sql) => {
    expect(refusalOf(sql)).toBeDefined();
  });

  it.each([
    'SELECT * FROM links WHERE code = $1',
    'INSERT INTO "links"("code", "url") VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING "id"',
    "SELECT 'SET ROLE t_globex; RESET ALL; DISCARD ALL' AS harmless_text",
    'SELECT $$ SET ROLE t_globex $$',
    '-- SET ROLE t_globex\nSELECT 1',
    '/* RESET ALL */ SELECT 1',
    'SELECT "set" FROM "role"',
    "SELECT E'\\'; SET ROLE x'",
    'SET LOCAL lock_timeout = 1000',
    'SET LOCAL TIME ZONE \'UTC\'',
    'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
    'SET CONSTRAINTS ALL DEFERRED',
    'SAVEPOINT typeorm_1',
    'RELEASE SAVEPOINT typeorm_1',
    'ROLLBACK TO SAVEPOINT typeorm_1',
    'UPDATE links SET url = $1 WHERE id = $2',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    'SELECT pg_advisory_xact_lock(1)',
    'SELECT config FROM settings',
    '',
    ';;',
  ])('lets %j through', (sql) => {
    expect(refusalOf(sql)).toBeUndefined();
  });

  it('refuses a statement every time it is sent, not only the first (the verdicts are remembered)', () => {
    for (let i = 0; i < 3; i++) expect(() => assertTenantStatement('SET ROLE t_globex')).toThrow(TenantStatementRefusedError);
    for (let i = 0; i < 3; i++) expect(() => assertTenantStatement('SELECT 1')).not.toThrow();
  });

  it('keeps refusing after its memory of verdicts filled up and started over', () => {
    for (let i = 0; i < 2_500; i++) assertTenantStatement(`SELECT ${i}`);
    expect(() => assertTenantStatement('RESET ROLE')).toThrow(/RESET returns a setting/);
    expect(() => assertTenantStatement('RESET ROLE')).toThrow(/RESET returns a setting/);
  });

  it('reads long statements every time instead of remembering them', () => {
    const long = `SELECT 1 /* ${'x'.repeat(5_000)} */; SET ROLE t_globex`;
    expect(() => assertTenantStatement(long)).toThrow(/SET without LOCAL/);
    expect(() => assertTenantStatement(long)).toThrow(/SET without LOCAL/);
  });
});
