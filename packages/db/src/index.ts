export { ident, inTransaction, literal, pgErrorCode, PgErrorCode, type Queryable } from './sql';
export {
  applyMigrations,
  migrationsForRelease,
  UnknownMigrationsError,
  type Migration,
} from './migrations/migration';
export { PLATFORM_MIGRATIONS } from './migrations/platform.migrations';
export { announceRoutingChange } from './routing';
export { listenForNotifications, type NotificationListener, type NotificationListenerOptions } from './notifications';
export { tenantMigrations, type TenantSchemaPart } from './migrations/tenant-schema';
export { ensureLoginRole, grantRoutingAccess, migratePlatform } from './setup';
export { migrateFleet, type FleetMigrationEvents, type FleetMigrationOptions, type FleetMigrationReport, type SchemaOutcome } from './fleet-migration';
export {
  dropTenantSchema,
  provisionTenantSchema,
  setTenantStatementTimeout,
  TENANT_MIGRATIONS_TABLE,
  tenantRoleExists,
  tenantSchemaExists,
  TenantProvisioningError,
  type ProvisionedTenant,
  type ProvisioningFailure,
  type ProvisionTenantInput,
} from './provisioning';
export {
  createPoolDataSource,
  SESSION_RESET_SQL,
  STATEMENT_TIMEOUT_CACHE_MS,
  TenantConnectionsBusyError,
  TenantDatabase,
  TenantMovingError,
  TenantTransaction,
  type PoolDataSourceOptions,
  type TenantDatabaseOptions,
} from './tenant-transactions';
export { refusalOf, TenantStatementRefusedError } from './statement-guard';
export { hardenPoolDatabase } from './pool-hardening';
