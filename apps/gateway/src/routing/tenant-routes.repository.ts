import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { checkUpstream, type PoolStatus, type TenantSlug, type TenantStatus, type UpstreamOrigin } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import type { TenantRoute } from './tenant-route';

/** Reads the platform's routing view through the gateway's read-only role. */
@Injectable()
export class TenantRoutesRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('Routing');
  private readonly db: Pool;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.db = new Pool({
      connectionString: config.routing.databaseUrl,
      max: 4,
      connectionTimeoutMillis: 3_000,
      application_name: 'mysaas-gateway',
    });
    this.db.on('error', () => undefined); // idle client lost; the next query reconnects
  }

  async find(slug: TenantSlug): Promise<TenantRoute | undefined> {
    const { rows } = await this.db.query<{
      id: string; slug: TenantSlug; name: string; status: TenantStatus; pool: string; pool_status: PoolStatus; upstreams: string[];
      max_concurrent_requests: number | null; held: boolean;
    }>('SELECT id, slug, name, status, pool, pool_status, upstreams, max_concurrent_requests, held FROM platform.tenant_routes WHERE slug = $1', [slug]);
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      status: row.status,
      pool: row.pool,
      poolStatus: row.pool_status,
      upstreams: this.upstreams(row.pool, row.upstreams),
      maxConcurrentRequests: row.max_concurrent_requests,
      held: row.held,
    };
  }

  /** The control plane validates upstreams; a row that predates that rule is skipped, not followed. */
  private upstreams(pool: string, urls: string[]): UpstreamOrigin[] {
    return urls.flatMap((url) => {
      const check = checkUpstream(url);
      if (check.ok) return [check.upstream];
      this.logger.warn(`pool ${pool}: ignoring upstream: ${check.reason}`);
      return [];
    });
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.end();
  }
}
