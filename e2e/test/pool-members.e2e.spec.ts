import { createServer, type Server } from 'node:http';
import { SESSION_COOKIE } from '@mysaas/auth';
import { startAppServer, type StartedAppServer } from '@mysaas/app-server';
import type { GatewayConfig } from '@mysaas/config';
import { gatewayObservability, startGateway } from '@mysaas/gateway';
import {
  cookieFrom,
  createTenant,
  createTestPlatform,
  eventually,
  http,
  LogCapture,
  metricValue,
  uniqueSlug,
  type HttpResponse,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';

/**
 * A pool with several app servers: the gateway spreads requests over them, stops sending to
 * one that fails (passive health checking, ADR 17), and sends to it again once it answers.
 * Clients of requests that can be sent again never see the failure.
 */
describe('pool members', () => {
  let platform: TestPlatform;
  let acme: TestTenant;
  let one: StartedAppServer;
  let two: StartedAppServer;

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform, { slug: uniqueSlug('acme'), name: 'Acme Corp' });
    [one, two] = [await startAppServer(platform.appServerConfig()), await startAppServer(platform.appServerConfig())];
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await platform?.cleanup();
  });

  const scrape = async (metricsUrl: string) => (await http(metricsUrl.replace(/\/metrics$/, ''), { path: '/metrics' })).text;
  /** Sign-in pages an app server has served to acme. */
  const served = async (server: StartedAppServer) =>
    metricValue(await scrape(server.metricsUrl), 'mysaas_http_requests_total', { tenant: acme.slug, route: '/login', status: '200' }) ?? 0;

  /** A gateway of its own, with short cool-downs, whose log lines the test reads. */
  async function gatewayWith(upstreams: GatewayConfig['upstreams']) {
    const logs = new LogCapture();
    const config = platform.gatewayConfig({ upstreams });
    const gateway = await startGateway(config, gatewayObservability({ ...config, log: { level: 'info' } }, logs));
    const call = (path: string, more: { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {}) =>
      http(gateway.url, { ...more, path, host: `${acme.slug}.localhost:${gateway.port}` });
    /** `count` sign-in page requests, one after another: their statuses. */
    const pages = async (count: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) statuses.push((await call('/login')).status);
      return statuses;
    };
    const upstreamMetric = async (name: string, labels: Record<string, string>) => metricValue(await scrape(gateway.metricsUrl), name, { pool: 'v1', ...labels });
    return { gateway, logs, call, pages, upstreamMetric };
  }

  describe('two app servers, one stopped and started again', () => {
    let gw: Awaited<ReturnType<typeof gatewayWith>>;
    let port: number;

    beforeAll(async () => {
      await platform.setUpstreams([one.url, two.url]);
      gw = await gatewayWith({ failuresToEject: 3, ejectMs: 300, ejectMaxMs: 1_200 });
      port = one.port;
    });

    afterAll(async () => {
      await gw?.gateway.close();
    });

    it('spreads requests over both, in turn', async () => {
      expect(await gw.pages(10)).toEqual(Array(10).fill(200));
      expect([await served(one), await served(two)]).toEqual([5, 5]);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_state', { upstream: one.url, state: 'healthy' })).toBe(1);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_ejections_total', { upstream: one.url })).toBe(0);
    });

    it('keeps answering when one stops: requests that can be sent again go to the other, and the stopped one is taken out', async () => {
      const before = await served(two);
      await one.close();

      expect(await gw.pages(20)).toEqual(Array(20).fill(200));
      expect((await served(two)) - before).toBe(20);
      const [ejection, ...again] = gw.logs.matching({ msg: 'upstream ejected: out of the rotation until its cool-down ends', upstream: one.url });
      expect(ejection).toMatchObject({ level: 'warn', pool: 'v1', failures: 3, reason: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|UND_ERR_CLOSED|EPIPE)$/), cooldownMs: 300 });
      // Each failed trial takes it out again, for longer each time.
      expect(again.map((line) => line.cooldownMs)).toEqual([600, 1_200, 1_200, 1_200, 1_200].slice(0, again.length));
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_state', { upstream: one.url, state: 'ejected' })).toBe(1);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_ejections_total', { upstream: one.url })).toBe(1 + again.length);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_state', { upstream: two.url, state: 'healthy' })).toBe(1);

      // Taken out, it gets no write either: one that cannot be sent again (its body streams) reaches the live one.
      const signIn = await gw.call('/auth/login', { method: 'POST', body: acme.admin });
      expect(signIn.status).toBe(200);
      const cookie = cookieFrom(signIn, SESSION_COOKIE)!;
      for (let i = 0; i < 4; i++) {
        expect((await gw.call('/api/links', { method: 'POST', cookie, body: { url: `https://acme.example/${i}` } })).status).toBe(201);
      }
    });

    it('sends to it again once it is back on the same port, after its cool-down', async () => {
      one = await startAppServer(platform.appServerConfig({ http: { host: '127.0.0.1', port } }));
      // No event to await: the gateway learns it is back from the trial request its cool-down lets through.
      await eventually(async () => {
        expect(await gw.pages(2)).toEqual([200, 200]);
        expect(await served(one)).toBeGreaterThan(0);
      }, 10_000);
      expect(gw.logs.matching({ msg: 'upstream back in the rotation', upstream: one.url })).toEqual([expect.objectContaining({ level: 'info', pool: 'v1' })]);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_state', { upstream: one.url, state: 'healthy' })).toBe(1);

      const [fromOne, fromTwo] = [await served(one), await served(two)];
      expect(await gw.pages(10)).toEqual(Array(10).fill(200));
      expect([(await served(one)) - fromOne, (await served(two)) - fromTwo]).toEqual([5, 5]);
    });
  });

  describe('what counts as a failure', () => {
    let gw: Awaited<ReturnType<typeof gatewayWith>>;
    let overloaded: FakeUpstream;
    let broken: FakeUpstream;

    beforeAll(async () => {
      overloaded = await fakeUpstream(503);
      broken = await fakeUpstream(502);
      await platform.setUpstreams([two.url, overloaded.url, broken.url]);
      // A long cool-down: nothing is tried again during the test.
      gw = await gatewayWith({ failuresToEject: 3, ejectMs: 60_000, ejectMaxMs: 60_000 });
    });

    afterAll(async () => {
      await gw?.gateway.close();
      await overloaded?.close();
      await broken?.close();
    });

    it("takes out a member answering 502, never one answering 503 (an app server's own answer, which a tenant can cause)", async () => {
      const statuses = await gw.pages(15);
      // Answers are relayed as they came; only their senders' health changes.
      expect(statuses.slice(0, 9)).toEqual([200, 503, 502, 200, 503, 502, 200, 503, 502]);
      expect(statuses.slice(9)).toEqual([200, 503, 200, 503, 200, 503]);
      expect([overloaded.received, broken.received]).toEqual([6, 3]);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_state', { upstream: broken.url, state: 'ejected' })).toBe(1);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_state', { upstream: overloaded.url, state: 'healthy' })).toBe(1);
      expect(await gw.upstreamMetric('mysaas_gateway_upstream_ejections_total', { upstream: overloaded.url })).toBe(0);
      expect(gw.logs.matching({ upstream: broken.url, reason: 'status 502' })).toHaveLength(1);
    });

    it('answers 502 without naming an upstream when every member is down, and keeps trying them', async () => {
      const dead = [await closedPort(), await closedPort()].map((p) => `http://127.0.0.1:${p}`);
      await platform.setUpstreams(dead);
      await eventually(async () => expect((await gw.call('/login')).status).toBe(502));
      const answers: HttpResponse[] = [];
      for (let i = 0; i < 4; i++) answers.push(await gw.call('/login'), await gw.call('/login', { headers: { accept: 'text/html' } }));
      for (const answer of answers) {
        expect(answer.status).toBe(502);
        expect(answer.text).toContain('the app servers of pool v1 cannot be reached; retry shortly');
        expect(answer.text).not.toContain('127.0.0.1');
        for (const upstream of dead) expect(answer.text).not.toContain(`:${new URL(upstream).port}`);
      }
      expect(answers[0]!.json()).toMatchObject({ code: 'UPSTREAM_UNREACHABLE' });
      for (const upstream of dead) {
        expect(await gw.upstreamMetric('mysaas_gateway_upstream_state', { upstream, state: 'ejected' })).toBe(1);
      }
    });
  });
});

interface FakeUpstream {
  url: string;
  received: number;
  close(): Promise<void>;
}

/** An app server stand-in that answers every request with `status`. */
async function fakeUpstream(status: number): Promise<FakeUpstream> {
  const fake = { url: '', received: 0, close: () => Promise.resolve() };
  const server: Server = createServer((_req, res) => {
    fake.received++;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`answered ${status}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return fake;
}

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
