import type { DataSource } from 'typeorm';
import { createPoolDataSource, TenantDatabase } from '@mysaas/db';
import type { TestPlatform } from './test-platform';

/**
 * The pool database as an app server uses it (its least-privilege login), with ONE
 * connection: every tenant transaction reuses the connection the previous one returned, so
 * a test sees whatever one tenant could leave behind for the next.
 */
export async function singleConnectionTenantDatabase(
  platform: TestPlatform,
  options: { statementTimeoutMs?: number; applicationName: string },
): Promise<{ dataSource: DataSource; tenantDb: TenantDatabase }> {
  const dataSource = await createPoolDataSource({
    url: platform.poolAppUrl,
    entities: [],
    maxConnections: 1,
    connectionWaitMs: 5_000,
    applicationName: options.applicationName,
  }).initialize();
  const tenantDb = new TenantDatabase(dataSource, {
    statementTimeoutMs: options.statementTimeoutMs ?? 5_000,
    maxConnectionsPerTenant: 1,
    connectionWaitMs: 5_000,
  });
  return { dataSource, tenantDb };
}
