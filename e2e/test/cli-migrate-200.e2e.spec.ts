import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { tenantMigrationsFor } from '@mysaas/modules/schema';
import { createTenant, createTestPlatform, type TestPlatform, type TestTenant } from '@mysaas/testing';

/** The bin as npm links it: `saas` as its own process, stopped as Ctrl-C stops it. */
const BIN = resolve(__dirname, '../../node_modules/.bin/saas');
const SCHEMAS = 200;

/**
 * `saas migrate --pool` over 200 tenant schemas through the real control plane: one made to
 * fail, the command stopped half-way (SIGINT, as Ctrl-C), run again to the end, then once more
 * with nothing to do. Every schema ends current, the broken one untouched and reported, and no
 * schema ran its migration twice.
 */
describe('saas migrate over 200 schemas, stopped and resumed', () => {
  let platform: TestPlatform;
  let controlPlane: StartedControlPlane;
  const tenants: TestTenant[] = [];
  let broken: TestTenant;
  const last = () => tenantMigrationsFor(platform.pool.release).at(-1)!;

  beforeAll(async () => {
    platform = await createTestPlatform();
    controlPlane = await startControlPlane(platform.controlPlaneConfig());
    const behind = tenantMigrationsFor(platform.pool.release).slice(0, -1);
    for (let i = 0; i < SCHEMAS; i++) tenants.push(await createTenant(platform, { migrations: behind }));
    broken = tenants[123]!;
    await platform.poolDb.pool.query(`CREATE TABLE ${broken.schema}.${firstTableOf(last().sql)} (squatter int)`);
  }, 180_000);

  afterAll(async () => {
    await controlPlane?.close();
    await platform?.cleanup(); // 200 schemas and roles to drop
  }, 60_000);

  function saas(args: string[], stopAfterLine?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(BIN, args, { env: { PATH: process.env.PATH ?? '', SAAS_URL: controlPlane.url, SAAS_TOKEN: platform.secrets.adminToken } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stopAfterLine?.test(stderr)) {
        stopAfterLine = undefined;
        child.kill('SIGINT');
      }
    });
    return new Promise((done) => child.once('exit', (code) => done({ code, stdout, stderr })));
  }
  const runsOfLast = async () => {
    const { rows } = await platform.poolDb.pool.query<{ schema: string; n: string }>(
      tenants.map((t) => `SELECT '${t.schema}' AS schema, count(*) AS n FROM ${t.schema}.schema_migrations WHERE id = '${last().id}'`).join(' UNION ALL '),
    );
    return new Map(rows.map((r) => [r.schema, Number(r.n)]));
  };

  it('ends with every schema current but the broken one, none migrated twice, after a stop half-way', async () => {
    // Stopped once a fifth is done: the control plane sees the client go and starts no more.
    const stopped = await saas(['migrate', '--pool', 'v1', '--concurrency', '2'], /\b(4\d|5\d|6\d)\/200 done/);
    expect(stopped.code).not.toBe(0);
    const afterStop = [...(await runsOfLast()).values()].filter((n) => n === 1).length;
    expect(afterStop).toBeGreaterThan(0);
    expect(afterStop).toBeLessThan(SCHEMAS - 1);

    const resumed = await saas(['migrate', '--pool', 'v1', '--json']);
    expect(resumed.code).toBe(1); // the broken schema
    const report = JSON.parse(resumed.stdout) as { migrated: unknown[]; current: string[]; failed: Array<{ slug: string; reason: string }>; notReached: string[] };
    expect(report.migrated.length + report.current.length).toBe(SCHEMAS - 1);
    expect(report.current.length).toBeGreaterThanOrEqual(afterStop);
    expect(report.failed).toEqual([{ slug: broken.slug, reason: expect.stringMatching(/already exists/) }]);
    expect(report.notReached).toEqual([]);

    const runs = await runsOfLast();
    for (const tenant of tenants) expect({ schema: tenant.schema, runs: runs.get(tenant.schema) }).toEqual({ schema: tenant.schema, runs: tenant === broken ? 0 : 1 });

    // Run again: nothing left but the broken one, which fails again (and says why).
    const again = await saas(['migrate', '--pool', 'v1']);
    expect(again.code).toBe(1);
    expect(again.stdout.split('\n')[0]).toBe(`Pool v1: 0 migrated, ${SCHEMAS - 1} already current, 1 failed (of ${SCHEMAS}).`);
  }, 120_000);
});

/** The first table a migration creates: made beforehand, it makes that migration fail. */
function firstTableOf(sql: string): string {
  const match = /CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/i.exec(sql);
  if (match === null) throw new Error('the release\'s last migration creates no table: pick another way to make it fail');
  return match[1]!;
}
