import type { PoolClient, QueryResult } from 'pg';
import { DataSource, type EntityManager, type EntitySchema, type MixedList, type QueryRunner } from 'typeorm';
import { Bulkhead, BulkheadFullError } from '@mysaas/limits';
import { tenantRoleName, tenantSchemaName, type TenantRef } from '@mysaas/tenancy';
import { ident, literal, pgErrorCode, PgErrorCode } from './sql';
import { assertTenantStatement } from './statement-guard';

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

export interface TenantDatabaseOptions {
  /** statement_timeout for tenants whose role sets none (`ALTER ROLE t_x SET statement_timeout`). */
  statementTimeoutMs: number;
  /** At most this many of the pool's connections serve one tenant at a time. */
  maxConnectionsPerTenant: number;
  /** How long a transaction waits for its tenant's share before TenantConnectionsBusyError. */
  connectionWaitMs: number;
  /** Told how long each transaction waited for its connection (its tenant's share, then the pool). */
  onConnectionWait?(tenant: TenantRef, seconds: number): void;
}

/**
 * Everything a session may carry past its transaction, undone before the connection goes
 * back to the pool: settings, the role, cursors, LISTENs, session advisory locks, prepared
 * statements, temporary tables. DISCARD ALL does the same but cannot share a round trip with
 * COMMIT (it refuses to run in a multi-statement string), so the parts are spelled out.
 */
export const SESSION_RESET_SQL =
  'RESET ALL; RESET ROLE; RESET SESSION AUTHORIZATION; CLOSE ALL; UNLISTEN *; ' +
  'SELECT pg_advisory_unlock_all(); DEALLOCATE ALL; DISCARD PLANS; DISCARD SEQUENCES; DISCARD TEMP';

/**
 * How long an app server keeps using a tenant's statement timeout before reading its role's
 * setting again. Reading it on every transaction cost more Postgres CPU than everything else
 * the transaction does around the work (catalog view, planned afresh each time).
 */
export const STATEMENT_TIMEOUT_CACHE_MS = 10_000;

/**
 * The pool database as tenants use it: bounded connections, a bounded share per tenant, and
 * transactions in which Postgres itself confines every statement to one tenant.
 */
export class TenantDatabase {
  private readonly share = new Bulkhead();
  private readonly timeouts = new Map<string, { setting: string; until: number }>();

  constructor(
    readonly dataSource: DataSource,
    readonly options: TenantDatabaseOptions,
  ) {}

  /** Opens a transaction as the tenant; the caller must commit or roll it back. */
  async begin(tenant: TenantRef): Promise<TenantTransaction> {
    const { maxConnectionsPerTenant: limit, connectionWaitMs: waitMs } = this.options;
    const waiting = process.hrtime.bigint();
    const release = await this.share.acquire(tenant.id, { limit, waitMs }).catch((error: unknown) => {
      throw error instanceof BulkheadFullError ? new TenantConnectionsBusyError(limit, waitMs) : error;
    });
    try {
      const cached = this.timeouts.get(tenant.slug);
      const known = cached !== undefined && cached.until > Date.now() ? cached.setting : undefined;
      const { transaction, statementTimeout } = await TenantTransaction.open(this.dataSource, tenant, {
        statementTimeout: known,
        defaultTimeoutMs: this.options.statementTimeoutMs,
        releaseShare: release,
        onConnected: () => this.options.onConnectionWait?.(tenant, Number(process.hrtime.bigint() - waiting) / 1e9),
      });
      if (known === undefined) this.timeouts.set(tenant.slug, { setting: statementTimeout, until: Date.now() + STATEMENT_TIMEOUT_CACHE_MS });
      return transaction;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Runs work in a tenant transaction: commit when it resolves, roll back when it throws. */
  async run<T>(tenant: TenantRef, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const tx = await this.begin(tenant);
    try {
      const result = await work(tx.manager);
      await tx.commit();
      return result;
    } catch (error) {
      await tx.rollback();
      throw error;
    }
  }

  /** Connections the tenant holds now. */
  connectionsHeldBy(tenantId: string): number {
    return this.share.active(tenantId);
  }
}

/** The tenant already holds its whole share of the pool's connections, and none freed up in time. */
export class TenantConnectionsBusyError extends Error {
  constructor(readonly share: number, readonly waitedMs: number) {
    super(`this workspace is already using its ${share} database connections; none freed up within ${waitedMs} ms`);
    this.name = 'TenantConnectionsBusyError';
  }
}

/**
 * This pool's login may no longer act as the tenant: SET ROLE was refused because a move's
 * cutover revoked the tenant's role from it (the tenant is moving to another pool). Retrying in
 * a moment reaches the new pool: HTTP answers 503 TENANT_MOVING, jobs retry as after any failure.
 */
export class TenantMovingError extends Error {
  constructor(readonly slug: string, cause: unknown) {
    super(`this pool may no longer act as the workspace ${slug}: it is moving to another pool`, { cause });
    this.name = 'TenantMovingError';
  }
}

/** TypeORM's transaction bookkeeping, which we keep ourselves since we send BEGIN and COMMIT. */
interface RunnerInternals {
  isTransactionActive: boolean;
  transactionDepth: number;
  releasePostgresConnection?(error?: Error): Promise<void>;
}

type Query = QueryRunner['query'];
type Send = (sql: string) => Promise<unknown>;

/**
 * A transaction in which Postgres itself confines every statement to one tenant:
 * `SET LOCAL ROLE` switches to the tenant's role, which has rights on its own schema only,
 * and `SET LOCAL search_path` makes unqualified names resolve there (temporary objects
 * last). Statements that could leave the tenant's role are refused before they are sent;
 * COMMIT goes through only if the role is still the tenant's; and the connection's session
 * state is reset before it returns to the pool, so nothing outlives the transaction.
 */
export class TenantTransaction {
  private done = false;

  private constructor(
    readonly tenant: TenantRef,
    private readonly runner: QueryRunner,
    /** The connection itself: for the platform's statements, which the guard would refuse. */
    private readonly send: Send,
    private readonly releaseShare: () => void,
  ) {}

  /**
   * One round trip: BEGIN, the tenant's statement timeout, role and search path. SET ROLE
   * does not apply the role's own settings, so the timeout comes from the caller's cache or,
   * when it has none, is read from the role in the same round trip (and returned).
   */
  static async open(
    dataSource: DataSource,
    tenant: TenantRef,
    options: { statementTimeout: string | undefined; defaultTimeoutMs: number; releaseShare: () => void; onConnected?: () => void },
  ): Promise<{ transaction: TenantTransaction; statementTimeout: string }> {
    const runner = dataSource.createQueryRunner();
    let client: PoolClient;
    try {
      client = (await runner.connect()) as PoolClient;
    } catch (error) {
      await runner.release();
      throw error;
    }
    options.onConnected?.();
    const send: Send = (sql) => client.query(sql);
    const role = tenantRoleName(tenant.slug);
    const timeout =
      options.statementTimeout === undefined
        ? `SELECT set_config('statement_timeout', coalesce((SELECT substr(c, 19) FROM pg_catalog.pg_roles r, unnest(r.rolconfig) c ` +
          `WHERE r.rolname = ${literal(role)} AND c LIKE 'statement_timeout=%'), ${literal(`${options.defaultTimeoutMs}ms`)}), true) AS timeout`
        : `SET LOCAL statement_timeout = ${literal(options.statementTimeout)}`;
    let results: QueryResult[];
    try {
      results = (await send(
        `START TRANSACTION; ${timeout}; SET LOCAL ROLE ${ident(role)}; SET LOCAL search_path TO ${ident(tenantSchemaName(tenant.slug))}, pg_temp`,
      )) as unknown as QueryResult[];
    } catch (error) {
      await endSession(runner, send);
      // SET ROLE is the only statement of that round trip that needs a privilege.
      throw pgErrorCode(error) === PgErrorCode.InsufficientPrivilege ? new TenantMovingError(tenant.slug, error) : error;
    }
    const read = (results[1]?.rows[0] as { timeout?: string } | undefined)?.timeout;
    Object.assign(runner as unknown as RunnerInternals, { isTransactionActive: true, transactionDepth: 1 });
    const query = runner.query.bind(runner);
    runner.query = ((sql: string, ...rest: unknown[]) => {
      assertTenantStatement(sql);
      return (query as (sql: string, ...rest: unknown[]) => Promise<unknown>)(sql, ...rest);
    }) as Query;
    return {
      transaction: new TenantTransaction(tenant, runner, send, options.releaseShare),
      statementTimeout: read ?? options.statementTimeout ?? `${options.defaultTimeoutMs}ms`,
    };
  }

  get manager(): EntityManager {
    if (this.done) throw new Error(`the transaction of tenant ${this.tenant.slug} has already ended`);
    return this.runner.manager;
  }

  get finished(): boolean {
    return this.done;
  }

  /**
   * Commits, in one round trip with the role check and the session reset. Work done after
   * something switched the role away from the tenant's is never committed: the check fails
   * (its message names the role), Postgres skips the rest of the string, and the
   * transaction is rolled back.
   */
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const role = literal(tenantRoleName(this.tenant.slug));
    try {
      await this.send(
        `SELECT CASE WHEN current_user = ${role} THEN 1 ELSE ('the tenant role changed to ' || current_user || ', not committing')::int END; ` +
          `COMMIT; ${SESSION_RESET_SQL}`,
      );
      (this.runner as unknown as RunnerInternals).isTransactionActive = false;
      await this.runner.release();
    } catch (error) {
      await endSession(this.runner, this.send);
      throw error;
    } finally {
      this.releaseShare();
    }
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await endSession(this.runner, this.send);
    } finally {
      this.releaseShare();
    }
  }
}

/**
 * Rolls back whatever transaction the connection is in and resets its session. If that
 * fails the connection is not trusted again: it is closed instead of going back to the pool.
 */
async function endSession(runner: QueryRunner, send: Send): Promise<void> {
  const internals = runner as unknown as RunnerInternals;
  internals.isTransactionActive = false;
  if (runner.isReleased) return;
  try {
    await send(`ROLLBACK; ${SESSION_RESET_SQL}`);
    await runner.release();
  } catch (error) {
    if (internals.releasePostgresConnection) await internals.releasePostgresConnection(error instanceof Error ? error : new Error(String(error)));
    else await runner.release();
  }
}
