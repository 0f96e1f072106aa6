import { request } from 'node:http';
import { DataSource } from 'typeorm';
import { SESSION_COOKIE } from '@mysaas/auth';
import type { AppServerConfig } from '@mysaas/config';
import { TenantDatabase } from '@mysaas/db';
import { TENANT_CONTEXT_HEADER, TenantContextSigner } from '@mysaas/tenancy';
import {
  cookieFrom,
  createTenant,
  createTestPlatform,
  gatewayHeaders,
  http,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { startAppServer, type StartedAppServer } from '../../src/app-server';

/** The app server on its own, addressed as the gateway would (signed tenant context). */
describe('app server', () => {
  let platform: TestPlatform;
  let server: StartedAppServer;
  let acme: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform, { name: 'Acme Corp' });
    server = await startAppServer(platform.appServerConfig());
  });

  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  const countLinks = async () =>
    (await platform.poolDb.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${acme.schema}.links`)).rows[0]!.n;

  async function signIn(): Promise<string> {
    const res = await http(server.url, {
      method: 'POST',
      path: '/auth/login',
      headers: gatewayHeaders(platform, acme),
      body: acme.admin,
    });
    expect(res.status).toBe(200);
    const cookie = cookieFrom(res, SESSION_COOKIE);
    expect(cookie).toBeDefined();
    return cookie!;
  }

  describe('tenant context', () => {
    it('refuses a request without a signed context with 401', async () => {
      const res = await http(server.url, { path: '/api/me' });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ statusCode: 401, code: 'TENANT_CONTEXT_MISSING' });
      expect(res.json<{ message: string }>().message).toContain('only accept requests routed by the gateway');
    });

    it('refuses a forged context and writes nothing', async () => {
      const forger = new TenantContextSigner('f'.repeat(64));
      const forged = forger.sign({
        tenant: { id: acme.id, slug: acme.slug, name: acme.name },
        pool: 'v1',
        requestId: 'forged',
        session: { id: '00000000-0000-4000-8000-000000000000', userId: '00000000-0000-4000-8000-000000000000' },
      });
      const before = await countLinks();
      const res = await http(server.url, {
        method: 'POST',
        path: '/api/links',
        headers: { [TENANT_CONTEXT_HEADER]: forged },
        body: { url: 'https://example.com/forged' },
      });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'TENANT_CONTEXT_INVALID' });
      expect(await countLinks()).toBe(before);
    });

    it('refuses an expired context', async () => {
      const headers = gatewayHeaders(platform, acme, { ttlSeconds: 30, now: Math.floor(Date.now() / 1000) - 120 });
      const res = await http(server.url, { path: '/login', headers });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'TENANT_CONTEXT_EXPIRED', message: 'the tenant context has expired' });
    });

    it('refuses a context issued for another pool with 421', async () => {
      const res = await http(server.url, { path: '/login', headers: gatewayHeaders(platform, acme, { pool: 'v2' }) });
      expect(res.status).toBe(421);
      expect(res.json()).toMatchObject({ code: 'TENANT_CONTEXT_WRONG_POOL' });
    });

    it('answers health checks without a tenant', async () => {
      expect((await http(server.url, { path: '/healthz' })).json()).toEqual({ status: 'ok', pool: 'v1', release: 1 });
      expect((await http(server.url, { path: '/readyz' })).status).toBe(200);
    });
  });

  describe('sign-in', () => {
    it('refuses a wrong password with 401 and a clear message', async () => {
      const res = await http(server.url, {
        method: 'POST',
        path: '/auth/login',
        headers: gatewayHeaders(platform, acme),
        body: { email: acme.admin.email, password: 'wrong-password' },
      });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'email or password is incorrect' });
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('refuses missing credentials with 400', async () => {
      const res = await http(server.url, {
        method: 'POST',
        path: '/auth/login',
        headers: gatewayHeaders(platform, acme),
        body: { email: acme.admin.email },
      });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'CREDENTIALS_MISSING' });
    });

    it('refuses non-string credentials with 400 rather than failing', async () => {
      const res = await http(server.url, {
        method: 'POST',
        path: '/auth/login',
        headers: gatewayHeaders(platform, acme),
        body: { email: { $ne: '' }, password: ['x'] },
      });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'CREDENTIALS_MISSING', message: 'email and password are required, as strings' });
    });

    it('sets an HttpOnly, SameSite=Lax, host-only session cookie', async () => {
      const res = await http(server.url, {
        method: 'POST',
        path: '/auth/login',
        headers: gatewayHeaders(platform, acme),
        body: { email: acme.admin.email.toUpperCase(), password: acme.admin.password },
      });
      expect(res.status).toBe(200);
      const setCookie = res.headers['set-cookie']?.[0] ?? '';
      expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Lax');
      expect(setCookie).not.toMatch(/Domain=/i);
    });

    it('serves /api/me for a live session and 401 without one', async () => {
      const cookie = await signIn();
      const me = await http(server.url, { path: '/api/me', headers: gatewayHeaders(platform, acme, { sessionCookie: cookie }) });
      expect(me.status).toBe(200);
      expect(me.json()).toEqual({
        user: { id: expect.any(String), email: acme.admin.email },
        tenant: { id: acme.id, slug: acme.slug, name: 'Acme Corp' },
        pool: { name: 'v1', release: 1 },
      });
      const anonymous = await http(server.url, { path: '/api/me', headers: gatewayHeaders(platform, acme) });
      expect(anonymous.status).toBe(401);
      expect(anonymous.json()).toMatchObject({ code: 'SESSION_REQUIRED' });
    });

    it('refuses a session after logout', async () => {
      const cookie = await signIn();
      const headers = () => gatewayHeaders(platform, acme, { sessionCookie: cookie });
      const out = await http(server.url, { method: 'POST', path: '/auth/logout', headers: headers() });
      expect(out.status).toBe(200);
      expect(out.headers['set-cookie']?.[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
      const after = await http(server.url, { path: '/api/me', headers: headers() });
      expect(after.status).toBe(401);
      expect(after.json()).toMatchObject({ code: 'SESSION_ENDED' });
    });
  });

  describe('links', () => {
    let cookie: string;
    beforeAll(async () => {
      cookie = await signIn();
    });
    const post = (body: unknown, extra: Record<string, string> = {}) =>
      http(server.url, {
        method: 'POST',
        path: '/api/links',
        headers: { ...gatewayHeaders(platform, acme, { sessionCookie: cookie }), ...extra },
        body,
      });

    it('creates a link with a generated code and lists it', async () => {
      const created = await post({ url: 'https://example.com/launch' });
      expect(created.status).toBe(201);
      const link = created.json<{ code: string; url: string }>();
      expect(link.code).toMatch(/^[A-Za-z0-9]{7}$/);
      expect(link.url).toBe('https://example.com/launch');
      const list = await http(server.url, { path: '/api/links', headers: gatewayHeaders(platform, acme, { sessionCookie: cookie }) });
      expect(list.json<{ links: Array<{ code: string }> }>().links.map((l) => l.code)).toContain(link.code);
    });

    it('refuses a code that is taken with 409 and keeps the first link', async () => {
      expect((await post({ url: 'https://example.com/a', code: 'spring-sale' })).status).toBe(201);
      const again = await post({ url: 'https://example.com/b', code: 'spring-sale' });
      expect(again.status).toBe(409);
      expect(again.json()).toMatchObject({ code: 'LINK_CODE_TAKEN' });
      const { rows } = await platform.poolDb.pool.query(`SELECT url FROM ${acme.schema}.links WHERE code = 'spring-sale'`);
      expect(rows).toEqual([{ url: 'https://example.com/a' }]);
    });

    it.each([
      [{ url: 'javascript:alert(1)' }, 'LINK_INVALID_URL', 'not javascript'],
      [{ url: 'ftp://example.com' }, 'LINK_INVALID_URL', 'not ftp'],
      [{ url: 'not a url' }, 'LINK_INVALID_URL', 'absolute http'],
      [{}, 'VALIDATION_FAILED', 'url is required'],
      [{ url: 42 }, 'VALIDATION_FAILED', 'url is required and must be a string'],
      [{ url: 'https://example.com', code: 'a b' }, 'VALIDATION_FAILED', 'code must be 3 to 32'],
      [{ url: 'https://example.com', admin: true }, 'VALIDATION_FAILED', 'property admin should not exist'],
    ])('refuses %j with 400 %s and writes nothing', async (body, code, message) => {
      const before = await countLinks();
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, code });
      expect(res.json<{ message: string }>().message).toContain(message);
      expect(await countLinks()).toBe(before);
    });

    it('refuses a body over the size limit with 413', async () => {
      const res = await post({ url: `https://example.com/${'a'.repeat(20 * 1024)}` });
      expect(res.status).toBe(413);
      expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'request body is larger than 16384 bytes' });
    });

    it('refuses malformed JSON with 400', async () => {
      const res = await post('{"url": ', { 'content-type': 'application/json' });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'MALFORMED_BODY' });
    });

    it('refuses an out-of-range list limit with 400', async () => {
      const res = await http(server.url, { path: '/api/links?limit=100000', headers: gatewayHeaders(platform, acme, { sessionCookie: cookie }) });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: 'limit must be at most 500' });
    });
  });

  describe('pages', () => {
    let cookie: string;
    beforeAll(async () => {
      cookie = await signIn();
    });
    const page = (path: string, session = true) =>
      http(server.url, { path, headers: gatewayHeaders(platform, acme, session ? { sessionCookie: cookie } : {}) });
    const postForm = (fields: Record<string, string>) =>
      http(server.url, {
        method: 'POST',
        path: '/links',
        headers: { ...gatewayHeaders(platform, acme, { sessionCookie: cookie }), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const storedCodes = async () =>
      (await platform.poolDb.pool.query<{ code: string }>(`SELECT code FROM ${acme.schema}.links`)).rows.map((r) => r.code);
    const ERROR_BOX = 'class="error"';

    it('creates a link from the form and shows it', async () => {
      const posted = await postForm({ url: 'https://example.com/from-form', code: 'from-form' });
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe('/');
      expect(await storedCodes()).toContain('from-form');
      const home = await page('/');
      expect(home.text).toContain('https://example.com/from-form');
      expect(home.text).not.toContain(ERROR_BOX);
    });

    it.each([
      [{ url: 'https://example.com', code: 'a'.repeat(33) }, 'LINK_INVALID_CODE', 'A short code is 3 to 32 letters, digits'],
      [{ url: 'https://example.com', code: 'a/b' }, 'LINK_INVALID_CODE', 'A short code is 3 to 32 letters, digits'],
      [{ url: 'https://example.com', code: '<svg/onload=alert(1)>' }, 'LINK_INVALID_CODE', 'A short code is 3 to 32 letters, digits'],
      [{ url: 'javascript:alert(1)' }, 'LINK_INVALID_URL', 'full http:// or https:// address'],
      [{ url: '' }, 'LINK_INVALID_URL', 'full http:// or https:// address'],
    ])('sends the form %j back with ?error=%s, stores nothing, and shows a fixed message', async (fields, code, message) => {
      const before = await storedCodes();
      const posted = await postForm(fields);
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe(`/?error=${code}`);
      expect(await storedCodes()).toEqual(before);
      const shown = await page(posted.headers.location!);
      expect(shown.status).toBe(200);
      expect(shown.text).toContain(message);
      expect(shown.text).not.toContain('svg/onload');
      expect(shown.text).not.toContain('javascript:');
    });

    it('refuses a code field sent twice instead of making up a code', async () => {
      const before = await storedCodes();
      const posted = await http(server.url, {
        method: 'POST',
        path: '/links',
        headers: { ...gatewayHeaders(platform, acme, { sessionCookie: cookie }), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'url=https%3A%2F%2Fexample.com%2Ftwice&code=first-one&code=second-one',
      });
      expect(posted.headers.location).toBe('/?error=LINK_INVALID_CODE');
      expect(await storedCodes()).toEqual(before);
    });

    it('sends a taken code back with ?error=LINK_CODE_TAKEN and keeps the first link', async () => {
      expect((await postForm({ url: 'https://example.com/first', code: 'taken-by-form' })).status).toBe(303);
      const again = await postForm({ url: 'https://example.com/second', code: 'taken-by-form' });
      expect(again.headers.location).toBe('/?error=LINK_CODE_TAKEN');
      const { rows } = await platform.poolDb.pool.query(`SELECT url FROM ${acme.schema}.links WHERE code = 'taken-by-form'`);
      expect(rows).toEqual([{ url: 'https://example.com/first' }]);
      expect((await page('/?error=LINK_CODE_TAKEN')).text).toContain('That short code is already used by another link.');
    });

    it.each(['__proto__', 'constructor', 'toString'])('answers /login?error=%s with the plain sign-in page', async (error) => {
      const res = await page(`/login?error=${error}`, false);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Sign in to Acme Corp');
      expect(res.text).not.toContain(ERROR_BOX);
      // The box this test looks for does appear for a known code.
      expect((await page('/login?error=credentials', false)).text).toContain(ERROR_BOX);
    });

    it.each([
      ['free text', `/?error=${encodeURIComponent('Your account is locked. Call +1 555 0100 to unlock it.')}`],
      ['an inherited name', '/?error=__proto__'],
      ['a repeated parameter', '/?error=LINK_CODE_TAKEN&error=x'],
    ])('shows no message on the links page for %s', async (_, path) => {
      const res = await page(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Acme Corp links');
      expect(res.text).not.toContain(ERROR_BOX);
      expect(res.text).not.toContain('555 0100');
    });
  });

  const smallDatabase = (changes: Partial<AppServerConfig['database']>) => ({ ...platform.appServerConfig().database, ...changes });

  it('answers 503 instead of hanging when no database connection frees up in time', async () => {
    const small = await startAppServer(platform.appServerConfig({ database: smallDatabase({ maxConnections: 1, connectionWaitMs: 300 }) }));
    const held = small.app.get(DataSource).createQueryRunner();
    await held.connect();
    try {
      const res = await http(small.url, { path: '/login', headers: gatewayHeaders(platform, acme) });
      expect(res.status).toBe(503);
      expect(res.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    } finally {
      await held.release();
      await small.close();
    }
  });

  it("runs one tenant's password checks one at a time (429 past a short wait) while another tenant signs in", async () => {
    const globex = await createTenant(platform, { name: 'Globex' });
    const small = await startAppServer(platform.appServerConfig({ signIn: { passwordChecksPerTenant: 1, waitMs: 1 } }));
    try {
      const login = (tenant: TestTenant) =>
        http(small.url, { method: 'POST', path: '/auth/login', headers: gatewayHeaders(platform, tenant), body: tenant.admin });
      const [acmeLogins, globexLogin] = await Promise.all([Promise.all([1, 2, 3, 4, 5, 6].map(() => login(acme))), login(globex)]);
      const statuses = acmeLogins.map((r) => r.status);
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(acmeLogins.find((r) => r.status === 429)!.json()).toMatchObject({ code: 'SIGNIN_BUSY' });
      expect(acmeLogins.find((r) => r.status === 429)!.headers['x-mysaas-signin-result']).toBeUndefined();
      expect(globexLogin.status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it("holds a tenant to its share of the connections (429) while another tenant is served", async () => {
    const globex = await createTenant(platform, { name: 'Globex' });
    const small = await startAppServer(
      platform.appServerConfig({ database: smallDatabase({ maxConnections: 3, maxConnectionsPerTenant: 2, connectionWaitMs: 300 }) }),
    );
    const tenantDb = small.app.get(TenantDatabase);
    const held = [await tenantDb.begin(acme), await tenantDb.begin(acme)];
    try {
      const refused = await http(small.url, { path: '/login', headers: gatewayHeaders(platform, acme) });
      expect(refused.status).toBe(429);
      expect(refused.json()).toMatchObject({ code: 'TENANT_BUSY' });
      expect(refused.json<{ message: string }>().message).toContain('already using its 2 database connections');
      expect(refused.headers['retry-after']).toBe('1');
      const served = await http(small.url, { path: '/login', headers: gatewayHeaders(platform, globex) });
      expect(served.status).toBe(200);
      expect(served.text).toContain('Sign in to Globex');
    } finally {
      for (const tx of held) await tx.rollback();
      await small.close();
    }
    expect(tenantDb.connectionsHeldBy(acme.id)).toBe(0);
  });

  it("answers 503 TENANT_MOVING with Retry-After: 1 while a move's cutover has revoked the tenant's role from this pool, and serves it once granted back", async () => {
    const initech = await createTenant(platform, { name: 'Initech' });
    const request = () => http(server.url, { path: '/login', headers: gatewayHeaders(platform, initech) });
    await platform.poolDb.pool.query(`REVOKE ${initech.role} FROM ${platform.pool.appRole}`);
    try {
      const refused = await request();
      expect(refused.status).toBe(503);
      expect(refused.json()).toMatchObject({
        code: 'TENANT_MOVING',
        message: `the workspace ${initech.slug} is moving to a new server; retry in a moment`,
      });
      expect(refused.headers['retry-after']).toBe('1');
    } finally {
      await platform.poolDb.pool.query(`GRANT ${initech.role} TO ${platform.pool.appRole}`);
    }
    const served = await request();
    expect(served.status).toBe(200);
    expect(served.text).toContain('Sign in to Initech');
  });

  it('releases the connection of a request whose client disconnects mid-way', async () => {
    const small = await startAppServer(platform.appServerConfig({ database: smallDatabase({ maxConnections: 1, connectionWaitMs: 2_000 }) }));
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve) => {
          const body = JSON.stringify(acme.admin);
          const req = request(`${small.url}/auth/login`, {
            method: 'POST',
            headers: { ...gatewayHeaders(platform, acme), 'content-type': 'application/json', 'content-length': String(body.length) },
          });
          req.on('error', () => resolve());
          req.end(body, () => setTimeout(() => req.destroy(), 5));
          req.on('close', () => resolve());
        });
      }
      const res = await http(small.url, { path: '/api/me', headers: gatewayHeaders(platform, acme, { sessionCookie: await signIn() }) });
      expect(res.status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await http(server.url, { path: '/nope', headers: gatewayHeaders(platform, acme) });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});
