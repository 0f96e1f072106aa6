import { Writable } from 'node:stream';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createLogger, PinoNestLogger } from './logger';
import { createRegistry, httpMetrics, startMetricsServer } from './metrics';

/** A destination that keeps the JSON lines written to it. */
function lines() {
  const written: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) written.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { written, stream };
}

describe('createLogger', () => {
  it("writes one JSON object per line with the app, the process's fields and the current unit of work's", async () => {
    const { written, stream } = lines();
    const work = new AsyncLocalStorage<{ tenant: string; requestId: string }>();
    const logger = createLogger({ app: 'app-server', base: { pool: 'v1' }, context: () => work.getStore(), destination: stream });
    logger.info('outside any request');
    work.run({ tenant: 'acme', requestId: 'req-1' }, () => logger.warn({ code: 'X' }, 'inside a request'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written[0]).toMatchObject({ level: 'info', app: 'app-server', pool: 'v1', msg: 'outside any request' });
    expect(written[0]).not.toHaveProperty('tenant');
    expect(written[1]).toMatchObject({ level: 'warn', app: 'app-server', pool: 'v1', tenant: 'acme', requestId: 'req-1', code: 'X', msg: 'inside a request' });
    expect(typeof written[1]!.time).toBe('string');
  });

  it("takes Nest's messages, their context and errors' stacks", async () => {
    const { written, stream } = lines();
    const nest = new PinoNestLogger(createLogger({ app: 'gateway', destination: stream, level: 'debug' }));
    nest.error('request 1 failed', 'Error: boom\n    at x', 'Gateway');
    nest.log('Mapped {/, GET} route', 'RouterExplorer');
    await new Promise((resolve) => setImmediate(resolve));
    expect(written[0]).toMatchObject({ level: 'error', context: 'Gateway', stack: 'Error: boom\n    at x', msg: 'request 1 failed' });
    expect(written[1]).toMatchObject({ level: 'debug', context: 'RouterExplorer' });
  });
});

describe('metrics', () => {
  it('serves tenant-labelled request series on GET /metrics, and nothing else', async () => {
    const registry = createRegistry('app-server');
    httpMetrics(registry).observe({ tenant: 'acme', pool: 'v1', route: '/api/links', status: 200 }, 0.012);
    const server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
    try {
      const text = await (await fetch(server.url)).text();
      expect(text).toContain('mysaas_http_requests_total{tenant="acme",pool="v1",route="/api/links",status="200",app="app-server"} 1');
      expect(text).toContain('mysaas_http_request_duration_seconds_bucket{le="0.025",app="app-server",tenant="acme",pool="v1",route="/api/links",status="200"} 1');
      expect(text).toContain('mysaas_http_request_duration_seconds_bucket{le="0.01",app="app-server",tenant="acme",pool="v1",route="/api/links",status="200"} 0');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('counts every observation into its own label set, however often each repeats', async () => {
    const registry = createRegistry('gateway');
    const metrics = httpMetrics(registry);
    for (let i = 0; i < 3; i++) metrics.observe({ tenant: 'acme', pool: 'v1', route: 'api', status: 200 }, 0.002);
    metrics.observe({ tenant: 'acme', pool: 'v1', route: 'api', status: 404 }, 0.002);
    metrics.observe({ tenant: 'globex', pool: 'v1', route: 'api', status: 200 }, 0.002);
    const text = await registry.metrics();
    expect(text).toContain('mysaas_http_requests_total{tenant="acme",pool="v1",route="api",status="200",app="gateway"} 3');
    expect(text).toContain('mysaas_http_requests_total{tenant="acme",pool="v1",route="api",status="404",app="gateway"} 1');
    expect(text).toContain('mysaas_http_requests_total{tenant="globex",pool="v1",route="api",status="200",app="gateway"} 1');
    expect(text).toContain('mysaas_http_request_duration_seconds_count{app="gateway",tenant="acme",pool="v1",route="api",status="200"} 3');
  });
});
