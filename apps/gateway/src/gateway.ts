import type { Server } from 'node:http';
import type { GatewayConfig } from '@mysaas/config';
import { createApp, startApp, type ObservedApp } from '@mysaas/nest-http';
import { GatewayModule } from './app.module';
import { ERROR_PAGE_STYLE } from './errors/error-page';
import { gatewayObservability } from './observe/gateway-observability';
import { TenantProxy } from './proxy/tenant-proxy.service';

/** The gateway listening: `url` is http://127.0.0.1:<port> (send a tenant Host header), `metricsUrl` where Prometheus scrapes. */
export type StartedGateway = ObservedApp;

/**
 * The public edge. Nest builds it and serves the health probes; every request first meets
 * TenantProxy on the raw HTTP server, which forwards tenant requests itself (no Express, no
 * body parsing: bodies stream through to the app servers) and hands the probes to Express.
 */
export async function startGateway(config: GatewayConfig, observability = gatewayObservability(config)): Promise<StartedGateway> {
  const app = await createApp(GatewayModule.forRoot(config, observability), {
    inlineStyles: [ERROR_PAGE_STYLE], // the health probes' responses; TenantProxy records the same headers once
    beforeRoutes: (express) => {
      // X-Forwarded-For/-Proto count only from these peers; TenantProxy and Express read this one rule.
      express.set('trust proxy', config.http.trustProxy.length > 0 ? config.http.trustProxy : false);
    },
    server: (server) => limitSlowClients(server, config.http),
    logger: observability.logger,
    observe: observability.observe,
  });
  const server = app.getHttpServer() as Server;
  server.removeAllListeners('request');
  server.on('request', app.get(TenantProxy).handle);
  const started = await startApp(app, config.http, { registry: observability.registry, metrics: config.metrics });
  return { ...started, url: `http://127.0.0.1:${started.port}` };
}

/**
 * A client gets `headersTimeoutMs` to send its headers and `requestTimeoutMs` for the whole
 * request, then 408; an idle keep-alive connection closes after `keepAliveTimeoutMs`; past
 * `maxConnections` new connections are dropped. Node checks the first two only every
 * `connectionsCheckingInterval` (30 s by default), so that is tightened too.
 */
function limitSlowClients(server: Server, limits: GatewayConfig['http']): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1_000, limits.headersTimeoutMs);
}
