import 'reflect-metadata';
import { loadAppServerConfig } from '@mysaas/config';
import { logListening } from '@mysaas/observability';
import { startAppServer } from './app-server';
import { appServerObservability } from './observability';

async function main(): Promise<void> {
  const config = loadAppServerConfig();
  const observability = appServerObservability(config);
  const server = await startAppServer(config, observability);
  // The line `npm start` (and any supervisor) waits for, whatever LOG_LEVEL says; with the pool and release.
  logListening(observability.logger, { url: server.url, metricsUrl: server.metricsUrl });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
