import type { Server } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PinoNestLogger, startMetricsServer, type Logger, type Registry } from '@mysaas/observability';
import { listen } from './listen';
import { observeRequests, type RequestObserving } from './request-observer';
import { securityHeaders } from './security-headers';

export interface AppOptions {
  /** JSON bodies up to this many bytes are parsed; none when absent (the gateway streams them). */
  jsonBodyBytes?: number;
  /** Also parse HTML form posts (application/x-www-form-urlencoded), with the same limit. */
  forms?: boolean;
  /** The inline <style> blocks the app's pages use: the CSP allows exactly these, by hash. */
  inlineStyles?: string[];
  /** Express-level work that must run before Nest routes anything (the gateway's edge). */
  beforeRoutes?(app: NestExpressApplication): void;
  /** Tunes the HTTP server (timeouts, connection caps) before it listens. */
  server?(server: Server): void;
  /** Where Nest's own messages go (default: warnings and errors to the console). */
  logger?: Logger;
  /** Counts, times and logs every answered request. */
  observe?: RequestObserving;
}

export interface StartedApp {
  app: NestExpressApplication;
  port: number;
  /** http://<host>:<port>, with the host the app was told to listen on (127.0.0.1 when all). */
  url: string;
  close(): Promise<void>;
}

export interface ObservedApp extends StartedApp {
  /** Where Prometheus scrapes the app: `GET /metrics` on a port of its own. */
  metricsUrl: string;
}

export interface MetricsServing {
  registry: Registry;
  /** Apart from the app's traffic, 127.0.0.1 by default: the public port never exposes it. */
  metrics: { host: string; port: number };
}

/**
 * Every app's bootstrap: Nest on Express, the platform's security headers on every response,
 * no X-Powered-By, graceful shutdown on SIGTERM/SIGINT, bodies parsed only as the app says.
 */
export async function createApp(module: DynamicModule, options: AppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: options.logger ? new PinoNestLogger(options.logger) : ['error', 'warn'],
  });
  // First, so that every request is counted, even one refused before routing.
  if (options.observe) app.use(observeRequests(options.observe));
  // Then, so that even a request refused before routing carries them.
  app.use(...securityHeaders({ inlineStyles: options.inlineStyles ?? [] }));
  options.beforeRoutes?.(app);
  if (options.jsonBodyBytes !== undefined) {
    app.useBodyParser('json', { limit: options.jsonBodyBytes });
    if (options.forms) app.useBodyParser('urlencoded', { limit: options.jsonBodyBytes, extended: false });
  }
  app.disable('x-powered-by');
  app.disable('etag');
  app.enableShutdownHooks();
  options.server?.(app.getHttpServer() as Server);
  return app;
}

type Listening = { host?: string | undefined; port: number };

/** Listens, and serves the app's metrics on their own port when given them. */
export async function startApp(app: NestExpressApplication, http: Listening): Promise<StartedApp>;
export async function startApp(app: NestExpressApplication, http: Listening, serving: MetricsServing): Promise<ObservedApp>;
export async function startApp(app: NestExpressApplication, http: Listening, serving?: MetricsServing): Promise<StartedApp | ObservedApp> {
  const port = await listen(app, http.port, http.host);
  const url = `http://${http.host ?? '127.0.0.1'}:${port}`;
  if (!serving) return { app, port, url, close: () => app.close() };
  const metrics = await startMetricsServer(serving.registry, serving.metrics);
  return {
    app,
    port,
    url,
    metricsUrl: metrics.url,
    close: async () => {
      await app.close();
      await metrics.close();
    },
  };
}
