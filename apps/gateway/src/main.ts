import 'reflect-metadata';
import { loadGatewayConfig } from '@mysaas/config';
import { startGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gateway = await startGateway(config);
  // The apps log only warnings and errors through Nest; say once that it is up.
  process.stdout.write(`gateway: listening on port ${gateway.port}; tenants at http://<slug>.${config.baseDomain}:${gateway.port}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
