import 'reflect-metadata';
import { loadControlPlaneConfig } from '@mysaas/config';
import { startControlPlane } from './control-plane';

async function main(): Promise<void> {
  const server = await startControlPlane(loadControlPlaneConfig());
  // The apps log only warnings and errors through Nest; say once that it is up.
  process.stdout.write(`control plane: listening on ${server.url}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
