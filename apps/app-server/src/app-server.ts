import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppServerConfig } from '@mysaas/config';
import { listen, securityHeaders } from '@mysaas/nest-http';
import { AppModule } from './app.module';
import { PAGE_STYLE } from './pages/html';

export interface StartedAppServer {
  app: NestExpressApplication;
  /** Base URL the gateway should use as this server's upstream. */
  url: string;
  close(): Promise<void>;
}

/** Builds the app server of one pool (not listening yet). */
export async function createAppServer(config: AppServerConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  app.useBodyParser('json', { limit: config.limits.maxBodyBytes });
  app.useBodyParser('urlencoded', { limit: config.limits.maxBodyBytes, extended: false });
  // The pages' CSP (their style by hash); the gateway adds the same headers to everything else.
  app.use(...securityHeaders({ inlineStyles: [PAGE_STYLE] }));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  // Keep idle connections from the gateway open longer than the gateway keeps them, so the
  // gateway never reuses a socket the app server is closing at that moment.
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return app;
}

export async function startAppServer(config: AppServerConfig): Promise<StartedAppServer> {
  const app = await createAppServer(config);
  const port = await listen(app, config.http.port, config.http.host);
  return { app, url: `http://${config.http.host}:${port}`, close: () => app.close() };
}
