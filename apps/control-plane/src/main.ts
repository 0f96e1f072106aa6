import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadControlPlaneConfig } from '@mysaas/config';
import { startControlPlane } from './control-plane';

async function main(): Promise<void> {
  const server = await startControlPlane(loadControlPlaneConfig());
  new Logger('ControlPlane').log(`listening on ${server.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
