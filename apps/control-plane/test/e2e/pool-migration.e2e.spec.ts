import { tenantMigrationsFor } from '@mysaas/modules/schema';
import { createTenant, createTestPlatform, http, type TestPlatform, type TestTenant } from '@mysaas/testing';
import { startControlPlane, type StartedControlPlane } from '../../src/control-plane';

interface Line {
  type: string;
  [field: string]: unknown;
}

/** `POST /platform/pools/:name/migrate`, what `saas migrate` calls: progress as JSON lines, then the report. */
describe('migrating a pool through the control plane', () => {
  let platform: TestPlatform;
  let server: StartedControlPlane;
  const behind: TestTenant[] = [];
  let current: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    server = await startControlPlane(platform.controlPlaneConfig());
    const release = tenantMigrationsFor(platform.pool.release);
    // Tenants provisioned before the release's last migration existed: they are behind.
    for (let i = 0; i < 3; i++) behind.push(await createTenant(platform, { migrations: release.slice(0, -1) }));
    current = await createTenant(platform);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  const migrate = (pool: string, body: unknown = {}) =>
    http(server.url, { method: 'POST', path: `/platform/pools/${pool}/migrate`, body, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
  const lines = (text: string): Line[] => text.trim().split('\n').map((line) => JSON.parse(line) as Line);

  it('migrates the schemas that are behind, reports each as it goes, and the whole at the end', async () => {
    const res = await migrate('v1', { concurrency: 2 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const [planned, ...rest] = lines(res.text);
    expect(planned).toEqual({ type: 'planned', pool: 'v1', release: platform.pool.release, total: 4, current: 1, pending: 3 });
    const done = rest.pop()!;
    expect(rest.map((l) => [l.type, l.status, l.slug]).sort()).toEqual(behind.map((t) => ['schema', 'migrated', t.slug]).sort());
    expect(done).toMatchObject({ type: 'done', report: { total: 4, current: [current.slug], failed: [], notReached: [] } });
    const migrated = (done.report as { migrated: Array<{ slug: string; ran: string[] }> }).migrated;
    expect(migrated.map((m) => m.ran)).toEqual(behind.map(() => [tenantMigrationsFor(platform.pool.release).at(-1)!.id]));
  });

  it('changes nothing on a pool already current', async () => {
    const all = lines((await migrate('v1')).text);
    expect(all[0]).toMatchObject({ type: 'planned', current: 4, pending: 0 });
    expect(all.at(-1)).toMatchObject({ type: 'done', report: { migrated: [], failed: [] } });
    expect(all).toHaveLength(2);
  });

  it('refuses an unknown pool and a bad concurrency with a 4xx that says so', async () => {
    const unknown = await migrate('v404');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'POOL_NOT_FOUND', message: 'pool v404 does not exist' });
    const bad = await migrate('v1', { concurrency: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/concurrency must be at least 1/);
  });

  it('records the run in the audit log', async () => {
    const audit = await http(server.url, { path: '/platform/audit?limit=5', headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });
    expect(JSON.stringify(audit.json())).toContain('pool.migrated');
  });
});
