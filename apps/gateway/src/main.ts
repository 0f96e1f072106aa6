import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadGatewayConfig } from '@mysaas/config';
import { startGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gateway = await startGateway(config);
  new Logger('Gateway').log(`listening on port ${gateway.port}; tenants at http://<slug>.${config.baseDomain}:${gateway.port}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
