import { Controller, Get, Logger, Module, Param } from '@nestjs/common';
import { SESSION_COOKIE } from '@mysaas/auth';
import { Public } from '@mysaas/modules';
import { createApp, startApp, type ObservedApp } from '@mysaas/nest-http';
import {
  cookieFrom,
  createTenant,
  createTestPlatform,
  gatewayHeaders,
  http,
  LogCapture,
  metricValue,
  randomSuffix,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { AppModule } from '../../src/app.module';
import { appServerObservability } from '../../src/observability';

/** A module that logs the way the extending guide tells module developers to: Nest's Logger, nothing about tenants. */
@Controller('api/log-probe')
class LogProbeController {
  private readonly logger = new Logger('LogProbe');

  @Public()
  @Get()
  run() {
    this.logger.log({ msg: 'probe ran', detail: 42 });
    this.logger.warn('probe warned');
    return { ok: true };
  }

  @Public()
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }
}

@Module({ controllers: [LogProbeController] })
class LogProbeModule {}

/**
 * What operators see of an app server: one access line and one counted request per request,
 * labelled with its tenant, pool and route; every line a module writes carrying the tenant,
 * pool and request id without the module naming them; connection waits per tenant.
 */
describe('app server observability', () => {
  let platform: TestPlatform;
  let acme: TestTenant;
  let globex: TestTenant;
  let server: ObservedApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform, { name: 'Acme' });
    globex = await createTenant(platform, { name: 'Globex' });
    const config = platform.appServerConfig();
    const observability = appServerObservability({ ...config, log: { level: 'debug' } }, logs);
    const app = await createApp(
      { module: class TestRoot {}, imports: [AppModule.forRoot(config, observability), LogProbeModule] },
      { jsonBodyBytes: 16_384, logger: observability.logger, observe: observability.observe },
    );
    server = await startApp(app, config.http, { registry: observability.registry, metrics: { host: '127.0.0.1', port: 0 } });
  });

  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  const scrape = async () => {
    const res = await http(server.metricsUrl.replace(/\/metrics$/, ''), { path: '/metrics' });
    expect(res.status).toBe(200);
    return res.text;
  };

  async function signIn(tenant: TestTenant): Promise<string> {
    const res = await http(server.url, { method: 'POST', path: '/auth/login', headers: gatewayHeaders(platform, tenant), body: tenant.admin });
    expect(res.status).toBe(200);
    return cookieFrom(res, SESSION_COOKIE)!;
  }

  it("counts and times each tenant's requests under its own labels, by route pattern and status", async () => {
    const cookie = await signIn(acme);
    const headers = gatewayHeaders(platform, acme, { sessionCookie: cookie });
    for (let i = 0; i < 3; i++) expect((await http(server.url, { path: '/api/links', headers })).status).toBe(200);
    expect((await http(server.url, { path: '/api/links', headers: gatewayHeaders(platform, globex) })).status).toBe(401);

    const text = await scrape();
    const series = (tenant: TestTenant, route: string, status: string) => ({ tenant: tenant.slug, pool: 'v1', route, status, app: 'app-server' });
    expect(metricValue(text, 'mysaas_http_requests_total', series(acme, '/api/links', '200'))).toBe(3);
    expect(metricValue(text, 'mysaas_http_requests_total', series(acme, '/auth/login', '200'))).toBe(1);
    expect(metricValue(text, 'mysaas_http_requests_total', series(globex, '/api/links', '401'))).toBe(1);
    expect(metricValue(text, 'mysaas_http_requests_total', series(globex, '/api/links', '200'))).toBeUndefined();
    expect(metricValue(text, 'mysaas_http_request_duration_seconds_count', series(acme, '/api/links', '200'))).toBe(3);
    // Each tenant transaction reported its wait for a connection, under its tenant.
    expect(metricValue(text, 'mysaas_db_connection_wait_seconds_count', { tenant: acme.slug, pool: 'v1' })).toBeGreaterThanOrEqual(4);
    // Node's own process metrics come with it.
    expect(metricValue(text, 'process_cpu_seconds_total', { app: 'app-server' })).toBeGreaterThan(0);
  });

  it('labels a request by its route pattern, never by the raw path, so ids and probing make no new series', async () => {
    const id = `id${randomSuffix()}`;
    const probing = `nope${randomSuffix()}`;
    expect((await http(server.url, { path: `/api/log-probe/${id}`, headers: gatewayHeaders(platform, acme) })).status).toBe(200);
    expect((await http(server.url, { path: `/${probing}`, headers: gatewayHeaders(platform, acme) })).status).toBe(404);
    const text = await scrape();
    expect(text).not.toContain(id);
    expect(text).not.toContain(probing);
    expect(metricValue(text, 'mysaas_http_requests_total', { tenant: acme.slug, route: '/api/log-probe/:id', status: '200' })).toBe(1);
    expect(metricValue(text, 'mysaas_http_requests_total', { tenant: acme.slug, route: 'unmatched', status: '404' })).toBe(1);
  });

  it('writes one access line per request with its tenant, pool, route, status and request id', async () => {
    const requestId = `trace-${randomSuffix()}`;
    expect((await http(server.url, { path: '/login', headers: gatewayHeaders(platform, globex, { requestId }) })).status).toBe(200);
    const [line, ...more] = logs.matching({ msg: 'request', requestId });
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'info', app: 'app-server', pool: 'v1', release: 1, tenant: globex.slug, route: '/login', status: 200, method: 'GET' });
    expect(line!.ms).toEqual(expect.any(Number));
  });

  it("gives a module's own log lines the tenant, pool and request id without the module naming them", async () => {
    const requestId = `trace-${randomSuffix()}`;
    expect((await http(server.url, { path: '/api/log-probe', headers: gatewayHeaders(platform, acme, { requestId }) })).status).toBe(200);
    const expected = { app: 'app-server', pool: 'v1', tenant: acme.slug, requestId, context: 'LogProbe' };
    expect(logs.matching({ msg: 'probe ran' })).toEqual([expect.objectContaining({ ...expected, level: 'debug', detail: 42 })]);
    expect(logs.matching({ msg: 'probe warned' })).toEqual([expect.objectContaining({ ...expected, level: 'warn' })]);
  });

  it('answers the probes without a tenant, and counts them apart from any tenant', async () => {
    expect((await http(server.url, { path: '/healthz' })).json()).toEqual({ status: 'ok', pool: 'v1', release: 1 });
    const ready = await http(server.url, { path: '/readyz' });
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } }, pool: 'v1', release: 1 });
    expect(metricValue(await scrape(), 'mysaas_http_requests_total', { tenant: '-', route: '/readyz', status: '200' })).toBe(1);
  });

  it('serves only GET /metrics on the metrics port', async () => {
    const base = server.metricsUrl.replace(/\/metrics$/, '');
    expect((await http(base, { path: '/api/links' })).status).toBe(404);
    expect((await http(base, { method: 'POST', path: '/metrics' })).status).toBe(404);
  });
});
