import type { PoolStatus } from '@mysaas/tenancy';
import type { PoolView } from './dto/pool.view';

export interface PoolRecord {
  name: string;
  release: number;
  status: PoolStatus;
  /** Admin URL of the pool's database server; never leaves the control plane. */
  databaseUrl: string;
  appRole: string;
  upstreams: string[];
  /** Where tenants created without a pool go (one pool at most). */
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What the API shows of a pool: the database server without its credentials (typed as the documented schema). */
export function poolView(pool: PoolRecord, tenantCount?: number): PoolView {
  const url = new URL(pool.databaseUrl);
  return {
    name: pool.name,
    release: pool.release,
    status: pool.status,
    databaseServer: `${url.hostname}:${url.port || '5432'}${url.pathname}`,
    appRole: pool.appRole,
    upstreams: pool.upstreams,
    isDefault: pool.isDefault,
    ...(tenantCount === undefined ? {} : { tenantCount }),
    createdAt: pool.createdAt.toISOString(),
    updatedAt: pool.updatedAt.toISOString(),
  };
}
