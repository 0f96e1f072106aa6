import { createTenant, createTestPlatform, eventually, http, type HttpResponse, type TestPlatform } from '@mysaas/testing';
import { startControlPlane, type StartedControlPlane } from '../../src/control-plane';

interface MoveBody {
  id: string;
  state: string;
  method: string | null;
  tenant: string;
  from: string;
  to: string;
  error: string | null;
  events?: Array<{ step: string; outcome: string }>;
}

/** `saas tenants move` and `saas moves …` as the control plane answers them. */
describe('tenant moves through the control plane', () => {
  let platform: TestPlatform;
  let server: StartedControlPlane;

  beforeAll(async () => {
    platform = await createTestPlatform();
    await platform.addPool('v2', { release: platform.pool.release });
    await platform.addPool('v9', { status: 'draining' });
    server = await startControlPlane({ ...platform.controlPlaneConfig(), moves: { resumeIntervalMs: 200, rolloutMetricsUrls: [] } });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  const api = (method: string, path: string, body?: unknown): Promise<HttpResponse> =>
    http(server.url, { method, path, body, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
  const move = async (id: string) => (await api('GET', `/platform/moves/${id}`)).json<MoveBody>();
  const rests = async (id: string, state: string): Promise<MoveBody> => {
    await eventually(async () => expect((await move(id)).state).toBe(state), 20_000);
    return move(id);
  };

  it('moves a tenant in the background, shows its steps, lists it and finalizes it', async () => {
    const tenant = await createTenant(platform);
    const started = await api('POST', '/platform/moves', { tenant: tenant.slug, to: 'v2', method: 'blocking' });
    expect(started.status).toBe(202);
    const { id } = started.json<MoveBody>();
    expect(started.json()).toMatchObject({ tenant: tenant.slug, from: 'v1', to: 'v2' });

    const switched = await rests(id, 'switched');
    expect(switched.events!.filter((e) => e.outcome === 'done').map((e) => e.step)).toContain('switch');
    expect((await api('GET', `/platform/tenants/${tenant.slug}`)).json()).toMatchObject({ pool: 'v2' });
    const listed = (await api('GET', `/platform/moves?tenant=${tenant.slug}`)).json<{ moves: MoveBody[] }>();
    expect(listed.moves.map((m) => m.id)).toEqual([id]);

    expect((await api('POST', `/platform/moves/${id}/finalize`)).status).toBe(202);
    await rests(id, 'finalized');
    const again = await api('POST', `/platform/moves/${id}/rollback`);
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: 'MOVE_WRONG_STATE' });
  });

  it('refuses bad moves with a 4xx that says what was wrong, and records nothing', async () => {
    const tenant = await createTenant(platform);
    const cases: Array<[unknown, number, string]> = [
      [{ to: 'v2' }, 400, 'VALIDATION_FAILED'],
      [{ tenant: tenant.slug, to: 'v2', method: 'teleport' }, 400, 'VALIDATION_FAILED'],
      [{ tenant: 'nobody', to: 'v2' }, 404, 'MOVE_TENANT_UNKNOWN'],
      [{ tenant: tenant.slug, to: 'v404' }, 400, 'MOVE_POOL_UNKNOWN'],
      [{ tenant: tenant.slug, to: 'v1' }, 409, 'MOVE_SAME_POOL'],
      [{ tenant: tenant.slug, to: 'v9' }, 409, 'MOVE_POOL_NOT_ACCEPTING'],
    ];
    for (const [body, status, code] of cases) {
      const res = await api('POST', '/platform/moves', body);
      expect({ body, status: res.status, code: res.json<{ code: string }>().code }).toEqual({ body, status, code });
    }
    expect((await api('GET', '/platform/moves/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await api('GET', '/platform/moves/not-a-uuid')).json()).toMatchObject({ code: 'MOVE_NOT_FOUND' });
    expect((await api('GET', '/platform/moves?state=lost')).status).toBe(400);
    expect((await api('GET', `/platform/moves?tenant=${tenant.slug}`)).json()).toEqual({ moves: [] });
  });

  it('refuses a second move of a tenant while one is open, and rolls the first back', async () => {
    const tenant = await createTenant(platform);
    const first = (await api('POST', '/platform/moves', { tenant: tenant.slug, to: 'v2', method: 'blocking' })).json<MoveBody>();
    const second = await api('POST', '/platform/moves', { tenant: tenant.slug, to: 'v2' });
    expect(second.status).toBe(409);
    expect(second.json()).toMatchObject({ code: 'MOVE_ALREADY_OPEN' });
    await rests(first.id, 'switched');
    expect((await api('POST', `/platform/moves/${first.id}/rollback`)).status).toBe(202);
    await rests(first.id, 'rolled_back');
    expect((await api('GET', `/platform/tenants/${tenant.slug}`)).json()).toMatchObject({ pool: 'v1' });
  });
});
