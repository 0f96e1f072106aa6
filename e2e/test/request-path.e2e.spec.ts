import { request } from 'node:http';
import { SESSION_COOKIE } from '@mysaas/auth';
import { startAppServer, type StartedAppServer } from '@mysaas/app-server';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { TENANT_CONTEXT_HEADER, TenantContextSigner } from '@mysaas/tenancy';
import {
  cookieFrom,
  createTenant,
  eventually,
  createTestPlatform,
  http,
  type HttpRequest,
  type HttpResponse,
  type TestPlatform,
  type TestTenant,
  uniqueSlug,
} from '@mysaas/testing';
import { startGateway, type StartedGateway } from '@mysaas/gateway';

/**
 * The whole request path with two tenants: gateway -> app server -> tenant schema, with the
 * control plane changing routing underneath.
 */
describe('gateway end to end', () => {
  let platform: TestPlatform;
  let appServer: StartedAppServer;
  let controlPlane: StartedControlPlane;
  let gateway: StartedGateway;
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    [acme, globex] = [
      await createTenant(platform, { slug: uniqueSlug('acme'), name: 'Acme Corp' }),
      await createTenant(platform, { slug: uniqueSlug('globex'), name: 'Globex' }),
    ];
    appServer = await startAppServer(platform.appServerConfig());
    await platform.setUpstreams([appServer.url]);
    controlPlane = await startControlPlane(platform.controlPlaneConfig());
    gateway = await startGateway(platform.gatewayConfig());
  });

  afterAll(async () => {
    await gateway?.close();
    await controlPlane?.close();
    await appServer?.close();
    await platform?.cleanup();
  });

  const hostOf = (tenant: TestTenant) => `${tenant.slug}.localhost:${gateway.port}`;
  const call = (tenant: TestTenant | string, req: Omit<HttpRequest, 'host'>): Promise<HttpResponse> =>
    http(gateway.url, { ...req, host: typeof tenant === 'string' ? tenant : hostOf(tenant) });
  const admin = (method: string, path: string) =>
    http(controlPlane.url, { method, path, headers: { authorization: `Bearer ${platform.secrets.adminToken}` } });

  async function signIn(tenant: TestTenant): Promise<string> {
    const res = await call(tenant, { method: 'POST', path: '/auth/login', body: tenant.admin });
    expect(res.status).toBe(200);
    return cookieFrom(res, SESSION_COOKIE)!;
  }

  const linkCount = async (tenant: TestTenant) =>
    (await platform.poolDb.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tenant.schema}.links`)).rows[0]!.n;

  describe('sessions across tenants', () => {
    it('signs in on acme and serves /api/me for acme', async () => {
      const cookie = await signIn(acme);
      const me = await call(acme, { path: '/api/me', cookie });
      expect(me.status).toBe(200);
      expect(me.json()).toMatchObject({ user: { email: acme.admin.email }, tenant: { slug: acme.slug, name: 'Acme Corp' } });
      expect(me.headers['x-request-id']).toEqual(expect.any(String));
    });

    it("refuses acme's cookie on globex's host with 401, before any app server sees it", async () => {
      const cookie = await signIn(acme);
      const res = await call(globex, { path: '/api/me', cookie });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'SESSION_WRONG_TENANT' });
      expect(res.json<{ message: string }>().message).toContain(`not ${globex.slug}`);
    });

    it("keeps acme's links invisible to globex", async () => {
      const acmeCookie = await signIn(acme);
      const globexCookie = await signIn(globex);
      const created = await call(acme, { method: 'POST', path: '/api/links', cookie: acmeCookie, body: { url: 'https://acme.example/secret-plan' } });
      expect(created.status).toBe(201);
      const acmeCode = created.json<{ code: string }>().code;
      await call(globex, { method: 'POST', path: '/api/links', cookie: globexCookie, body: { url: 'https://globex.example/' } });

      const globexLinks = (await call(globex, { path: '/api/links', cookie: globexCookie })).json<{ links: Array<{ code: string; url: string }> }>().links;
      expect(globexLinks.map((l) => l.url)).toEqual(['https://globex.example/']);
      expect(globexLinks.map((l) => l.code)).not.toContain(acmeCode);
      const acmeLinks = (await call(acme, { path: '/api/links', cookie: acmeCookie })).json<{ links: Array<{ code: string }> }>().links;
      expect(acmeLinks.map((l) => l.code)).toContain(acmeCode);
    });

    it('refuses a session after logout', async () => {
      const cookie = await signIn(acme);
      const out = await call(acme, { method: 'POST', path: '/auth/logout', cookie });
      expect(out.status).toBe(200);
      const after = await call(acme, { path: '/api/me', cookie });
      expect(after.status).toBe(401);
      expect(after.json()).toMatchObject({ code: 'SESSION_ENDED' });
    });

    it('refuses a wrong password with 401', async () => {
      const res = await call(acme, { method: 'POST', path: '/auth/login', body: { email: acme.admin.email, password: 'not-my-password' } });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    });

    it('refuses protected routes without a cookie, and a tampered cookie', async () => {
      expect((await call(acme, { path: '/api/links' })).json()).toMatchObject({ statusCode: 401, code: 'SESSION_REQUIRED' });
      const cookie = await signIn(acme);
      const tampered = cookie.slice(0, -3) + (cookie.endsWith('AAA') ? 'BBB' : 'AAA');
      expect((await call(acme, { path: '/api/links', cookie: tampered })).json()).toMatchObject({ statusCode: 401, code: 'SESSION_INVALID' });
    });
  });

  describe('hosts', () => {
    it.each([
      ['nobody-here.localhost', 404, 'TENANT_UNKNOWN', 'no workspace named "nobody-here"'],
      ['www.localhost', 404, 'TENANT_UNKNOWN', 'no workspace named "www"'],
      ['localhost', 400, 'NOT_A_TENANT_HOST', "platform's base domain"],
      ['example.com', 400, 'NOT_A_TENANT_HOST', 'not a subdomain of localhost'],
      ['a.b.localhost', 400, 'NOT_A_TENANT_HOST', 'more than one label'],
      ['bad_host!.localhost', 400, 'HOST_MALFORMED', 'not a valid host name'],
      ['acme.localhost:99999', 400, 'HOST_MALFORMED', 'invalid port'],
    ])('answers Host %s with %i %s', async (host, status, code, message) => {
      const res = await call(host, { path: '/api/me' });
      expect(res.status).toBe(status);
      expect(res.json()).toMatchObject({ statusCode: status, code });
      expect(res.json<{ message: string }>().message).toContain(message);
    });

    it('resolves the tenant case-insensitively, port ignored', async () => {
      const res = await call(`${acme.slug.toUpperCase()}.LocalHost:1234`, { path: '/login' });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Sign in to Acme Corp');
    });

    it('shows browsers an error page instead of JSON', async () => {
      const res = await call('nobody-here.localhost', { path: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.text).toContain('Workspace not found');
    });

    it('answers health probes on any host', async () => {
      expect((await call('10.0.0.1:3000', { path: '/healthz' })).status).toBe(200);
      expect((await call('10.0.0.1:3000', { path: '/readyz' })).status).toBe(200);
    });
  });

  describe('routing changes', () => {
    it('refuses a suspended tenant with 403 at once, and serves it again on resume', async () => {
      const tenant = await createTenant(platform, { slug: uniqueSlug('susp') });
      expect((await call(tenant, { path: '/login' })).status).toBe(200); // now cached
      expect((await admin('POST', `/platform/tenants/${tenant.slug}/suspend`)).status).toBe(200);
      await eventually(async () => {
        const res = await call(tenant, { path: '/login' });
        expect(res.status).toBe(403);
        expect(res.json()).toMatchObject({ code: 'TENANT_SUSPENDED' });
      });
      expect((await admin('POST', `/platform/tenants/${tenant.slug}/resume`)).status).toBe(200);
      await eventually(async () => expect((await call(tenant, { path: '/login' })).status).toBe(200));
    });

    it('finds a tenant created after an unknown-tenant answer was cached', async () => {
      const slug = uniqueSlug('late');
      expect((await call(`${slug}.localhost`, { path: '/login' })).status).toBe(404);
      const tenant = await createTenant(platform, { slug });
      await platform.announce({ kind: 'tenant', slug });
      await eventually(async () => expect((await call(tenant, { path: '/login' })).status).toBe(200));
    });
  });

  describe('bad input', () => {
    it('strips a client-supplied tenant context: it cannot impersonate another tenant', async () => {
      const forged = new TenantContextSigner(platform.secrets.tenantContext).sign({
        tenant: { id: globex.id, slug: globex.slug, name: globex.name }, pool: 'v1', requestId: 'x',
      });
      const res = await call(acme, { path: '/login', headers: { [TENANT_CONTEXT_HEADER]: forged } });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Acme Corp');
      expect(res.text).not.toContain('Globex');
    });

    it('refuses a body over the gateway limit with 413 before forwarding it', async () => {
      const cookie = await signIn(acme);
      const before = await linkCount(acme);
      const res = await call(acme, { method: 'POST', path: '/api/links', cookie, body: { url: `https://x.example/${'a'.repeat(70 * 1024)}` } });
      expect(res.status).toBe(413);
      expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
      expect(await linkCount(acme)).toBe(before);
    });

    /** POSTs a JSON body of about `kib` KiB, chunked (no length the gateway could check up front). */
    const postChunked = (gateway: { port: number }, path: string, cookie: string, kib: number, links = false) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: gateway.port, method: 'POST', path, headers: {
            host: `${acme.slug}.localhost:${gateway.port}`, cookie, 'content-type': 'application/json', 'transfer-encoding': 'chunked',
          } },
          (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write(links ? '{"links": [{"url": "https://x.example/' : '{"url": "https://x.example/');
        for (let i = 0; i < kib; i++) req.write('a'.repeat(1024));
        req.end(links ? '"}]}' : '"}');
      });

    it('cuts off a chunked body that grows past its limit with 413, writing nothing', async () => {
      // A gateway whose cap (4 KiB) is below the app server's (16 KiB): the 413 must be its own.
      const strict = await startGateway(platform.gatewayConfig({ limits: { maxBodyBytes: 4096, bulkMaxBodyBytes: 8192, upstreamTimeoutMs: 10_000 } }));
      try {
        const cookie = await signIn(acme);
        const before = await linkCount(acme);
        const res = await postChunked(strict, '/api/links', cookie, 8);
        expect(res.status).toBe(413);
        expect(JSON.parse(res.body)).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'request body is larger than 4096 bytes' });
        expect(await linkCount(acme)).toBe(before);
      } finally {
        await strict.close();
      }
    });

    it('gives only a bulk upload (POST …/imports) the larger body limit, itself counted while the body streams', async () => {
      const strict = await startGateway(platform.gatewayConfig({ limits: { maxBodyBytes: 4096, bulkMaxBodyBytes: 8192, upstreamTimeoutMs: 10_000 } }));
      try {
        const cookie = await signIn(acme);
        // Between the two limits: forwarded to an import, cut off anywhere else (a query naming imports included).
        expect((await postChunked(strict, '/api/links/imports', cookie, 6, true)).status).not.toBe(413);
        const elsewhere = await postChunked(strict, '/api/links?then=/imports', cookie, 6);
        expect(elsewhere.status).toBe(413);
        expect(JSON.parse(elsewhere.body)).toMatchObject({ message: 'request body is larger than 4096 bytes' });
        // Past the bulk limit: cut off too.
        const tooLarge = await postChunked(strict, '/api/links/imports', cookie, 10, true);
        expect(tooLarge.status).toBe(413);
        expect(JSON.parse(tooLarge.body)).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'request body is larger than 8192 bytes' });
      } finally {
        await strict.close();
      }
    });

    it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
      const res = await call(acme, { path: '/api/%E0%A4%A' });
      expect(res.status).toBe(400);
    });

    it('passes the app server’s own 413 through for bodies between the two limits', async () => {
      const cookie = await signIn(acme);
      const res = await call(acme, { method: 'POST', path: '/api/links', cookie, body: { url: `https://x.example/${'a'.repeat(20 * 1024)}` } });
      expect(res.status).toBe(413);
      expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'request body is larger than 16384 bytes' });
    });

    it('refuses an invalid link URL with 400 and creates nothing', async () => {
      const cookie = await signIn(acme);
      const before = await linkCount(acme);
      const res = await call(acme, { method: 'POST', path: '/api/links', cookie, body: { url: 'javascript:alert(document.cookie)' } });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'LINK_INVALID_URL' });
      expect(await linkCount(acme)).toBe(before);
    });

    it("refuses a state change posted from another tenant's page", async () => {
      const cookie = await signIn(acme);
      const before = await linkCount(acme);
      const res = await call(acme, {
        method: 'POST', path: '/api/links', cookie, body: { url: 'https://evil.example' },
        headers: { origin: `http://${hostOf(globex)}` },
      });
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ code: 'CROSS_ORIGIN_REQUEST' });
      expect(await linkCount(acme)).toBe(before);
      const sameOrigin = await call(acme, {
        method: 'POST', path: '/api/links', cookie, body: { url: 'https://fine.example' }, headers: { origin: `http://${hostOf(acme)}` },
      });
      expect(sameOrigin.status).toBe(201);
    });
  });

  describe('the sign-in page', () => {
    it('shows the tenant name, signs in through the form and lands on the links page', async () => {
      const page = await call(acme, { path: '/login' });
      expect(page.text).toContain('Sign in to Acme Corp');
      const form = new URLSearchParams({ email: acme.admin.email, password: acme.admin.password }).toString();
      const posted = await call(acme, {
        method: 'POST', path: '/login', body: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://${hostOf(acme)}` },
      });
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe('/');
      const cookie = cookieFrom(posted, SESSION_COOKIE)!;
      const home = await call(acme, { path: '/', cookie });
      expect(home.status).toBe(200);
      expect(home.text).toContain('Acme Corp links');
      expect(home.text).toContain(acme.admin.email);
    });

    it('sends a wrong password back to the form with a message', async () => {
      const form = new URLSearchParams({ email: acme.admin.email, password: 'wrong-password' }).toString();
      const posted = await call(acme, { method: 'POST', path: '/login', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe('/login?error=credentials');
      expect(cookieFrom(posted, SESSION_COOKIE)).toBeUndefined();
      expect((await call(acme, { path: '/login?error=credentials' })).text).toContain('Email or password is incorrect.');
    });

    it('sends a visitor without a session from / to the sign-in page', async () => {
      const res = await call(acme, { path: '/' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    });
  });

  describe('upstreams', () => {
    it('answers 502 when the pool has no reachable app server, and 503 when it has none', async () => {
      await platform.setUpstreams(['http://127.0.0.1:1']);
      await eventually(async () => expect((await call(acme, { path: '/login' })).status).toBe(502));
      await platform.setUpstreams([]);
      await eventually(async () => {
        const res = await call(acme, { path: '/login' });
        expect(res.status).toBe(503);
        expect(res.json()).toMatchObject({ code: 'POOL_UNAVAILABLE' });
      });
      await platform.setUpstreams(['http://127.0.0.1:1', appServer.url]);
      // A refused connection moves on to the next app server for requests without a body.
      await eventually(async () => {
        for (let i = 0; i < 4; i++) expect((await call(acme, { path: '/login' })).status).toBe(200);
      });
    });
  });
});
