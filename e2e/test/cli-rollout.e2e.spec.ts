import { ExitCode, run } from '@mysaas/cli';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { eventually, type TestPlatform, type TestTenant } from '@mysaas/testing';
import { startBrokenReleaseStack, type BrokenReleaseStack } from './support/broken-release';

interface Window {
  requests: number;
  errors: number;
}

interface RolloutView {
  id: string;
  pool: string;
  state: string;
  error: string | null;
  plan: string[][];
  report: Record<string, { wave: number; moveId?: string; moveState?: string; before?: Window; after?: Window; verdict?: { regressed: boolean; judged: boolean; reasons: string[] } }>;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * `saas rollout` and `saas rollouts …` through the real control plane: a rollout to a pool whose
 * release is broken (its app server answers 500 to everything) moves the canary, sees its error
 * rate jump on the gateway's metrics, and halts before anyone else moves; `saas` exits 1 saying
 * why, the report is there, and `saas rollouts rollback` puts the canary back on v1.
 */
describe('saas rollouts, against the control plane', () => {
  let stack: BrokenReleaseStack;
  let platform: TestPlatform;
  let controlPlane: StartedControlPlane;
  let tenants: TestTenant[];

  beforeAll(async () => {
    stack = await startBrokenReleaseStack();
    ({ platform, controlPlane, tenants } = stack);
  }, 60_000);
  afterAll(() => stack?.stop());

  const call = (tenant: TestTenant, path: string) => stack.call(tenant, path);

  async function saas(...args: string[]) {
    return saasAt(controlPlane.url, ...args);
  }

  async function saasAt(url: string, ...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: __dirname,
      env: { SAAS_URL: url, SAAS_TOKEN: platform.secrets.adminToken },
    });
    expect(stdout + stderr).not.toContain(platform.secrets.adminToken);
    return { code, stdout, stderr };
  }

  async function saasJson<T>(...args: string[]): Promise<T> {
    const { code, stdout, stderr } = await saas(...args, '--json');
    expect({ args, code, stderr }).toEqual({ args, code: ExitCode.Ok, stderr: '' });
    return JSON.parse(stdout) as T;
  }

  const poolOf = async (tenant: TestTenant) => (await saasJson<{ pool: string }>('tenants', 'show', tenant.slug)).pool;

  it('halts on the broken canary (exit 1, saying why), shows the report, and rolls back as a whole (exit 0, the canary on v1 again)', async () => {
    const [canary, ...others] = tenants as [TestTenant, ...TestTenant[]];

    const halted = await saas('rollout', 'v2', '--canary', canary.slug, '--waves', '50%,100%', '--window', '1s', '--min-requests', '5');

    expect(halted.code).toBe(ExitCode.Failed);
    const opening = new RegExp(`^Rolling out to pool v2 \\(rollout (${UUID})\\): 3 tenants in \\d waves, canaries first \\(${canary.slug}\\)\\. Ctrl-C stops following, not the rollout\\.\\n`).exec(halted.stderr);
    expect(opening).not.toBeNull();
    const id = opening![1]!;
    const tenantLine = (text: string) => new RegExp(`^ {2}${canary.slug} +${text}`, 'm');
    expect(halted.stderr).toMatch(new RegExp(`^Wave 1 of \\d \\(canaries\\): ${canary.slug} \\(1 of 3 tenants moved by its end\\)$`, 'm'));
    expect(halted.stderr).toMatch(tenantLine('before: [1-9]\\d* requests, 0% errors, mean [\\d.]+ ms$'));
    expect(halted.stderr).toMatch(tenantLine(`moving to v2 \\(move ${UUID}\\)$`));
    expect(halted.stderr).toMatch(/^ {4}switch +done +[\d,]+ ms/m);
    expect(halted.stderr).toMatch(tenantLine('on v2 now \\(move switched\\)$'));
    expect(halted.stderr).toMatch(tenantLine('regressed: error rate 0\\.0% → 100\\.0% .*\\(errors 0% → 100%, mean latency '));
    expect(halted.stderr).toMatch(new RegExp(`^error: rollout ${id} halted in wave 1 of \\d: regression in wave 1: ${canary.slug} \\(error rate`, 'm'));
    expect(halted.stderr).toMatch(new RegExp(`^hint: \`saas rollouts resume ${id}\` goes on \\(accepting wave 1\\), \`saas rollouts rollback ${id}\` puts every tenant it moved back$`, 'm'));
    // Nobody after the canary moved.
    for (const other of others) expect(halted.stderr).not.toMatch(new RegExp(`^ {2}${other.slug} +moving`, 'm'));

    expect(halted.stdout).toMatch(new RegExp(`^Rollout ${id} to pool v2 halted in wave 1 of \\d: regression in wave 1: ${canary.slug}`));
    expect(halted.stdout).toMatch(/^State: +halted$/m);
    expect(halted.stdout).toMatch(/^WAVE +TENANT +MOVED +MOVE +ERRORS +MEAN LATENCY +REQUESTS +VERDICT$/m);
    expect(halted.stdout).toMatch(new RegExp(`^ +1 +${canary.slug} +yes +${UUID} +0% → 100% +.* +regressed: error rate`, 'm'));
    for (const other of others) expect(halted.stdout).toMatch(new RegExp(`^ +\\d +${other.slug} +no +— `, 'm'));
    expect(halted.stdout).toContain(`Next:\n  saas rollouts resume ${id}     accepts wave 1 of `);
    expect(halted.stdout).toContain(`  saas rollouts rollback ${id}   puts every tenant it moved back on its old pool\n`);

    const report = await saasJson<RolloutView>('rollouts', 'show', id);
    expect(report).toMatchObject({ id, pool: 'v2', state: 'halted', plan: expect.arrayContaining([[canary.slug]]) });
    expect(report.plan[0]).toEqual([canary.slug]);
    const entry = report.report[canary.slug]!;
    expect(entry).toMatchObject({ wave: 0, moveId: expect.any(String), moveState: 'switched', verdict: { regressed: true, judged: true } });
    expect(entry.verdict!.reasons[0]).toMatch(/^error rate 0\.0% → 100\.0%/);
    expect(entry.before!.requests).toBeGreaterThan(0);
    expect(entry.after!.errors).toBe(entry.after!.requests);
    for (const other of others) expect(report.report[other.slug]?.moveId).toBeUndefined();

    const shown = await saas('rollouts', 'show', id);
    expect(shown.code).toBe(ExitCode.Ok);
    expect(shown.stdout).toMatch(new RegExp(`^Plan: +3 tenants in \\d waves, canaries first \\(${canary.slug}\\)$`, 'm'));
    expect((await saasJson<{ rollouts: RolloutView[] }>('rollouts', 'list')).rollouts.map((r) => r.id)).toContain(id);
    expect(await poolOf(canary)).toBe('v2');
    for (const other of others) expect(await poolOf(other)).toBe('v1');

    const rolledBack = await saas('rollouts', 'rollback', id);

    expect({ code: rolledBack.code, stderr: rolledBack.stderr }).toEqual({ code: ExitCode.Ok, stderr: expect.any(String) });
    expect(rolledBack.stderr).toMatch(new RegExp(`^Rolling back rollout ${id}: every tenant it moved to pool v2 goes back to its old pool\\.`));
    expect(rolledBack.stderr).toMatch(tenantLine('back on its old pool \\(move rolled back\\)$'));
    expect(rolledBack.stdout).toMatch(new RegExp(`^Rollout ${id} is rolled back: every tenant it moved to pool v2 is on its old pool again\\.\\n`));
    expect(rolledBack.stdout).toMatch(new RegExp(`^ +1 +${canary.slug} +back +`, 'm'));
    expect(await poolOf(canary)).toBe('v1');
    await eventually(async () => expect((await call(canary, '/api/links')).status).toBe(200), 10_000);
    expect((await saasJson<RolloutView>('rollouts', 'show', id)).state).toBe('rolled_back');
  }, 90_000);

  it('refuses a bad rollout: a mistyped --waves before any request (exit 2), what the control plane refuses with what to do next (exit 1)', async () => {
    const mistyped = await saas('rollout', 'v2', '--waves', '50%,10%');
    expect(mistyped.code).toBe(ExitCode.Usage);
    expect(mistyped.stderr).toContain("error: option '--waves <percentages>' argument '50%,10%' is invalid. Waves must rise: 10% comes after 50%");

    const unknownPool = await saas('rollout', 'v404');
    expect(unknownPool).toEqual({
      code: ExitCode.Failed,
      stdout: '',
      stderr: 'error: pool "v404" does not exist (MOVE_POOL_UNKNOWN)\nhint: `saas pools list` shows the pools\n',
    });

    const stranger = await saas('rollout', 'v2', '--canary', 'nobody-here');
    expect(stranger.code).toBe(ExitCode.Failed);
    expect(stranger.stderr).toMatch(/^error: canaries nobody-here are not among the tenants this rollout moves .*\(ROLLOUT_INVALID\)\nhint: `saas tenants list` shows the tenants/);

    // A control plane that reads no metrics cannot judge a rollout, and says how to fix that.
    const blind = await startControlPlane(platform.controlPlaneConfig());
    try {
      const noMetrics = await saasAt(blind.url, 'rollout', 'v2');
      expect(noMetrics.code).toBe(ExitCode.Failed);
      expect(noMetrics.stderr).toMatch(/\(ROLLOUT_NO_METRICS\)\nhint: start the control plane with ROLLOUT_METRICS_URLS set to the gateways' \/metrics endpoints/);
    } finally {
      await blind.close();
    }
    // Nothing was started by any of them.
    expect((await saasJson<{ rollouts: RolloutView[] }>('rollouts', 'list')).rollouts.filter((r) => r.state !== 'rolled_back')).toEqual([]);
  }, 30_000);
});
