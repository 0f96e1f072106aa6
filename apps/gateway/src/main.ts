import 'reflect-metadata';
import { loadGatewayConfig } from '@mysaas/config';
import { logListening } from '@mysaas/observability';
import { startGateway } from './gateway';
import { gatewayObservability } from './observe/gateway-observability';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const observability = gatewayObservability(config);
  const gateway = await startGateway(config, observability);
  // The line `npm start` (and any supervisor) waits for, whatever LOG_LEVEL says.
  logListening(observability.logger, { url: gateway.url, metricsUrl: gateway.metricsUrl, tenants: `http://<slug>.${config.baseDomain}:${gateway.port}` });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
