import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import { migrateFleet, provisionTenantSchema, type Migration } from '@mysaas/db';
import { createTestPlatform, randomSuffix, type TestPlatform } from '@mysaas/testing';
import { parseTenantSlug, tenantSchemaName, type TenantSlug } from '@mysaas/tenancy';

/** Release 1 of a small tenant schema; release 2 adds a column with a backfill (and logs that it ran, to count runs). */
const RELEASE_1: Migration[] = [{ id: '0001_things', release: 1, sql: 'CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL); CREATE TABLE runs (migration text NOT NULL)' }];
const RELEASE_2: Migration[] = [
  ...RELEASE_1,
  {
    id: '0002_thing_tags',
    release: 2,
    // Slow enough (20 ms a schema) for the test to stop a run half-way.
    sql: "SELECT pg_sleep(0.02); ALTER TABLE things ADD COLUMN tags text[] NOT NULL DEFAULT '{}'; UPDATE things SET tags = ARRAY[name]; INSERT INTO runs VALUES ('0002')",
  },
];
const SCHEMAS = 200;

/**
 * `saas migrate`'s engine on a pool of 200 tenant schemas: one query to find who is behind,
 * bounded concurrency, one transaction per schema, a failure kept to its schema, and a run
 * stopped half-way (its process killed) resumed without migrating anything twice.
 */
describe('fleet migrations of a pool', () => {
  let platform: TestPlatform;
  let admin: Pool;
  const tenants: TenantSlug[] = [];
  const broken = () => tenants[17]!;

  beforeAll(async () => {
    platform = await createTestPlatform();
    admin = new Pool({ connectionString: platform.poolDb.url, max: 6 });
    const prefix = `fm${randomSuffix(2)}`;
    for (let i = 0; i < SCHEMAS; i++) {
      const slug = parseTenantSlug(`${prefix}-${i}`);
      await provisionTenantSchema(admin, { slug, appRole: platform.pool.appRole, migrations: RELEASE_1, seed: (db) => db.query("INSERT INTO things (name) VALUES ('first')").then(() => undefined) });
      tenants.push(slug);
    }
    // One schema where release 2 cannot apply: it already has a `tags` column of another type.
    await admin.query(`ALTER TABLE ${tenantSchemaName(broken())}.things ADD COLUMN tags integer`);
  }, 180_000);

  afterAll(async () => {
    await admin?.end();
    await platform?.cleanup();
  });

  const runsIn = async (slug: TenantSlug) => Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${tenantSchemaName(slug)}.runs`)).rows[0]!.n);
  const appliedIn = async (slug: TenantSlug) => (await admin.query<{ id: string }>(`SELECT id FROM ${tenantSchemaName(slug)}.schema_migrations ORDER BY id`)).rows.map((r) => r.id);

  it('resumes a run killed half-way: every schema ends migrated once, the broken one untouched and reported', async () => {
    // The first run, in a process of its own, killed (SIGKILL) once about half the schemas are done.
    const child = spawn(process.execPath, [join(__dirname, '../fixtures/fleet-migration-run.cjs')], {
      env: { ...process.env, FLEET_RUN: JSON.stringify({ url: platform.poolDb.url, tenants, migrations: RELEASE_2, concurrency: 4 }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let done = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        done += chunk.toString().split('\n').filter((line) => line.startsWith('migrated')).length;
        if (done >= SCHEMAS / 2) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`the run ended (${code}) before it was killed: ${stderr}`)));
    });
    await new Promise((resolve) => child.once('exit', resolve));

    const events: string[] = [];
    let plan: { total: number; current: number; pending: number } | undefined;
    const report = await migrateFleet({
      db: admin,
      tenants,
      migrations: RELEASE_2,
      concurrency: 4,
      on: { planned: (p) => (plan = p), schema: (o) => events.push(o.status) },
    });
    // The killed run had committed about half; this one did the rest (and the broken one failed again).
    expect(plan!.total).toBe(SCHEMAS);
    expect(plan!.current).toBeGreaterThanOrEqual(SCHEMAS / 2);
    expect(report.migrated.length).toBeGreaterThan(0); // the killed run really stopped half-way
    expect(report.migrated.length + report.current.length).toBe(SCHEMAS - 1);
    expect(report.migrated.length).toBe(plan!.pending - 1);
    expect(report.failed).toEqual([{ slug: broken(), reason: expect.stringMatching(/column "tags" of relation "things" already exists/) }]);
    expect(report.notReached).toEqual([]);
    expect(events.filter((e) => e === 'failed')).toHaveLength(1);

    for (const slug of tenants) {
      if (slug === broken()) {
        // Rolled back whole: no record, no backfill, no log.
        expect(await appliedIn(slug)).toEqual(['0001_things']);
        expect(await runsIn(slug)).toBe(0);
      } else {
        expect(await appliedIn(slug)).toEqual(['0001_things', '0002_thing_tags']);
        expect(await runsIn(slug)).toBe(1);
      }
    }
    const { rows } = await admin.query<{ tags: string[] }>(`SELECT tags FROM ${tenantSchemaName(tenants[0]!)}.things`);
    expect(rows).toEqual([{ tags: ['first'] }]);
  }, 120_000);

  it('does nothing on a pool already current, after one query for the whole pool', async () => {
    const counted = new Proxy(admin, {
      get(target, key, receiver) {
        if (key === 'query') return (...args: unknown[]) => (queries.push(String(args[0]).slice(0, 60)), (target.query as (...a: unknown[]) => unknown)(...args));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const queries: string[] = [];
    const healthy = tenants.filter((t) => t !== broken());
    const report = await migrateFleet({ db: counted, tenants: healthy, migrations: RELEASE_2, concurrency: 4 });
    expect(report).toMatchObject({ total: SCHEMAS - 1, migrated: [], failed: [], notReached: [] });
    expect(report.current).toHaveLength(SCHEMAS - 1);
    // Which schemas have the migrations table, then every schema's applied ids at once (up to 500 a statement).
    expect(queries).toHaveLength(2);
    // In batches of 50: the tables, then four statements for 199 schemas.
    queries.length = 0;
    expect((await migrateFleet({ db: counted, tenants: healthy, migrations: RELEASE_2, concurrency: 4, planBatch: 50 })).current).toHaveLength(SCHEMAS - 1);
    expect(queries).toHaveLength(5);
  });

  it('stops starting schemas when told to, and says which it did not reach', async () => {
    const migrations: Migration[] = [...RELEASE_2, { id: '0003_thing_notes', release: 3, sql: 'SELECT pg_sleep(0.02); ALTER TABLE things ADD COLUMN notes text' }];
    const stop = new AbortController();
    let ended = 0;
    const report = await migrateFleet({
      db: admin,
      tenants: tenants.filter((t) => t !== broken()),
      migrations,
      concurrency: 2,
      signal: stop.signal,
      on: { schema: () => ++ended === 10 && stop.abort() },
    });
    expect(report.migrated.length).toBeGreaterThanOrEqual(10);
    expect(report.migrated.length).toBeLessThanOrEqual(12);
    expect(report.notReached.length).toBe(SCHEMAS - 1 - report.migrated.length);
    const again = await migrateFleet({ db: admin, tenants: tenants.filter((t) => t !== broken()), migrations, concurrency: 4 });
    expect(again.migrated.map((m) => m.slug).sort()).toEqual([...report.notReached].sort());
  }, 60_000);
});
