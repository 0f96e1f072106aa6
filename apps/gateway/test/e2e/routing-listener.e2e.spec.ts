import { createTenant, createTestPlatform, eventually, http, startRecordingServer, type RecordingServer, type TestPlatform, type TestTenant } from '@mysaas/testing';
import { startGateway, type StartedGateway } from '../../src/gateway';

/**
 * The gateway caches routes (30 s here) and drops a tenant's at the control plane's
 * announcement. Announcements travel on one LISTEN connection: when it is lost, the gateway
 * connects again, and since what was announced meanwhile is gone, it drops every cached route
 * once it listens again (SECURITY.md: a tenant's move invalidates its cache entries).
 */
describe('gateway: routing announcements across a lost listening connection', () => {
  let platform: TestPlatform;
  let v1: RecordingServer;
  let v2: RecordingServer;
  let gateway: StartedGateway;
  let acme: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform);
    v1 = await startRecordingServer('v1');
    v2 = await startRecordingServer('v2');
    await platform.setUpstreams([v1.url]);
    await platform.control.pool.query(`INSERT INTO platform.pools (name, release, database_url, app_role, upstreams) VALUES ('v2', 1, $1, $2, $3)`, [
      platform.poolDb.url,
      platform.pool.appRole,
      [v2.url],
    ]);
    gateway = await startGateway(platform.gatewayConfig());
  });

  afterAll(async () => {
    await gateway?.close();
    await v1?.close();
    await v2?.close();
    await platform?.cleanup();
  });

  const answeredBy = async () => (await http(gateway.url, { path: '/login', host: `${acme.slug}.localhost:${gateway.port}` })).json<{ answeredBy: string }>().answeredBy;
  const movePool = async (pool: string) => {
    await platform.control.pool.query('UPDATE platform.tenants SET pool = $2 WHERE id = $1', [acme.id, pool]);
    await platform.announce({ kind: 'tenant', slug: acme.slug });
  };

  it('connects again, drops the routes it cached while a change was announced unheard, and hears the next one', async () => {
    expect(await answeredBy()).toBe('v1'); // cached now

    const { rows } = await platform.control.pool.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'mysaas-gateway-listener' AND datname = current_database()`,
    );
    expect(rows).toEqual([{ ended: true }]);
    await movePool('v2'); // announced while nobody listens (the gateway retries after 250 ms)
    await eventually(async () => expect(await answeredBy()).toBe('v2'), 10_000);

    await movePool('v1'); // listening again: heard, well before the cache would expire
    await eventually(async () => expect(await answeredBy()).toBe('v1'), 10_000);
  });
});
