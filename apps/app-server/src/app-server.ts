import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { BULK_UPLOAD_ROUTE } from '@mysaas/tenancy';
import type { AppServerConfig } from '@mysaas/config';
import { PAGE_STYLE } from '@mysaas/modules';
import { createApp, startApp, type ObservedApp } from '@mysaas/nest-http';
import { AppModule } from './app.module';
import { appServerObservability, type AppServerObservability } from './observability';

/** The app server listening: `url` is the gateway's upstream, `metricsUrl` where Prometheus scrapes. */
export type StartedAppServer = ObservedApp;

/** Builds the app server of one pool (not listening yet). */
export function createAppServer(config: AppServerConfig, observability: AppServerObservability = appServerObservability(config)): Promise<NestExpressApplication> {
  const bulkJson = json({ limit: config.limits.bulkMaxBodyBytes }) as (req: unknown, res: unknown, next: () => void) => void;
  return createApp(AppModule.forRoot(config, observability), {
    jsonBodyBytes: config.limits.maxBodyBytes,
    forms: true,
    inlineStyles: [PAGE_STYLE],
    logger: observability.logger,
    observe: observability.observe,
    // Bulk uploads (POST …/imports) get a larger body than every other route, before the
    // general parser (which leaves a body already parsed alone).
    beforeRoutes: (app) => {
      app.use(BULK_UPLOAD_ROUTE, (req: { method: string }, res: unknown, next: () => void) => (req.method === 'POST' ? bulkJson(req, res, next) : next()));
    },
    // Keep idle connections from the gateway open longer than the gateway keeps them, so the
    // gateway never reuses a socket the app server is closing at that moment.
    server: (server) => {
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
    },
  });
}

export async function startAppServer(config: AppServerConfig, observability = appServerObservability(config)): Promise<StartedAppServer> {
  return startApp(await createAppServer(config, observability), config.http, { registry: observability.registry, metrics: config.metrics });
}
