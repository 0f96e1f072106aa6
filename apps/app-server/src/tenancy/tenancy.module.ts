import { Global, Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { createPoolDataSource, TenantDatabase } from '@mysaas/db';
import { APP_CONFIG, OBSERVABILITY, type AppServerConfig } from '../app-config';
import type { AppServerObservability } from '../observability';
import { tenantSchemaEntities } from '@mysaas/modules/schema';
import { TenantContextMiddleware } from './tenant-context.middleware';
import { TenantTransactionInterceptor } from './tenant-transaction.interceptor';

const dataSourceProvider: Provider = {
  provide: DataSource,
  inject: [APP_CONFIG],
  useFactory: (config: AppServerConfig) =>
    createPoolDataSource({
      url: config.database.url,
      entities: tenantSchemaEntities(),
      maxConnections: config.database.maxConnections,
      connectionWaitMs: config.database.connectionWaitMs,
      applicationName: `mysaas-app-server/${config.pool.name}`,
    }).initialize(),
};

const tenantDatabaseProvider: Provider = {
  provide: TenantDatabase,
  inject: [DataSource, APP_CONFIG, OBSERVABILITY],
  useFactory: (dataSource: DataSource, config: AppServerConfig, observability: AppServerObservability) =>
    new TenantDatabase(dataSource, {
      statementTimeoutMs: config.database.statementTimeoutMs,
      maxConnectionsPerTenant: config.database.maxConnectionsPerTenant,
      connectionWaitMs: config.database.connectionWaitMs,
      onConnectionWait: observability.onConnectionWait,
    }),
};

/**
 * The tenancy runtime every app server carries: one bounded connection pool to the pool's
 * database server with a bounded share per tenant, the middleware that admits gateway-signed
 * requests and opens their tenant transaction, and the interceptor that commits it.
 */
@Global()
@Module({
  providers: [
    dataSourceProvider,
    tenantDatabaseProvider,
    TenantContextMiddleware,
    { provide: APP_INTERCEPTOR, useClass: TenantTransactionInterceptor },
  ],
  exports: [DataSource, TenantDatabase, TenantContextMiddleware],
})
export class TenancyModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
