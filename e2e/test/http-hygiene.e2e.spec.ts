import { connect, type Socket } from 'node:net';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '@mysaas/auth';
import { startAppServer, type StartedAppServer } from '@mysaas/app-server';
import {
  cookieFrom,
  createTenant,
  createTestPlatform,
  http,
  startRecordingServer,
  uniqueSlug,
  type RecordingServer,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { startGateway, type StartedGateway } from '@mysaas/gateway';

/**
 * What every response carries, how the gateway behaves behind a TLS-terminating proxy, and
 * how long a slow client may hold a connection.
 */
describe('gateway: HTTP hygiene', () => {
  let platform: TestPlatform;
  let appServer: StartedAppServer;
  let acme: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform, { slug: uniqueSlug('acme'), name: 'Acme Corp' });
    appServer = await startAppServer(platform.appServerConfig());
    await platform.setUpstreams([appServer.url]);
  });

  afterAll(async () => {
    await appServer?.close();
    await platform?.cleanup();
  });

  async function withGateway<T>(overrides: Parameters<TestPlatform['gatewayConfig']>[0], work: (gateway: StartedGateway) => Promise<T>): Promise<T> {
    const gateway = await startGateway(platform.gatewayConfig(overrides));
    try {
      return await work(gateway);
    } finally {
      await gateway.close();
    }
  }

  const call = (gateway: StartedGateway, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; cookie?: string; host?: string } = {}) =>
    http(gateway.url, { host: `${acme.slug}.localhost:${gateway.port}`, ...init, path });

  describe('security headers', () => {
    it('puts a strict CSP, no framing, nosniff and a referrer policy on pages, and no HSTS over http', async () => {
      await withGateway({}, async (gateway) => {
        const page = await call(gateway, '/login');
        expect(page.status).toBe(200);
        const csp = String(page.headers['content-security-policy']);
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
        expect(csp).not.toContain('unsafe-inline');
        expect(page.headers['x-frame-options']).toBe('DENY');
        expect(page.headers['x-content-type-options']).toBe('nosniff');
        expect(page.headers['referrer-policy']).toBe('same-origin');
        expect(page.headers['strict-transport-security']).toBeUndefined();
      });
    });

    it("allows exactly the page's own style block by hash", async () => {
      await withGateway({}, async (gateway) => {
        const page = await call(gateway, '/login');
        const style = /<style>([\s\S]*?)<\/style>/.exec(page.text)![1]!;
        const { createHash } = await import('node:crypto');
        const hash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
        expect(String(page.headers['content-security-policy'])).toContain(hash);
      });
    });

    it("puts them on the gateway's own error pages and JSON errors too", async () => {
      await withGateway({}, async (gateway) => {
        const missing = await call(gateway, '/', { host: 'nobody-here.localhost', headers: { accept: 'text/html' } });
        expect(missing.status).toBe(404);
        expect(missing.headers['x-frame-options']).toBe('DENY');
        const style = /<style>([\s\S]*?)<\/style>/.exec(missing.text)![1]!;
        const { createHash } = await import('node:crypto');
        expect(String(missing.headers['content-security-policy'])).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
        const refused = await call(gateway, '/api/me');
        expect(refused.status).toBe(401);
        expect(refused.headers['x-content-type-options']).toBe('nosniff');
      });
    });
  });

  describe('behind a TLS-terminating proxy (TRUST_PROXY)', () => {
    const signIn = (gateway: StartedGateway, headers: Record<string, string>) =>
      call(gateway, '/auth/login', { method: 'POST', body: acme.admin, headers });

    it('believes X-Forwarded-Proto from a trusted proxy: __Host- Secure cookie, HSTS', async () => {
      await withGateway({ http: { ...platform.gatewayConfig().http, trustProxy: ['loopback'] } }, async (gateway) => {
        const res = await signIn(gateway, { 'x-forwarded-proto': 'https' });
        expect(res.status).toBe(200);
        const setCookie = res.headers['set-cookie']!.join('\n');
        expect(setCookie).toMatch(new RegExp(`^${SECURE_SESSION_COOKIE}=[^;]+; Path=/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$`));
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
        const cookie = cookieFrom(res, SECURE_SESSION_COOKIE)!;
        expect((await call(gateway, '/api/me', { cookie, headers: { 'x-forwarded-proto': 'https' } })).status).toBe(200);
        // Over https, the plain cookie (which anyone on the http path could have planted) is ignored.
        const plain = cookie.replace(`${SECURE_SESSION_COOKIE}=`, `${SESSION_COOKIE}=`);
        const ignored = await call(gateway, '/api/me', { cookie: plain, headers: { 'x-forwarded-proto': 'https' } });
        expect(ignored.status).toBe(401);
        expect(ignored.json()).toMatchObject({ code: 'SESSION_REQUIRED' });
      });
    });

    it('ignores X-Forwarded-Proto from a peer it does not trust', async () => {
      await withGateway({}, async (gateway) => {
        const res = await signIn(gateway, { 'x-forwarded-proto': 'https' });
        expect(res.status).toBe(200);
        const setCookie = res.headers['set-cookie']!.join('\n');
        expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
        expect(setCookie).not.toContain('Secure');
        expect(res.headers['strict-transport-security']).toBeUndefined();
      });
    });

    describe('X-Forwarded-For', () => {
      let pool: RecordingServer;
      beforeAll(async () => {
        pool = await startRecordingServer('pool');
        await platform.setUpstreams([pool.url]);
      });
      afterAll(async () => {
        await platform.setUpstreams([appServer.url]);
        await pool.close();
      });

      it("drops a client's own chain, and keeps a trusted proxy's", async () => {
        await withGateway({}, async (gateway) => {
          await call(gateway, '/x', { headers: { 'x-forwarded-for': '203.0.113.9' } });
        });
        await withGateway({ http: { ...platform.gatewayConfig().http, trustProxy: ['127.0.0.1'] } }, async (gateway) => {
          await call(gateway, '/x', { headers: { 'x-forwarded-for': '203.0.113.9' } });
        });
        expect(pool.received.map((r) => r.headers['x-forwarded-for'])).toEqual(['127.0.0.1', '203.0.113.9, 127.0.0.1']);
      });
    });
  });

  describe('slow and greedy clients', () => {
    const open = (port: number): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.on('error', reject);
      });
    const answerOf = (socket: Socket): Promise<string> =>
      new Promise((resolve) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
        socket.on('close', () => resolve(text));
        socket.on('error', () => undefined);
      });

    it('answers 408 and closes when the headers do not arrive in time', async () => {
      await withGateway({ http: { ...platform.gatewayConfig().http, headersTimeoutMs: 300, requestTimeoutMs: 600 } }, async (gateway) => {
        const socket = await open(gateway.port);
        const answer = answerOf(socket);
        socket.write(`GET /login HTTP/1.1\r\nHost: ${acme.slug}.localhost\r\n`); // and never the blank line
        expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
      });
    });

    it('answers 408 when a body trickles in past the request timeout', async () => {
      await withGateway({ http: { ...platform.gatewayConfig().http, headersTimeoutMs: 300, requestTimeoutMs: 600 } }, async (gateway) => {
        const socket = await open(gateway.port);
        const answer = answerOf(socket);
        socket.write(`POST /auth/login HTTP/1.1\r\nHost: ${acme.slug}.localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em`);
        expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
      });
    });

    it('closes connections past the connection cap at once', async () => {
      await withGateway({ http: { ...platform.gatewayConfig().http, maxConnections: 2 } }, async (gateway) => {
        const idle = [await open(gateway.port), await open(gateway.port)];
        const third = await open(gateway.port);
        const answer = answerOf(third);
        third.write(`GET /login HTTP/1.1\r\nHost: ${acme.slug}.localhost\r\nConnection: close\r\n\r\n`);
        expect(await answer).toBe('');
        for (const socket of idle) socket.destroy();
      });
    });
  });
});
