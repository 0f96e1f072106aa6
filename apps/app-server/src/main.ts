import 'reflect-metadata';
import { loadAppServerConfig } from '@mysaas/config';
import { startAppServer } from './app-server';

async function main(): Promise<void> {
  const config = loadAppServerConfig();
  const server = await startAppServer(config);
  // The apps log only warnings and errors through Nest; say once that it is up.
  process.stdout.write(`app server: pool ${config.pool.name} (release ${config.pool.release}) listening on ${server.url}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
