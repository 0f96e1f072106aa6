import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '@mysaas/config';
import { startAppServer, type StartedAppServer } from '@mysaas/app-server';
import { TENANT_CONTEXT_HEADER, TenantContextSigner } from '@mysaas/tenancy';
import {
  createTenant,
  eventually,
  createTestPlatform,
  http,
  testRedisUrl,
  uniqueSlug,
  type HttpResponse,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { startGateway, type StartedGateway } from '@mysaas/gateway';

/**
 * Noisy neighbours held back at the edge: a tenant over its request cap waits briefly and
 * then gets 429, while other tenants' requests pass at the same moment; and password
 * guessing is throttled per account and per client address.
 */
describe('gateway: one tenant cannot crowd out the others', () => {
  let platform: TestPlatform;
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform, { slug: uniqueSlug('acme') });
    globex = await createTenant(platform, { slug: uniqueSlug('globex') });
  });

  afterAll(async () => {
    await platform?.cleanup();
  });

  const call = (gateway: StartedGateway, tenant: TestTenant, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    http(gateway.url, { ...init, path, host: `${tenant.slug}.localhost:${gateway.port}` });

  describe('per-tenant request cap', () => {
    /** An app server stand-in that holds acme's /slow requests until told to answer. */
    let held: Array<() => void>;
    let upstream: Server;
    let gateway: StartedGateway;

    beforeAll(async () => {
      held = [];
      const verifier = new TenantContextSigner(platform.secrets.tenantContext);
      upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
        const context = verifier.verify(req.headers[TENANT_CONTEXT_HEADER] as string);
        const answer = () => res.end(JSON.stringify({ tenant: context.ok ? context.claims.tenant.slug : null }));
        if (req.url === '/slow') held.push(answer);
        else answer();
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      await platform.setUpstreams([`http://127.0.0.1:${(upstream.address() as { port: number }).port}`]);
      gateway = await startGateway(
        platform.gatewayConfig({
          tenants: { maxConcurrentRequests: 3, queueWaitMs: 300, maxQueuedRequests: 64 },
        }),
      );
    });

    afterAll(async () => {
      for (const answer of held) answer();
      await gateway?.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    });

    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('the upstream never received the requests this test waits for');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    it("answers acme's requests past its cap with 429 after a short wait, while globex's go through at once", async () => {
      const acmeHeld = [1, 2, 3].map(() => call(gateway, acme, '/slow'));
      await until(() => held.length === 3);
      const [acmeOver, globexMeanwhile] = await Promise.all([
        Promise.all([1, 2].map(() => call(gateway, acme, '/fast'))),
        Promise.all([1, 2, 3, 4, 5, 6].map(() => call(gateway, globex, '/fast'))),
      ]);
      expect(acmeOver.map((r) => r.status)).toEqual([429, 429]);
      expect(acmeOver[0]!.json()).toMatchObject({ code: 'TENANT_BUSY' });
      expect(acmeOver[0]!.json<{ message: string }>().message).toContain('already has 3 requests in progress');
      expect(acmeOver[0]!.headers['retry-after']).toBe('1');
      expect(globexMeanwhile.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(globexMeanwhile.map((r) => r.json<{ tenant: string }>().tenant)).toEqual(Array(6).fill(globex.slug));
      for (const answer of held.splice(0)) answer();
      expect((await Promise.all(acmeHeld)).map((r) => r.status)).toEqual([200, 200, 200]);
    });

    it('lets a waiting request through as soon as a slot frees up', async () => {
      const first = [1, 2, 3].map(() => call(gateway, acme, '/slow'));
      await until(() => held.length === 3);
      const waiting = call(gateway, acme, '/fast');
      await new Promise((resolve) => setTimeout(resolve, 50));
      held.shift()!();
      expect((await waiting).status).toBe(200);
      for (const answer of held.splice(0)) answer();
      await Promise.all(first);
    });

    it("follows the tenant's own cap from the control plane", async () => {
      await platform.control.pool.query('UPDATE platform.tenants SET max_concurrent_requests = 1 WHERE id = $1', [acme.id]);
      await platform.announce({ kind: 'tenant', slug: acme.slug });
      await eventually(async () => {
        const slow = call(gateway, acme, '/slow');
        await until(() => held.length === 1);
        const over = await call(gateway, acme, '/fast');
        held.shift()!();
        await slow;
        expect(over.status).toBe(429);
      });
      await platform.control.pool.query('UPDATE platform.tenants SET max_concurrent_requests = NULL WHERE id = $1', [acme.id]);
      await platform.announce({ kind: 'tenant', slug: acme.slug });
    });

    it('frees the slot of a client that hangs up while its request is held', async () => {
      const hungUp = request({ host: '127.0.0.1', port: gateway.port, path: '/slow', headers: { host: `${acme.slug}.localhost` }, agent: false });
      hungUp.on('error', () => undefined);
      hungUp.end();
      const others = [1, 2].map(() => call(gateway, acme, '/slow'));
      await until(() => held.length === 3);
      const closed = new Promise((resolve) => hungUp.on('close', resolve));
      hungUp.destroy();
      await closed;
      // The hung-up request's slot is free again: a new one is admitted, not refused.
      const next = call(gateway, acme, '/slow');
      await until(() => held.length === 4);
      for (const answer of held.splice(0)) answer();
      expect((await next).status).toBe(200);
      await Promise.all(others);
    });
  });

  describe('sign-in throttling', () => {
    let appServer: StartedAppServer;

    beforeAll(async () => {
      appServer = await startAppServer(platform.appServerConfig());
      await platform.setUpstreams([appServer.url]);
    });

    afterAll(async () => {
      await appServer?.close();
    });

    const signInLimits = (overrides: Partial<GatewayConfig['signIn']> = {}) =>
      platform.gatewayConfig({
        signIn: {
          maxFailuresPerAccount: 3, maxFailuresPerAddress: 50, windowSeconds: 2,
          maxConcurrentPerAccount: 1, maxConcurrentPerAddress: 8, queueWaitMs: 3_000, refusalDelayMs: 20, ...overrides,
        },
      });
    const signIn = (gateway: StartedGateway, tenant: TestTenant, password: string, email = tenant.admin.email): Promise<HttpResponse> =>
      call(gateway, tenant, '/auth/login', { method: 'POST', body: { email, password } });
    const formSignIn = (gateway: StartedGateway, tenant: TestTenant, password: string) =>
      call(gateway, tenant, '/login', {
        method: 'POST',
        body: new URLSearchParams({ email: tenant.admin.email.toUpperCase(), password }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

    it('refuses even the right password once an account has had its failures, until the window passes', async () => {
      const gateway = await startGateway(signInLimits());
      try {
        for (let i = 0; i < 3; i++) expect((await signIn(gateway, acme, 'wrong-password')).status).toBe(401);
        const refused = await signIn(gateway, acme, acme.admin.password);
        expect(refused.status).toBe(429);
        expect(refused.json()).toMatchObject({ code: 'SIGNIN_THROTTLED' });
        expect(refused.json<{ message: string }>().message).toMatch(/too many failed sign-ins for this account; try again in [12] seconds?/);
        const wait = Number(refused.headers['retry-after']);
        expect([1, 2]).toContain(wait);
        // The sign-in form is the same account, whatever the case of the email.
        expect((await formSignIn(gateway, acme, acme.admin.password)).status).toBe(429);
        // Another tenant's account, from the same address, is not affected.
        expect((await signIn(gateway, globex, globex.admin.password)).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
        expect((await signIn(gateway, acme, acme.admin.password)).status).toBe(200);
      } finally {
        await gateway.close();
      }
    });

    it('never refuses correct passwords that arrive together, even from one address', async () => {
      const gateway = await startGateway(signInLimits({ maxFailuresPerAccount: 2, maxFailuresPerAddress: 2, maxConcurrentPerAddress: 2, windowSeconds: 60 }));
      try {
        const together = await Promise.all([
          ...Array.from({ length: 8 }, () => signIn(gateway, acme, acme.admin.password)),
          ...Array.from({ length: 8 }, () => signIn(gateway, globex, globex.admin.password)),
        ]);
        expect(together.map((r) => r.status)).toEqual(Array(16).fill(200));
      } finally {
        await gateway.close();
      }
    });

    it('lets only the allowed number of a burst of guesses reach the app server', async () => {
      const gateway = await startGateway(signInLimits({ windowSeconds: 60 }));
      try {
        const burst = await Promise.all(Array.from({ length: 12 }, () => signIn(gateway, acme, 'wrong-password')));
        const statuses = burst.map((r) => r.status).sort();
        expect(statuses.filter((s) => s === 401)).toHaveLength(3);
        expect(statuses.filter((s) => s === 429)).toHaveLength(9);
      } finally {
        await gateway.close();
      }
    });

    it('forgets an account’s failures when it signs in, and does not count malformed attempts', async () => {
      const gateway = await startGateway(signInLimits({ windowSeconds: 60 }));
      try {
        for (let i = 0; i < 2; i++) expect((await signIn(gateway, acme, 'wrong-password')).status).toBe(401);
        expect((await signIn(gateway, acme, acme.admin.password)).status).toBe(200);
        for (let i = 0; i < 5; i++) {
          expect((await call(gateway, acme, '/auth/login', { method: 'POST', body: { email: acme.admin.email } })).status).toBe(400);
        }
        for (let i = 0; i < 3; i++) expect((await formSignIn(gateway, acme, 'wrong-password')).status).toBe(303);
        expect((await signIn(gateway, acme, acme.admin.password)).status).toBe(429);
      } finally {
        await gateway.close();
      }
    });

    it('throttles an address guessing across many accounts', async () => {
      const gateway = await startGateway(signInLimits({ maxFailuresPerAddress: 4, windowSeconds: 60 }));
      try {
        for (let i = 0; i < 4; i++) expect((await signIn(gateway, acme, 'wrong', `user${i}@${acme.slug}.test`)).status).toBe(401);
        const refused = await signIn(gateway, globex, globex.admin.password);
        expect(refused.status).toBe(429);
        expect(refused.json<{ message: string }>().message).toContain('from your network');
      } finally {
        await gateway.close();
      }
    });

    it('refuses a sign-in body too large to be one with 413, before the app server sees it', async () => {
      const gateway = await startGateway(signInLimits());
      try {
        const res = await call(gateway, acme, '/auth/login', { method: 'POST', body: { email: acme.admin.email, password: 'x'.repeat(20_000) } });
        expect(res.status).toBe(413);
      } finally {
        await gateway.close();
      }
    });

    const redisUrl = testRedisUrl();
    (redisUrl === undefined ? describe.skip : describe)('across gateway instances (Redis)', () => {
      it('counts failures at one gateway against sign-ins at another', async () => {
        const redis = { url: redisUrl!, keyPrefix: `mysaas-test-${randomBytes(4).toString('hex')}:` };
        const [one, two] = [await startGateway({ ...signInLimits({ windowSeconds: 60 }), redis }), await startGateway({ ...signInLimits({ windowSeconds: 60 }), redis })];
        try {
          await eventually(async () => expect((await signIn(one, acme, acme.admin.password)).status).toBe(200));
          expect((await signIn(one, acme, 'wrong-password')).status).toBe(401);
          expect((await signIn(two, acme, 'wrong-password')).status).toBe(401);
          expect((await signIn(one, acme, 'wrong-password')).status).toBe(401);
          const refused = await signIn(two, acme, acme.admin.password);
          expect(refused.status).toBe(429);
          expect(refused.json()).toMatchObject({ code: 'SIGNIN_THROTTLED' });
        } finally {
          await one.close();
          await two.close();
        }
      });
    });
  });
});
