import { createPoolDataSource, TenantDatabase } from '@mysaas/db';
import type { ScopedTenant } from '@mysaas/tenant-runtime';
import { testRedisUrl, type TestDatabase, type TestPlatform, type TestTenant } from '@mysaas/testing';
import type { DataSource } from 'typeorm';
import type { JobBackendConfig } from '../../src/job-backend';

export type BackendUnderTest = [name: string, configOf: (jobsDb: TestDatabase) => JobBackendConfig];

/** Both backends run the same suites; Redis only where one answers (the global setup says SKIPPED otherwise; CI requires it). */
export function backendsUnderTest(): BackendUnderTest[] {
  const redisUrl = testRedisUrl();
  const postgres: BackendUnderTest = ['the PostgreSQL backend', (jobsDb) => ({ kind: 'postgres', url: jobsDb.url, schema: 'bullmq' })];
  return redisUrl === undefined ? [postgres] : [postgres, ['Redis', () => ({ kind: 'redis', url: redisUrl })]];
}

/** The pool database as a worker reaches it: the pool's least-privilege app login. */
export async function workerTenantDatabase(platform: TestPlatform, applicationName: string): Promise<{ dataSource: DataSource; tenantDb: TenantDatabase }> {
  const dataSource = await createPoolDataSource({ url: platform.poolAppUrl, entities: [], maxConnections: 4, connectionWaitMs: 5_000, applicationName }).initialize();
  const tenantDb = new TenantDatabase(dataSource, { statementTimeoutMs: 5_000, maxConnectionsPerTenant: 2, connectionWaitMs: 5_000 });
  return { dataSource, tenantDb };
}

export const scoped = (tenant: TestTenant): ScopedTenant => ({ id: tenant.id, slug: tenant.slug, name: tenant.name });
