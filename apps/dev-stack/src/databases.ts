import { join } from 'node:path';
import { Client } from 'pg';
import { ident } from '@mysaas/db';
import { startEmbeddedPostgres, type RunningPostgres } from '@mysaas/embedded-db';
import type { StackSecrets } from './data-dir';

/** Where the stack's Postgres servers come from. */
export type DatabaseSource =
  /** Two embedded servers under the data folder (the default: nothing to install). */
  | { kind: 'embedded' }
  /** One existing server (DATABASE_URL, an admin login): the stack creates its databases there. */
  | { kind: 'server'; url: string }
  /** Existing databases, given as admin URLs (CONTROL_DATABASE_URL and POOL_ADMIN_DATABASE_URL). */
  | { kind: 'databases'; controlUrl: string; poolUrl: string };

export interface StackDatabases {
  controlAdminUrl: string;
  poolAdminUrl: string;
  description: { control: string; pool: string };
  stop(): Promise<void>;
}

export const CONTROL_DATABASE = 'mysaas_control';
export const POOL_DATABASE = 'mysaas_pool_v1';
/** The job service's database, on the control server, owned by the job service's login. */
export const JOBS_DATABASE = 'mysaas_jobs';

export async function openDatabases(source: DatabaseSource, dataDir: string, secrets: StackSecrets): Promise<StackDatabases> {
  switch (source.kind) {
    case 'embedded': {
      const servers = await Promise.all(
        ['control', 'pool-v1'].map((name) =>
          startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres', name), password: secrets.postgresPassword, persistent: true }),
        ),
      );
      const [control, pool] = servers as [RunningPostgres, RunningPostgres];
      await Promise.all([ensureDatabase(control.adminUrl(), CONTROL_DATABASE), ensureDatabase(pool.adminUrl(), POOL_DATABASE)]);
      return {
        controlAdminUrl: control.adminUrl(CONTROL_DATABASE),
        poolAdminUrl: pool.adminUrl(POOL_DATABASE),
        description: {
          control: `embedded Postgres on 127.0.0.1:${control.port} (${control.dataDir})`,
          pool: `embedded Postgres on 127.0.0.1:${pool.port} (${pool.dataDir})`,
        },
        stop: async () => {
          await Promise.all(servers.map((s) => s.stop()));
        },
      };
    }
    case 'server': {
      await ensureDatabase(source.url, CONTROL_DATABASE);
      await ensureDatabase(source.url, POOL_DATABASE);
      const control = withDatabase(source.url, CONTROL_DATABASE);
      const pool = withDatabase(source.url, POOL_DATABASE);
      return { controlAdminUrl: control, poolAdminUrl: pool, description: { control: redact(control), pool: redact(pool) }, stop: async () => undefined };
    }
    case 'databases':
      return {
        controlAdminUrl: source.controlUrl,
        poolAdminUrl: source.poolUrl,
        description: { control: redact(source.controlUrl), pool: redact(source.poolUrl) },
        stop: async () => undefined,
      };
  }
}

/** Creates the database on the server unless it exists (owned by `owner` when given). */
export async function ensureDatabase(serverUrl: string, name: string, owner?: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await client.query(`CREATE DATABASE ${ident(name)}${owner === undefined ? '' : ` OWNER ${ident(owner)}`}`);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The same database, reached with another login. */
export function withLogin(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
