import 'reflect-metadata';
import { loadControlPlaneConfig } from '@mysaas/config';
import { logListening } from '@mysaas/observability';
import { controlPlaneObservability, startControlPlane } from './control-plane';

async function main(): Promise<void> {
  const config = loadControlPlaneConfig();
  const observability = controlPlaneObservability(config);
  const server = await startControlPlane(config, observability);
  // The line `npm start` (and any supervisor) waits for, whatever LOG_LEVEL says.
  logListening(observability.logger, { url: server.url, metricsUrl: server.metricsUrl });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
