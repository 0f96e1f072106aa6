import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '@mysaas/embedded-db';
import testingSetup from '@mysaas/testing/jest-global-setup';

declare global {
  var __MOVES_LOGICAL_PG__: RunningPostgres | undefined;
}

/** Where the logical-replication suite finds the second cluster this setup started. */
export const LOGICAL_SERVER_VARIABLE = 'MYSAAS_MOVES_LOGICAL_DATABASE_URL';

/**
 * The usual test server (@mysaas/testing), plus a second Postgres cluster with
 * wal_level=logical for the moves that stream changes: an embedded server (it cannot start
 * inside Jest's runtime, so it starts here), stopped and deleted by the teardown.
 */
export default async function setup(): Promise<void> {
  await testingSetup();
  const server = await startEmbeddedPostgres({
    dataDir: join(tmpdir(), `mysaas-moves-test-pg-${randomBytes(6).toString('hex')}`),
    password: 'mysaas-moves-test',
    persistent: false,
  });
  globalThis.__MOVES_LOGICAL_PG__ = server;
  process.env[LOGICAL_SERVER_VARIABLE] = server.adminUrl();
  process.stdout.write(`[moves] a second Postgres (wal_level=logical) embedded on 127.0.0.1:${server.port}\n`);
}
