import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { readEnv } from '@mysaas/config';
import { startEmbeddedPostgres, type RunningPostgres } from '@mysaas/embedded-db';
import { redisReachable } from '@mysaas/limits';
import { EMBEDDED_TEST_URL_VARIABLE, TEST_REDIS_URL_VARIABLE } from './test-server';

declare global {
  var __MYSAAS_EMBEDDED_PG__: RunningPostgres | undefined;
}

/**
 * Jest globalSetup: makes a real Postgres server available to every test of the run. Uses
 * DATABASE_URL when set (and fails loudly when it is unreachable), otherwise starts an
 * embedded server in a temporary directory that the teardown deletes. Redis is optional:
 * suites that need it skip, saying so, when none answers; in CI its absence fails the run.
 */
export default async function globalSetup(): Promise<void> {
  await findRedis();
  const given = readEnv('DATABASE_URL');
  if (given !== undefined) {
    const version = await serverVersion(given).catch((error: unknown) => {
      throw new Error(`DATABASE_URL is set but its server is unreachable (${String(error)}); unset it to use an embedded server`);
    });
    console.log(`\n[mysaas/testing] Postgres ${version} from DATABASE_URL`);
    return;
  }
  const server = await startEmbeddedPostgres({
    // Not mkdtemp: its mode 700 would keep out the postgres user the server runs as under root.
    dataDir: join(tmpdir(), `mysaas-test-pg-${randomBytes(6).toString('hex')}`),
    password: 'mysaas-test',
    persistent: false,
  });
  globalThis.__MYSAAS_EMBEDDED_PG__ = server;
  process.env[EMBEDDED_TEST_URL_VARIABLE] = server.adminUrl();
  console.log(`\n[mysaas/testing] Postgres ${await serverVersion(server.adminUrl())} embedded on 127.0.0.1:${server.port} (set DATABASE_URL to use another server)`);
}

async function findRedis(): Promise<void> {
  const url = readEnv('REDIS_URL') ?? 'redis://127.0.0.1:6379';
  if (await redisReachable(url)) {
    process.env[TEST_REDIS_URL_VARIABLE] = url;
    return;
  }
  if (readEnv('CI') === 'true') throw new Error(`CI must run the Redis tests, but Redis at ${url} is unreachable; start one or set REDIS_URL`);
  console.log(`\nSKIPPED Redis test suites: no Redis at ${url} (set REDIS_URL; CI runs them)`);
}

async function serverVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}
