import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GatewayConfig } from '@mysaas/config';
import { listen } from '@mysaas/nest-http';
import { GatewayModule } from './app.module';
import { edgeRequestFilter } from './edge/edge-request.filter';

export interface StartedGateway {
  app: NestExpressApplication;
  port: number;
  /** http://127.0.0.1:<port>; send a tenant Host header to reach a tenant. */
  url: string;
  close(): Promise<void>;
}

/** The public edge. No body parsing: request bodies stream through to the app servers. */
export async function startGateway(config: GatewayConfig): Promise<StartedGateway> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  // Before Nest's router: nothing routes on a request target the edge has not normalised.
  app.use(edgeRequestFilter(new Logger('Gateway')));
  app.disable('x-powered-by');
  app.disable('etag');
  app.enableShutdownHooks();
  const port = await listen(app, config.http.port, config.http.host);
  return { app, port, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
