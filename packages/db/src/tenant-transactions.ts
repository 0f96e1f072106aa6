import { DataSource, type EntityManager, type EntitySchema, type MixedList, type QueryRunner } from 'typeorm';
import { tenantRoleName, tenantSchemaName, type TenantRef } from '@mysaas/tenancy';
import { ident } from './sql';

export interface PoolDataSourceOptions {
  /** The pool's app-server login role: may SET ROLE to its tenants, owns nothing itself. */
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | EntitySchema>;
  /** Upper bound on connections, however many tenants the pool serves. */
  maxConnections: number;
  /** How long a request waits for a free connection before failing; it never hangs. */
  connectionWaitMs: number;
  applicationName: string;
}

/**
 * One DataSource per pool database server, shared by all of its tenants. Entities carry no
 * schema, so table names resolve through the search_path each tenant transaction sets.
 */
export function createPoolDataSource(options: PoolDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    applicationName: options.applicationName,
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    poolSize: options.maxConnections,
    extra: { max: options.maxConnections, idleTimeoutMillis: 30_000, connectionTimeoutMillis: options.connectionWaitMs },
  });
}

/**
 * A transaction in which Postgres itself confines every statement to one tenant:
 * `SET LOCAL ROLE` switches to the tenant's role, which has rights on its own schema only,
 * and `SET LOCAL search_path` makes unqualified names resolve there. Both end with the
 * transaction, so a pooled connection never carries a tenant into the next request.
 */
export class TenantTransaction {
  private done = false;

  private constructor(
    readonly tenant: TenantRef,
    private readonly runner: QueryRunner,
  ) {}

  static async begin(dataSource: DataSource, tenant: TenantRef): Promise<TenantTransaction> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      await runner.query(
        `SET LOCAL ROLE ${ident(tenantRoleName(tenant.slug))}; ` +
          `SET LOCAL search_path TO ${ident(tenantSchemaName(tenant.slug))}`,
      );
      return new TenantTransaction(tenant, runner);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      throw error;
    }
  }

  get manager(): EntityManager {
    if (this.done) throw new Error(`the transaction of tenant ${this.tenant.slug} has already ended`);
    return this.runner.manager;
  }

  get finished(): boolean {
    return this.done;
  }

  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.runner.commitTransaction();
    } catch (error) {
      if (this.runner.isTransactionActive) await this.runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await this.runner.release();
    }
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      if (this.runner.isTransactionActive) await this.runner.rollbackTransaction();
    } finally {
      await this.runner.release();
    }
  }
}

/** Runs work in a tenant transaction: commit when it resolves, roll back when it throws. */
export async function inTenantTransaction<T>(
  dataSource: DataSource,
  tenant: TenantRef,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const tx = await TenantTransaction.begin(dataSource, tenant);
  try {
    const result = await work(tx.manager);
    await tx.commit();
    return result;
  } catch (error) {
    await tx.rollback();
    throw error;
  }
}
