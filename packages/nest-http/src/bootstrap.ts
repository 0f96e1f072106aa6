import type { Server } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { listen } from './listen';
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
}

export interface StartedApp {
  app: NestExpressApplication;
  port: number;
  /** http://<host>:<port>, with the host the app was told to listen on (127.0.0.1 when all). */
  url: string;
  close(): Promise<void>;
}

/**
 * Every app's bootstrap: Nest on Express, the platform's security headers on every response,
 * no X-Powered-By, graceful shutdown on SIGTERM/SIGINT, bodies parsed only as the app says.
 */
export async function createApp(module: DynamicModule, options: AppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, logger: ['error', 'warn'] });
  // First, so that even a request refused before routing carries them.
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

export async function startApp(app: NestExpressApplication, http: { host?: string | undefined; port: number }): Promise<StartedApp> {
  const port = await listen(app, http.port, http.host);
  return { app, port, url: `http://${http.host ?? '127.0.0.1'}:${port}`, close: () => app.close() };
}
