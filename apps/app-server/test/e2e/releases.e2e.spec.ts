import { SESSION_COOKIE } from '@mysaas/auth';
import { migrateFleet } from '@mysaas/db';
import { tenantMigrationsFor } from '@mysaas/modules/schema';
import { cookieFrom, createTenant, createTestPlatform, gatewayHeaders, http, type TestPlatform, type TestTenant } from '@mysaas/testing';
import { startAppServer, type StartedAppServer } from '../../src/app-server';

interface LinkView {
  code: string;
  url: string;
  title?: string | null;
  tags?: string[];
}

/**
 * Two releases side by side: release 1's app server and release 2's, each serving a tenant
 * whose schema is at its release, each with its release's behaviour (release 2 brought
 * titles and tags). And expand/contract at work: release 1 keeps serving a schema migrated
 * to release 2, and release 2 reads what release 1 wrote there.
 */
describe('releases 1 and 2 served side by side', () => {
  let platform: TestPlatform;
  let release1: StartedAppServer;
  let release2: StartedAppServer;
  let onOne: TestTenant;
  let onTwo: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    onOne = await createTenant(platform, { migrations: tenantMigrationsFor(1) });
    onTwo = await createTenant(platform, { migrations: tenantMigrationsFor(2) });
    release1 = await startAppServer(platform.appServerConfig({ pool: { name: platform.pool.name, release: 1 } }));
    release2 = await startAppServer(platform.appServerConfig({ pool: { name: platform.pool.name, release: 2 } }));
  }, 30_000);

  afterAll(async () => {
    await release1?.close();
    await release2?.close();
    await platform?.cleanup();
  });

  async function as(server: StartedAppServer, tenant: TestTenant) {
    const signIn = await http(server.url, { method: 'POST', path: '/auth/login', headers: gatewayHeaders(platform, tenant), body: tenant.admin });
    expect(signIn.status).toBe(200);
    const cookie = cookieFrom(signIn, SESSION_COOKIE)!;
    const headers = () => gatewayHeaders(platform, tenant, { sessionCookie: cookie });
    return {
      create: (body: object) => http(server.url, { method: 'POST', path: '/api/links', headers: headers(), cookie, body }),
      list: async () => (await http(server.url, { path: '/api/links', headers: headers(), cookie })).json<{ links: LinkView[] }>().links,
    };
  }

  it('gives release 2 tenants titles and tags', async () => {
    const api = await as(release2, onTwo);
    const created = await api.create({ url: 'https://example.com/spring', code: 'spring', title: 'Spring sale', tags: ['promo', 'q2'] });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ code: 'spring', title: 'Spring sale', tags: ['promo', 'q2'] });
    const untitled = await api.create({ url: 'https://shop.example.org/x', code: 'untitled' });
    expect(untitled.json()).toMatchObject({ title: 'shop.example.org', tags: [] });
    expect((await api.list()).map((l) => [l.code, l.title, l.tags])).toEqual([
      ['untitled', 'shop.example.org', []],
      ['spring', 'Spring sale', ['promo', 'q2']],
    ]);
    const bad = await api.create({ url: 'https://example.com/', tags: ['Not A Tag'] });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'LINK_INVALID_DETAILS' });
  });

  it('keeps release 1 tenants on release 1: no titles, and a clear refusal of one', async () => {
    const api = await as(release1, onOne);
    expect((await api.create({ url: 'https://example.com/old', code: 'old' })).json()).not.toHaveProperty('title');
    const refused = await api.create({ url: 'https://example.com/t', title: 'New feature' });
    expect(refused.status).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'LINK_NEEDS_NEWER_RELEASE', message: `titles and tags come with release 2; this workspace is served by release 1 (pool ${platform.pool.name})` });
    expect((await api.list()).map((l) => Object.keys(l).sort())).toEqual([['code', 'createdAt', 'createdBy', 'id', 'url']]);
  });

  it('runs release 1 on a schema migrated to release 2, and release 2 reads what it wrote', async () => {
    // The pool's schemas go to release 2 (with the backfill: existing links get their host as title).
    const report = await migrateFleet({ db: platform.poolDb.pool, tenants: [onOne.slug], migrations: tenantMigrationsFor(2), concurrency: 1 });
    expect(report.migrated.map((m) => m.ran)).toEqual([['0004_link_details']]);
    const old = await as(release1, onOne);
    expect((await old.create({ url: 'https://later.example.net/', code: 'later' })).status).toBe(201);
    const next = await as(release2, onOne);
    expect((await next.list()).map((l) => [l.code, l.title, l.tags])).toEqual([
      ['later', 'later.example.net', []], // written by release 1 after the migration: no details row
      ['old', 'example.com', []], // backfilled
    ]);
  });
});
