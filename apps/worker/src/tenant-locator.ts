import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { createPoolDataSource, TenantDatabase } from '@mysaas/db';
import type { LocateTenant, TenantLocation } from '@mysaas/jobs';
import { tenantSchemaEntities } from '@mysaas/modules/schema';
import { checkTenantSlug } from '@mysaas/tenancy';

export interface TenantLocatorOptions {
  /** The routing login (reads platform.tenant_routes, nothing else). */
  routingDatabaseUrl: string;
  /** Each pool's database, reached with that pool's app login: never an admin login. */
  pools: Record<string, string>;
  database: { maxConnections: number; connectionWaitMs: number; maxConnectionsPerTenant: number; statementTimeoutMs: number };
  onConnectionWait?: (tenant: { slug: string; pool: string }, seconds: number) => void;
}

/** A tenant's job ran while routing had no such tenant, or named a pool this worker cannot reach. */
export class TenantNotLocatedError extends Error {}

/**
 * Finds where a tenant is served when its job runs: its pool now (read from routing each
 * time, so a tenant that moved is served from its new pool), and that pool's database with
 * one bounded connection pool per pool database, opened on first use.
 */
export class TenantLocator {
  private readonly routing: Pool;
  private readonly databases = new Map<string, Promise<{ dataSource: DataSource; db: TenantDatabase }>>();

  constructor(private readonly options: TenantLocatorOptions) {
    this.routing = new Pool({ connectionString: options.routingDatabaseUrl, max: 2, application_name: 'mysaas-worker/routing' });
    this.routing.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
  }

  readonly locate: LocateTenant = async (tenantId) => {
    const { rows } = await this.routing.query<{ id: string; slug: string; name: string; pool: string }>(
      'SELECT id, slug, name, pool FROM platform.tenant_routes WHERE id = $1',
      [tenantId],
    );
    const route = rows[0];
    if (route === undefined) throw new TenantNotLocatedError(`tenant ${tenantId} is not in routing (deleted?)`);
    const slug = checkTenantSlug(route.slug);
    if (!slug.ok) throw new TenantNotLocatedError(`tenant ${tenantId} has an invalid slug in routing: ${slug.reason}`);
    const { db } = await this.database(route.pool);
    const location: TenantLocation = { tenant: { id: route.id, slug: slug.slug, name: route.name }, db };
    return location;
  };

  /** Tenant slugs by id, for labelling metrics. */
  async slugs(tenantIds: readonly string[]): Promise<Map<string, string>> {
    if (tenantIds.length === 0) return new Map();
    const { rows } = await this.routing.query<{ id: string; slug: string }>('SELECT id, slug FROM platform.tenant_routes WHERE id = ANY($1::uuid[])', [tenantIds]);
    return new Map(rows.map((r) => [r.id, r.slug]));
  }

  private database(pool: string): Promise<{ dataSource: DataSource; db: TenantDatabase }> {
    let opened = this.databases.get(pool);
    if (opened === undefined) {
      const url = this.options.pools[pool];
      if (url === undefined) {
        return Promise.reject(new TenantNotLocatedError(`this worker has no login for pool ${pool} (add it to POOL_DATABASE_URLS)`));
      }
      const { database, onConnectionWait } = this.options;
      opened = createPoolDataSource({
        url,
        entities: tenantSchemaEntities(),
        maxConnections: database.maxConnections,
        connectionWaitMs: database.connectionWaitMs,
        applicationName: `mysaas-worker/${pool}`,
      })
        .initialize()
        .then((dataSource) => ({
          dataSource,
          db: new TenantDatabase(dataSource, {
            statementTimeoutMs: database.statementTimeoutMs,
            maxConnectionsPerTenant: database.maxConnectionsPerTenant,
            connectionWaitMs: database.connectionWaitMs,
            ...(onConnectionWait ? { onConnectionWait: (tenant, seconds) => onConnectionWait({ slug: tenant.slug, pool }, seconds) } : {}),
          }),
        }));
      // A pool that could not be reached is tried again by the next job.
      opened.catch(() => this.databases.delete(pool));
      this.databases.set(pool, opened);
    }
    return opened;
  }

  async close(): Promise<void> {
    const opened = [...this.databases.values()];
    this.databases.clear();
    await Promise.all(opened.map((p) => p.then(({ dataSource }) => dataSource.destroy()).catch(() => undefined)));
    await this.routing.end();
  }
}
