import { createTenant, createTestPlatform, http, uniqueSlug, type HttpResponse, type TestPlatform } from '@mysaas/testing';
import { startControlPlane, type StartedControlPlane } from '../../src/control-plane';

/**
 * A pool's life (active ⇄ draining → retired, retired for good and only once empty) and the
 * default pool, where tenants created without one go.
 */
describe('pool lifecycle and the default pool', () => {
  let platform: TestPlatform;
  let server: StartedControlPlane;

  beforeAll(async () => {
    platform = await createTestPlatform();
    server = await startControlPlane(platform.controlPlaneConfig());
    for (const name of ['p2', 'p3']) {
      const created = await api('POST', '/platform/pools', { name, release: 1, databaseUrl: platform.poolDb.url, appRole: platform.pool.appRole });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  function api(method: string, path: string, body?: unknown): Promise<HttpResponse> {
    return http(server.url, { method, path, body, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
  }
  const newTenant = (pool?: string) => ({ slug: uniqueSlug('lc'), name: 'Lifecycle', adminEmail: 'owner@lc.test', adminPassword: 'demo-password-1', ...(pool === undefined ? {} : { pool }) });

  it('refuses a tenant without a pool while no pool is the default, saying what to do', async () => {
    const res = await api('POST', '/platform/tenants', newTenant());
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TENANT_POOL_UNKNOWN', message: 'no pool is the default: name one in `pool`, or make one the default (saas pools set-default <name>)' });
  });

  it('places a tenant created without a pool on the default one, and keeps one default at most', async () => {
    expect((await api('PATCH', '/platform/pools/p2', { isDefault: true })).json()).toMatchObject({ name: 'p2', isDefault: true });
    const created = await api('POST', '/platform/tenants', newTenant());
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ pool: 'p2' });
    expect((await api('PATCH', '/platform/pools/p3', { isDefault: true })).json()).toMatchObject({ isDefault: true });
    const { pools } = (await api('GET', '/platform/pools')).json<{ pools: Array<{ name: string; isDefault: boolean }> }>();
    expect(pools.filter((p) => p.isDefault).map((p) => p.name)).toEqual(['p3']);
    expect((await api('PATCH', '/platform/pools/p3', { isDefault: false })).status).toBe(400);
  });

  it('takes the default away from a pool that drains, and gives it only to an active pool', async () => {
    expect((await api('PATCH', '/platform/pools/p3', { status: 'draining' })).json()).toMatchObject({ status: 'draining', isDefault: false });
    const refused = await api('PATCH', '/platform/pools/p3', { isDefault: true });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'POOL_STATUS_CHANGE_REFUSED', message: 'pool p3 is draining: only an active pool can be the default' });
    // Draining is reversible.
    expect((await api('PATCH', '/platform/pools/p3', { status: 'active' })).json()).toMatchObject({ status: 'active' });
  });

  it('retires a pool only once it has no tenants, and for good', async () => {
    await createTenant(platform); // on v1
    const busy = await api('PATCH', `/platform/pools/${platform.pool.name}`, { status: 'retired' });
    expect(busy.status).toBe(409);
    expect(busy.json<{ message: string }>().message).toMatch(/^pool v1 still has \d+ tenant\(s\): move them to another pool first/);
    expect((await api('GET', `/platform/pools/${platform.pool.name}`)).json()).toMatchObject({ status: 'active' });

    expect((await api('PATCH', '/platform/pools/p3', { status: 'retired' })).json()).toMatchObject({ status: 'retired' });
    const back = await api('PATCH', '/platform/pools/p3', { status: 'active' });
    expect(back.status).toBe(409);
    expect(back.json()).toMatchObject({ message: 'pool p3 is retired, for good: register a new pool instead' });
  });
});
