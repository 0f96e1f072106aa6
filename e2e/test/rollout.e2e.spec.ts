import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { eventually, http, type TestPlatform, type TestTenant } from '@mysaas/testing';
import { startBrokenReleaseStack, type BrokenReleaseStack } from './support/broken-release';
interface RolloutBody {
  id: string;
  state: string;
  error: string | null;
  plan: string[][];
  report: Record<string, { moveId?: string; verdict?: { regressed: boolean; reasons: string[] } }>;
}

/**
 * A staged rollout to a pool whose release is broken (its app server answers 500 to
 * everything): the canary moves first, the gateways' metrics show its error rate jump against
 * its own baseline, and the rollout halts before anyone else moves; rolled back as a whole,
 * the canary is served well again.
 */
describe('a rollout halting on a regression in its canary', () => {
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
  const admin = (method: string, path: string, body?: unknown) =>
    http(controlPlane.url, { method, path, body, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
  const rollout = async (id: string) => (await admin('GET', `/platform/rollouts/${id}`)).json<RolloutBody>();
  const poolOf = async (tenant: TestTenant) => (await admin('GET', `/platform/tenants/${tenant.slug}`)).json<{ pool: string }>().pool;

  it('moves the canary, sees its error rate jump, halts with a report, and rolls back as a whole', async () => {
    const [canary, ...others] = tenants as [TestTenant, ...TestTenant[]];
    const started = await admin('POST', '/platform/rollouts', { pool: 'v2', canaries: [canary.slug], waves: [50, 100], windowSeconds: 1, minRequests: 5 });
    expect(started.status).toBe(202);
    const { id, plan } = started.json<RolloutBody>();
    expect(plan[0]).toEqual([canary.slug]);

    await eventually(async () => expect((await rollout(id)).state).toBe('halted'), 30_000);
    const halted = await rollout(id);
    expect(halted.error).toContain(`regression in wave 1: ${canary.slug} (error rate`);
    expect(halted.report[canary.slug]!.verdict).toMatchObject({ regressed: true });
    expect(await poolOf(canary)).toBe('v2');
    for (const other of others) expect(await poolOf(other)).toBe('v1');
    expect((await call(canary, '/api/links')).status).toBe(500);

    expect((await admin('POST', `/platform/rollouts/${id}/rollback`)).status).toBe(202);
    await eventually(async () => expect((await rollout(id)).state).toBe('rolled_back'), 30_000);
    expect(await poolOf(canary)).toBe('v1');
    expect((await call(canary, '/api/links')).status).toBe(200);
  }, 90_000);

  it('refuses bad rollouts with a 4xx that says what was wrong', async () => {
    const refuse = async (body: unknown, status: number, code: string) => {
      const res = await admin('POST', '/platform/rollouts', body);
      expect({ status: res.status, code: res.json<{ code: string }>().code }).toEqual({ status, code });
    };
    await refuse({ pool: 'v2', waves: [50, 10] }, 400, 'ROLLOUT_INVALID');
    await refuse({ pool: 'v2', canaries: ['nobody-here'] }, 400, 'ROLLOUT_INVALID');
    await refuse({ pool: 'v404' }, 400, 'MOVE_POOL_UNKNOWN');
    await refuse({ canaries: ['x'] }, 400, 'VALIDATION_FAILED');
    const blind = await startControlPlane(platform.controlPlaneConfig());
    try {
      const res = await http(blind.url, { method: 'POST', path: '/platform/rollouts', body: { pool: 'v2' }, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
      expect(res.status).toBe(409);
      expect(res.json()).toMatchObject({ code: 'ROLLOUT_NO_METRICS' });
    } finally {
      await blind.close();
    }
  });
});
