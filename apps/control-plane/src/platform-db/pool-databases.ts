import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';

/**
 * Admin connections to the pools' database servers, used for provisioning. Small and lazy:
 * the control plane only touches a pool server when it creates or changes a tenant there.
 */
@Injectable()
export class PoolDatabases implements OnApplicationShutdown {
  private readonly pools = new Map<string, Pool>();

  get(databaseUrl: string): Pool {
    let pool = this.pools.get(databaseUrl);
    if (pool === undefined) {
      pool = new Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5_000, application_name: 'mysaas-control-plane' });
      pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
      this.pools.set(databaseUrl, pool);
    }
    return pool;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
  }
}

/** The pool's database server could not be reached (refused, timed out, unknown host, shut down). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || code === '57P01' || code === '08006' || code === '08001';
}
