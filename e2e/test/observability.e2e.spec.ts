import { SESSION_COOKIE } from '@mysaas/auth';
import { appServerObservability, startAppServer, type StartedAppServer } from '@mysaas/app-server';
import { gatewayObservability, startGateway, type StartedGateway } from '@mysaas/gateway';
import {
  cookieFrom,
  createTenant,
  createTestPlatform,
  http,
  LogCapture,
  metricValue,
  uniqueSlug,
  type HttpRequest,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';

/**
 * What an operator sees of a request through the whole path: the gateway and the app server
 * each count it under the tenant and pool, each write one access line, and both lines carry
 * the same request id (the one the client got back), so one id finds the request everywhere.
 */
describe('observability through the gateway', () => {
  let platform: TestPlatform;
  let appServer: StartedAppServer;
  let gateway: StartedGateway;
  let acme: TestTenant;
  let globex: TestTenant;
  const gatewayLogs = new LogCapture();
  const appServerLogs = new LogCapture();

  beforeAll(async () => {
    platform = await createTestPlatform();
    [acme, globex] = [
      await createTenant(platform, { slug: uniqueSlug('acme'), name: 'Acme Corp' }),
      await createTenant(platform, { slug: uniqueSlug('globex'), name: 'Globex' }),
    ];
    const appServerConfig = platform.appServerConfig();
    appServer = await startAppServer(appServerConfig, appServerObservability({ ...appServerConfig, log: { level: 'info' } }, appServerLogs));
    await platform.setUpstreams([appServer.url]);
    const gatewayConfig = platform.gatewayConfig();
    gateway = await startGateway(gatewayConfig, gatewayObservability({ ...gatewayConfig, log: { level: 'info' } }, gatewayLogs));
  });

  afterAll(async () => {
    await gateway?.close();
    await appServer?.close();
    await platform?.cleanup();
  });

  const call = (tenant: TestTenant, req: Omit<HttpRequest, 'host'>) => http(gateway.url, { ...req, host: `${tenant.slug}.localhost:${gateway.port}` });
  const scrape = async (metricsUrl: string) => (await http(metricsUrl.replace(/\/metrics$/, ''), { path: '/metrics' })).text;

  it("counts each tenant's requests at the gateway and at the app server, under its tenant and pool", async () => {
    const signIn = await call(acme, { method: 'POST', path: '/auth/login', body: acme.admin });
    expect(signIn.status).toBe(200);
    const cookie = cookieFrom(signIn, SESSION_COOKIE)!;
    for (let i = 0; i < 4; i++) expect((await call(acme, { path: '/api/me', cookie })).status).toBe(200);
    expect((await call(globex, { path: '/api/me' })).status).toBe(401);

    const atGateway = await scrape(gateway.metricsUrl);
    const gatewaySeries = (tenant: TestTenant, route: string, status: string) => ({ app: 'gateway', tenant: tenant.slug, pool: 'v1', route, status });
    expect(metricValue(atGateway, 'mysaas_http_requests_total', gatewaySeries(acme, '/api', '200'))).toBe(4);
    expect(metricValue(atGateway, 'mysaas_http_requests_total', gatewaySeries(acme, '/auth', '200'))).toBe(1);
    // Refused at the gateway (no session): counted there, never at the app server.
    expect(metricValue(atGateway, 'mysaas_http_requests_total', gatewaySeries(globex, '/api', '401'))).toBe(1);
    expect(metricValue(atGateway, 'mysaas_http_request_duration_seconds_count', gatewaySeries(acme, '/api', '200'))).toBe(4);
    // Two tenants looked up once each; every later request was a cache hit.
    expect(metricValue(atGateway, 'mysaas_routing_cache_lookups_total', { result: 'miss' })).toBe(2);
    expect(metricValue(atGateway, 'mysaas_routing_cache_lookups_total', { result: 'hit' })).toBe(4);

    const atAppServer = await scrape(appServer.metricsUrl);
    expect(metricValue(atAppServer, 'mysaas_http_requests_total', { app: 'app-server', tenant: acme.slug, pool: 'v1', route: '/api/me', status: '200' })).toBe(4);
    expect(metricValue(atAppServer, 'mysaas_http_requests_total', { tenant: globex.slug })).toBeUndefined();
    expect(metricValue(atAppServer, 'mysaas_db_connection_wait_seconds_count', { tenant: acme.slug, pool: 'v1' })).toBe(5);
  });

  it('writes one line per request in each app, under the request id the client got back', async () => {
    const res = await call(globex, { path: '/login' });
    expect(res.status).toBe(200);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toEqual(expect.any(String));
    const expected = { msg: 'request', requestId, tenant: globex.slug, pool: 'v1', status: 200, method: 'GET' };
    expect(gatewayLogs.matching(expected)).toEqual([expect.objectContaining({ app: 'gateway', route: '/login', level: 'info' })]);
    expect(appServerLogs.matching(expected)).toEqual([expect.objectContaining({ app: 'app-server', route: '/login', release: 1 })]);
  });

  it('serves metrics apart from the public port', async () => {
    expect((await call(acme, { path: '/metrics' })).status).not.toBe(200);
    expect(new URL(gateway.metricsUrl).port).not.toBe(String(gateway.port));
  });
});
