import { DEFAULT_METRICS_PORTS, DEFAULT_PORTS } from '@mysaas/config';
import type { StackSecrets } from './data-dir';

/** One pool of the dev stack: its release, where its data lives, its app login and its app server's ports. */
interface PoolSpec {
  name: string;
  release: number;
  /** Its embedded server's folder, under `<data folder>/postgres/`. */
  serverFolder: string;
  database: string;
  appRole: string;
  /** The data folder's secret that holds its app login's password. */
  appPasswordSecret: keyof StackSecrets;
  /** Preferred ports of its app server (a free one when taken). */
  port: number;
  metricsPort: number;
}

/**
 * The pools `npm start` runs side by side, each on its own release, so that a tenant's pool
 * decides which release serves it (the control plane migrates its schema to that release).
 */
export const STACK_POOLS = [
  {
    name: 'v1',
    release: 1,
    serverFolder: 'pool-v1',
    database: 'mysaas_pool_v1',
    appRole: 'mysaas_app_v1',
    appPasswordSecret: 'appDbPassword',
    port: DEFAULT_PORTS.appServer,
    metricsPort: DEFAULT_METRICS_PORTS.appServer,
  },
  {
    name: 'v2',
    release: 2,
    serverFolder: 'pool-v2',
    database: 'mysaas_pool_v2',
    appRole: 'mysaas_app_v2',
    appPasswordSecret: 'appV2DbPassword',
    port: DEFAULT_PORTS.appServer + 1,
    // The next after the worker's.
    metricsPort: DEFAULT_METRICS_PORTS.worker + 1,
  },
] as const satisfies readonly PoolSpec[];

export type StackPool = (typeof STACK_POOLS)[number];
export type PoolName = StackPool['name'];

/** One value per pool, worked out for all pools at once. */
export async function forEachPool<T>(fn: (pool: StackPool) => T | Promise<T>): Promise<Record<PoolName, T>> {
  const values = await Promise.all(STACK_POOLS.map(async (pool) => [pool.name, await fn(pool)] as const));
  return Object.fromEntries(values) as Record<PoolName, T>;
}
