import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadAppServerConfig } from '@mysaas/config';
import { startAppServer } from './app-server';

async function main(): Promise<void> {
  const config = loadAppServerConfig();
  const server = await startAppServer(config);
  new Logger('AppServer').log(`pool ${config.pool.name} (release ${config.pool.release}) listening on ${server.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
