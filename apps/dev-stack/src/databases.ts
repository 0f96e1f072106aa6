import { join } from 'node:path';
import { Client } from 'pg';
import { ident } from '@mysaas/db';
import { startEmbeddedPostgres, type RunningPostgres } from '@mysaas/embedded-db';
import type { StackSecrets } from './data-dir';
import { forEachPool, STACK_POOLS, type PoolName } from './pools';

/** Where the stack's Postgres servers come from. */
export type DatabaseSource =
  /** One embedded server per pool and one for the control plane, under the data folder (the default: nothing to install). */
  | { kind: 'embedded' }
  /** One existing server (DATABASE_URL, an admin login): the stack creates its databases there. */
  | { kind: 'server'; url: string }
  /**
   * Existing databases, given as admin URLs (CONTROL_DATABASE_URL and POOL_ADMIN_DATABASE_URL).
   * Pool v2's is optional: without it, the stack creates `mysaas_pool_v2` on pool v1's server.
   */
  | { kind: 'databases'; controlUrl: string; poolUrl: string; poolV2Url?: string | undefined };

export interface StackDatabases {
  controlAdminUrl: string;
  poolAdminUrls: Record<PoolName, string>;
  description: { control: string; pools: Record<PoolName, string> };
  stop(): Promise<void>;
}

export const CONTROL_DATABASE = 'mysaas_control';
/** The job service's database, on the control server, owned by the job service's login. */
export const JOBS_DATABASE = 'mysaas_jobs';

export async function openDatabases(source: DatabaseSource, dataDir: string, secrets: StackSecrets): Promise<StackDatabases> {
  switch (source.kind) {
    case 'embedded': {
      const start = (folder: string) =>
        startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres', folder), password: secrets.postgresPassword, persistent: true });
      // A pool's server missing from an older data folder is initialised here, on its first start.
      const [control, pools] = await Promise.all([start('control'), forEachPool((pool) => start(pool.serverFolder))]);
      const servers = [control, ...Object.values<RunningPostgres>(pools)];
      await Promise.all([
        ensureDatabase(control.adminUrl(), CONTROL_DATABASE),
        ...STACK_POOLS.map((pool) => ensureDatabase(pools[pool.name].adminUrl(), pool.database)),
      ]);
      const describe = (server: RunningPostgres) => `embedded Postgres on 127.0.0.1:${server.port} (${server.dataDir})`;
      return {
        controlAdminUrl: control.adminUrl(CONTROL_DATABASE),
        poolAdminUrls: await forEachPool((pool) => pools[pool.name].adminUrl(pool.database)),
        description: { control: describe(control), pools: await forEachPool((pool) => describe(pools[pool.name])) },
        stop: async () => {
          await Promise.all(servers.map((s) => s.stop()));
        },
      };
    }
    case 'server': {
      await ensureDatabase(source.url, CONTROL_DATABASE);
      const poolAdminUrls = await forEachPool(async (pool) => {
        await ensureDatabase(source.url, pool.database);
        return withDatabase(source.url, pool.database);
      });
      return existing(withDatabase(source.url, CONTROL_DATABASE), poolAdminUrls);
    }
    case 'databases': {
      // Each pool's database as given; one not given is made on pool v1's server.
      const given: Partial<Record<PoolName, string>> = { v1: source.poolUrl, v2: source.poolV2Url };
      const poolAdminUrls = await forEachPool(async (pool) => {
        const url = given[pool.name];
        if (url !== undefined) return url;
        await ensureDatabase(source.poolUrl, pool.database);
        return withDatabase(source.poolUrl, pool.database);
      });
      return existing(source.controlUrl, poolAdminUrls);
    }
  }
}

/** Databases on servers the stack did not start, so leaves running. */
function existing(controlAdminUrl: string, poolAdminUrls: Record<PoolName, string>): StackDatabases {
  return {
    controlAdminUrl,
    poolAdminUrls,
    description: {
      control: redact(controlAdminUrl),
      pools: Object.fromEntries(Object.entries(poolAdminUrls).map(([name, url]) => [name, redact(url)])) as Record<PoolName, string>,
    },
    stop: async () => undefined,
  };
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
