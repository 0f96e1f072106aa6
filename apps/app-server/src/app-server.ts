import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppServerConfig } from '@mysaas/config';
import { createApp, startApp } from '@mysaas/nest-http';
import { AppModule } from './app.module';
import { PAGE_STYLE } from '@mysaas/modules';

export interface StartedAppServer {
  app: NestExpressApplication;
  /** Base URL the gateway should use as this server's upstream. */
  url: string;
  close(): Promise<void>;
}

/** Builds the app server of one pool (not listening yet). */
export function createAppServer(config: AppServerConfig): Promise<NestExpressApplication> {
  return createApp(AppModule.forRoot(config), {
    jsonBodyBytes: config.limits.maxBodyBytes,
    forms: true,
    inlineStyles: [PAGE_STYLE],
    // Keep idle connections from the gateway open longer than the gateway keeps them, so the
    // gateway never reuses a socket the app server is closing at that moment.
    server: (server) => {
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
    },
  });
}

export async function startAppServer(config: AppServerConfig): Promise<StartedAppServer> {
  return startApp(await createAppServer(config), config.http);
}
