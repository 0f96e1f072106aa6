import { ExitCode, run } from '@mysaas/cli';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { tenantMigrationsFor } from '@mysaas/modules/schema';
import { createTenant, createTestPlatform, type TestPlatform, type TestTenant } from '@mysaas/testing';

/**
 * `saas migrate --pool`, through the real control plane onto a real pool: progress on stderr,
 * the report on stdout, a failed schema rolled back and reported with exit code 1, a second
 * run doing only what is left, and a run on a current pool doing nothing.
 */
describe('saas migrate, against the control plane', () => {
  let platform: TestPlatform;
  let controlPlane: StartedControlPlane;
  const behind: TestTenant[] = [];
  let broken: TestTenant;
  const release = () => tenantMigrationsFor(platform.pool.release);

  beforeAll(async () => {
    platform = await createTestPlatform();
    controlPlane = await startControlPlane(platform.controlPlaneConfig());
    // Provisioned before the release's last migration: behind. One of them cannot take it.
    for (let i = 0; i < 4; i++) behind.push(await createTenant(platform, { migrations: release().slice(0, -1) }));
    broken = behind[2]!;
    await platform.poolDb.pool.query(`CREATE TABLE ${broken.schema}.link_imports (squatter int)`);
  }, 60_000);

  afterAll(async () => {
    await controlPlane?.close();
    await platform?.cleanup();
  });

  async function saas(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: __dirname,
      env: { SAAS_URL: controlPlane.url, SAAS_TOKEN: platform.secrets.adminToken },
    });
    expect(stdout + stderr).not.toContain(platform.secrets.adminToken);
    return { code, stdout, stderr };
  }

  it('migrates every schema it can, shows progress, and exits 1 naming the one that failed and why', async () => {
    const { code, stdout, stderr } = await saas('migrate', '--pool', 'v1', '--concurrency', '2');
    expect(code).toBe(ExitCode.Failed);
    expect(stderr).toContain(`Pool v1 (release ${platform.pool.release}): 4 tenant schemas, 0 already current, 4 to migrate.`);
    expect(stderr).toMatch(new RegExp(`✗ ${broken.slug}: relation "link_imports" already exists`));
    expect(stderr).toContain('4/4 done, 1 failed');
    expect(stderr).toContain('error: 1 schema(s) failed and 0 were not reached');
    expect(stdout).toContain('Pool v1: 3 migrated, 0 already current, 1 failed (of 4).');
    expect(stdout).toMatch(new RegExp(`^${broken.slug} +relation "link_imports" already exists`, 'm'));
    const applied = await platform.poolDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${broken.schema}.schema_migrations`);
    expect(Number(applied.rows[0]!.n)).toBe(release().length - 1); // rolled back: untouched
  });

  it('does only what is left on the next run, once the cause is fixed', async () => {
    await platform.poolDb.pool.query(`DROP TABLE ${broken.schema}.link_imports`);
    const { code, stdout } = await saas('migrate', '--pool', 'v1', '--json');
    expect(code).toBe(ExitCode.Ok);
    const report = JSON.parse(stdout) as { migrated: Array<{ slug: string }>; current: string[]; failed: unknown[] };
    expect(report.migrated.map((m) => m.slug)).toEqual([broken.slug]);
    expect(report.current.sort()).toEqual(behind.filter((t) => t !== broken).map((t) => t.slug).sort());
    expect(report.failed).toEqual([]);
  });

  it('changes nothing on a current pool', async () => {
    const { code, stdout } = await saas('migrate', '--pool', 'v1');
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toBe('Pool v1: 0 migrated, 4 already current, 0 failed (of 4).\n');
  });

  it('says what is wrong with an unknown pool or a bad option', async () => {
    const unknown = await saas('migrate', '--pool', 'v404');
    expect(unknown).toMatchObject({ code: ExitCode.Failed, stdout: '' });
    expect(unknown.stderr).toContain('error: pool v404 does not exist (POOL_NOT_FOUND)');
    expect((await saas('migrate', '--pool', 'v1', '--concurrency', '0')).code).toBe(ExitCode.Usage);
    expect((await saas('migrate')).stderr).toMatch(/required option '--pool <name>' not specified/);
  });
});
