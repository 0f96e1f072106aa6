import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Latency buckets for requests and waits: 1 ms to 10 s. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One registry per app, with Node's process metrics and the app's name on every series. */
export function createRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HttpMetrics {
  /** Records one answered request. */
  observe(labels: { tenant: string; pool: string; route: string; status: number }, seconds: number): void;
}

/** Request count and latency by tenant, pool, route and status (`mysaas_http_*`). */
export function httpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ['tenant', 'pool', 'route', 'status'] as const;
  const requests = new Counter({ name: 'mysaas_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'mysaas_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being written',
    labelNames,
    buckets: SECONDS,
    registers: [registry],
  });
  // Each label set's series, found once: prom-client hashes the label object on every call
  // otherwise (a few % of the gateway's CPU per request). As bounded as the series themselves.
  const series = new Map<string, { count: { inc(): void }; time: { observe(seconds: number): void } }>();
  return {
    observe: (labels, seconds) => {
      const key = `${labels.tenant}\u0000${labels.pool}\u0000${labels.route}\u0000${labels.status}`;
      let one = series.get(key);
      if (one === undefined) {
        const values = { ...labels, status: String(labels.status) };
        one = { count: requests.labels(values), time: duration.labels(values) };
        series.set(key, one);
      }
      one.count.inc();
      one.time.observe(seconds);
    },
  };
}

/** How long tenant transactions waited for a database connection (their share, then the pool). */
export function connectionWaitMetric(registry: Registry): Histogram<'tenant' | 'pool'> {
  return new Histogram({
    name: 'mysaas_db_connection_wait_seconds',
    help: 'Time a tenant transaction waited for its database connection',
    labelNames: ['tenant', 'pool'],
    buckets: SECONDS,
    registers: [registry],
  });
}

/** Routing lookups at the gateway: answered from its cache, or from the control plane's database. */
export function routingCacheMetric(registry: Registry): Counter<'result'> {
  return new Counter({
    name: 'mysaas_routing_cache_lookups_total',
    help: 'Tenant route lookups, by result (hit: from the cache; miss: read from the routing database)',
    labelNames: ['result'],
    registers: [registry],
  });
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` on its own port, apart from the app's traffic: the gateway's public
 * port never exposes it, and a scrape never waits behind requests. 127.0.0.1 by default.
 */
export async function startMetricsServer(registry: Registry, http: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(http.port, http.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${http.host}:${port}/metrics`,
    port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
