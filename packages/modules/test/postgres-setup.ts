import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '@mysaas/embedded-db';

declare global {
  var __MODULES_EMBEDDED_PG__: RunningPostgres | undefined;
}

/** Where the tests find the embedded server this setup started (DATABASE_URL wins when set). */
export const EMBEDDED_URL_VARIABLE = 'MYSAAS_MODULES_TEST_DATABASE_URL';

/**
 * Jest globalSetup of this package: a real Postgres for its integration tests, as
 * @mysaas/testing's setup gives every other package (which this one cannot use: ADR 14).
 * DATABASE_URL when set; otherwise an embedded server in a temporary folder, stopped and
 * deleted by the teardown, so `npm test` needs nothing installed.
 */
export default async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const server = await startEmbeddedPostgres({
    dataDir: join(tmpdir(), `mysaas-modules-test-pg-${randomBytes(6).toString('hex')}`),
    password: 'mysaas-test',
    persistent: false,
  });
  globalThis.__MODULES_EMBEDDED_PG__ = server;
  process.env[EMBEDDED_URL_VARIABLE] = server.adminUrl();
  process.stdout.write(`\n[modules] Postgres embedded on 127.0.0.1:${server.port} (set DATABASE_URL to use another server)\n`);
}
