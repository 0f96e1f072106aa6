import { SESSION_COOKIE, SessionTokenCodec } from '@mysaas/auth';
import { TENANT_CONTEXT_HEADER, TenantContextSigner } from '@mysaas/tenancy';
import {
  createTenant,
  createTestPlatform,
  rawHttp,
  startRecordingServer,
  uniqueSlug,
  type RawResponse,
  type RecordingServer,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { startGateway, type StartedGateway } from '../../src/gateway';

/**
 * The edge as an attacker meets it. The pool's only upstream is a recording server, and a
 * second one stands for everything else listening nearby (the control plane, a database
 * admin page): whatever the request target says, nothing may reach the bystander, and the
 * pool must receive exactly the path the gateway judged.
 */
describe('gateway edge: where a request may go', () => {
  let platform: TestPlatform;
  let pool: RecordingServer;
  let bystander: RecordingServer;
  let gateway: StartedGateway;
  let acme: TestTenant;
  let acmeCookie: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform, { slug: uniqueSlug('acme') });
    pool = await startRecordingServer('pool');
    bystander = await startRecordingServer('bystander');
    await platform.setUpstreams([pool.url]);
    gateway = await startGateway(platform.gatewayConfig());
    const now = Math.floor(Date.now() / 1000);
    const token = new SessionTokenCodec(platform.secrets.session).sign({
      sid: '00000000-0000-4000-8000-000000000001', tid: acme.id, uid: '00000000-0000-4000-8000-000000000002', iat: now, exp: now + 600,
    });
    acmeCookie = `${SESSION_COOKIE}=${token}`;
  });

  afterAll(async () => {
    await gateway?.close();
    await pool?.close();
    await bystander?.close();
    await platform?.cleanup();
  });

  beforeEach(() => {
    pool.received.length = 0;
    bystander.received.length = 0;
  });

  const host = () => `${acme.slug}.localhost:${gateway.port}`;
  const send = (requestLine: string, headers: string[] = [`Host: ${host()}`]): Promise<RawResponse> =>
    rawHttp(gateway.port, `${requestLine}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n`);
  const json = (res: RawResponse) => JSON.parse(res.body) as Record<string, unknown>;

  describe('request targets that name another server are refused and never forwarded', () => {
    const tricks = (port: number) => [
      `GET //127.0.0.1:${port}/healthz HTTP/1.1`,
      `GET ///127.0.0.1:${port}/healthz HTTP/1.1`,
      `GET http://127.0.0.1:${port}/healthz HTTP/1.1`,
      `GET HTTP://127.0.0.1:${port}/ HTTP/1.1`,
      `POST http://127.0.0.1:${port}/platform/tenants HTTP/1.1`,
      `GET /\\127.0.0.1:${port}/ HTTP/1.1`,
      `GET /\\/127.0.0.1:${port}/ HTTP/1.1`,
      `GET /%2F%2F127.0.0.1:${port}/ HTTP/1.1`,
      `GET /%2f127.0.0.1:${port}/ HTTP/1.1`,
      `GET /%5C%5C127.0.0.1:${port}/ HTTP/1.1`,
      `GET /x#@127.0.0.1:${port}/ HTTP/1.1`,
      `OPTIONS * HTTP/1.1`,
      `GET 127.0.0.1:${port} HTTP/1.1`,
      `GET @127.0.0.1:${port}/ HTTP/1.1`,
      `CONNECT 127.0.0.1:${port} HTTP/1.1`,
    ];

    it('answers each with 400 (or closes the connection), signed in or not', async () => {
      const answered: string[] = [];
      for (const line of tricks(bystander.port)) {
        for (const cookie of [[], [`Cookie: ${acmeCookie}`]]) {
          const res = await send(line, [`Host: ${host()}`, ...cookie]);
          if (res.status !== 400 && res.status !== 0) answered.push(`${line} -> ${res.status}`);
        }
      }
      expect(answered).toEqual([]);
      expect(bystander.received).toEqual([]);
      expect(pool.received).toEqual([]);
    });

    it('says what was wrong with the target and how to send it', async () => {
      const res = await send(`GET http://127.0.0.1:${bystander.port}/healthz HTTP/1.1`);
      expect(res.status).toBe(400);
      expect(json(res)).toMatchObject({ statusCode: 400, code: 'REQUEST_TARGET_INVALID' });
      expect(json(res).message).toContain('send only the path');
      const slashes = await send(`GET //127.0.0.1:${bystander.port}/ HTTP/1.1`);
      expect(json(slashes)).toMatchObject({ code: 'REQUEST_TARGET_INVALID', requestId: expect.any(String) });
      // Refused before routing, it still carries the platform's security headers.
      expect(slashes.headers['x-frame-options']).toBe('DENY');
      expect(slashes.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    });

    it('refuses an absolute-form target even when it names the tenant itself', async () => {
      const res = await send(`GET http://${host()}/api/me HTTP/1.1`, [`Host: ${host()}`, `Cookie: ${acmeCookie}`]);
      expect(res.status).toBe(400);
      expect(pool.received).toEqual([]);
    });

    it('refuses a request with two Host headers with 400', async () => {
      const res = await send('GET /login HTTP/1.1', [`Host: ${host()}`, `Host: 127.0.0.1:${bystander.port}`]);
      expect(res.status).toBe(400);
      expect(json(res)).toMatchObject({ code: 'HOST_DUPLICATED' });
      expect(pool.received).toEqual([]);
      expect(bystander.received).toEqual([]);
    });

    it('ignores X-Forwarded-Host: the tenant and the upstream come from Host and the pool', async () => {
      const res = await send('GET /login HTTP/1.1', [`Host: ${host()}`, `X-Forwarded-Host: 127.0.0.1:${bystander.port}`]);
      expect(res.status).toBe(200);
      expect(json(res)).toMatchObject({ answeredBy: 'pool' });
      expect(pool.received[0]!.headers['x-forwarded-host']).toBe(host());
      expect(bystander.received).toEqual([]);
    });
  });

  describe('the path is normalised once, and the pool receives what was judged', () => {
    it.each([
      ['/./login', '/login'],
      ['/x/../login?next=%2Fhome', '/login?next=%2Fhome'],
      ['/%6Cogin', '/login'],
      ['/l/../../../login', '/login'],
      ['/l//abc', '/l/abc'],
      ['/%2e%2e/l/abc', '/l/abc'],
      ['/login?to=//127.0.0.1', '/login?to=//127.0.0.1'],
    ])('forwards %s as %s', async (target, forwarded) => {
      const res = await send(`GET ${target} HTTP/1.1`);
      expect(res.status).toBe(200);
      expect(pool.received.map((r) => r.url)).toEqual([forwarded]);
    });

    it.each(['/API/me', '/./api/me', '/x/../api/me', '/%61pi/me', '/Api/Links/', '/api//me', '/AUTH/logout', '/auth/./logout'])(
      'applies the session rule to %s: 401 without a session, nothing forwarded',
      async (target) => {
        const res = await send(`GET ${target} HTTP/1.1`);
        expect(res.status).toBe(401);
        expect(json(res)).toMatchObject({ code: 'SESSION_REQUIRED' });
        expect(pool.received).toEqual([]);
      },
    );

    it("refuses another tenant's cookie on a disguised protected path", async () => {
      const other = new SessionTokenCodec(platform.secrets.session).sign({
        sid: 's', tid: '00000000-0000-4000-8000-00000000ffff', uid: 'u', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60,
      });
      const res = await send('GET /x/../API/me HTTP/1.1', [`Host: ${host()}`, `Cookie: ${SESSION_COOKIE}=${other}`]);
      expect(res.status).toBe(401);
      expect(json(res)).toMatchObject({ code: 'SESSION_WRONG_TENANT' });
      expect(pool.received).toEqual([]);
    });
  });

  describe('what the pool receives', () => {
    it('gets the session in the signed context, never the session cookie itself', async () => {
      const res = await send('GET /API/me HTTP/1.1', [`Host: ${host()}`, `Cookie: theme=dark; ${acmeCookie}; lang=en`]);
      expect(res.status).toBe(200);
      const [received] = pool.received;
      expect(received!.url).toBe('/API/me');
      expect(received!.headers.cookie).toBe('theme=dark; lang=en');
      const context = new TenantContextSigner(platform.secrets.tenantContext).verify(received!.headers[TENANT_CONTEXT_HEADER] as string);
      expect(context).toMatchObject({ ok: true, claims: { tenant: { id: acme.id }, session: { id: '00000000-0000-4000-8000-000000000001' } } });
    });

    it('keeps a well-formed X-Request-Id and replaces one that is not', async () => {
      const kept = await send('GET /login HTTP/1.1', [`Host: ${host()}`, 'X-Request-Id: trace-123.abc:9']);
      expect(kept.headers['x-request-id']).toBe('trace-123.abc:9');
      for (const bad of ['<script>alert(1)</script>', 'a'.repeat(300), 'id with spaces', 'a,b']) {
        const res = await send('GET /login HTTP/1.1', [`Host: ${host()}`, `X-Request-Id: ${bad}`]);
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const forwardedIds = pool.received.map((r) => r.headers['x-request-id']);
      expect(forwardedIds[0]).toBe('trace-123.abc:9');
      for (const id of forwardedIds.slice(1)) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('forwards a body sent after Expect: 100-continue, once, and answers', async () => {
      const body = '{"url":"https://example.com"}';
      const res = await rawHttp(
        gateway.port,
        `POST /submit HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(res.raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      expect(pool.received.map((r) => r.url)).toEqual(['/submit']);
    });

    it('leaves unknown methods and HTTP versions to the strict parser: refused, never forwarded', async () => {
      const answered: string[] = [];
      for (const line of ['FOO /login HTTP/1.1', 'GET /login HTTP/9.9', 'GET /login HTTP/1.1 extra']) {
        const res = await send(line);
        if (res.status !== 0 && res.status !== 400 && res.status !== 505) answered.push(`${line} -> ${res.status}`);
      }
      expect(answered).toEqual([]);
      expect(pool.received).toEqual([]);
    });

    it('answers health probes on origin-form targets only', async () => {
      expect((await send('GET /healthz HTTP/1.1', ['Host: 10.0.0.1'])).status).toBe(200);
      expect((await send(`GET http://127.0.0.1:${gateway.port}/healthz HTTP/1.1`, ['Host: 10.0.0.1'])).status).toBe(400);
    });
  });
});
