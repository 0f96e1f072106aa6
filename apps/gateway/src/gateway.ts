import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GatewayConfig } from '@mysaas/config';
import { createApp, startApp } from '@mysaas/nest-http';
import { GatewayModule } from './app.module';
import { edgeRequestFilter } from './edge/edge-request.filter';
import { ERROR_PAGE_STYLE } from './errors/error-page';

export interface StartedGateway {
  app: NestExpressApplication;
  port: number;
  /** http://127.0.0.1:<port>; send a tenant Host header to reach a tenant. */
  url: string;
  close(): Promise<void>;
}

/** The public edge. No body parsing: request bodies stream through to the app servers. */
export async function startGateway(config: GatewayConfig): Promise<StartedGateway> {
  const app = await createApp(GatewayModule.forRoot(config), {
    inlineStyles: [ERROR_PAGE_STYLE], // every response, proxied or the gateway's own; a page's own CSP wins
    beforeRoutes: (express) => {
      // X-Forwarded-For/-Proto count only from these peers; req.ip, req.protocol and req.secure follow.
      express.set('trust proxy', config.http.trustProxy.length > 0 ? config.http.trustProxy : false);
      // Nothing routes on a request target the edge has not normalised.
      express.use(edgeRequestFilter(new Logger('Gateway')));
    },
    server: (server) => limitSlowClients(server, config.http),
  });
  const started = await startApp(app, config.http);
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
