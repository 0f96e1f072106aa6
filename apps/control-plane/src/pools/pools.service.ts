import { Inject, Injectable } from '@nestjs/common';
import { Client, type Pool } from 'pg';
import { announceRoutingChange, hardenPoolDatabase, inTransaction } from '@mysaas/db';
import { checkUpstream, type PoolStatus } from '@mysaas/tenancy';
import { AuditService } from '../audit/audit.service';
import { PLATFORM_DB } from '../platform-db/platform-db.module';
import type { CreatePoolDto, UpdatePoolDto } from './dto/create-pool.dto';
import type { PoolRecord } from './pool.record';
import { PoolException, PoolExceptionCode } from './pools.exception';
import { PoolsRepository } from './pools.repository';

@Injectable()
export class PoolsService {
  constructor(
    @Inject(PLATFORM_DB) private readonly db: Pool,
    private readonly pools: PoolsRepository,
    private readonly audit: AuditService,
  ) {}

  list() {
    return this.pools.list();
  }

  async get(name: string): Promise<PoolRecord> {
    const pool = await this.pools.find(name);
    if (!pool) throw new PoolException(PoolExceptionCode.NOT_FOUND, `pool ${name} does not exist`);
    return pool;
  }

  /** Registers a pool after checking its database server is reachable and its app role usable. */
  async create(input: CreatePoolDto): Promise<PoolRecord> {
    const upstreams = canonicalUpstreams(input.upstreams ?? []);
    await this.prepareDatabase(input.databaseUrl, input.appRole);
    return inTransaction(this.db, async (tx) => {
      const pool = await this.pools.insert({ ...input, upstreams }, tx);
      await this.audit.record({ action: 'pool.created', details: { pool: pool.name, release: pool.release } }, tx);
      return pool;
    });
  }

  /**
   * Changes a pool's upstreams, status or default. A pool's life: active ⇄ draining → retired.
   * Retiring needs the pool to have no tenants left (a retired pool serves none), and is for
   * good; a draining (or retired) pool stops being the default, and only an active one becomes it.
   */
  async update(name: string, input: UpdatePoolDto): Promise<PoolRecord> {
    const changes: { upstreams?: string[]; status?: PoolStatus; isDefault?: boolean } = {
      ...(input.upstreams ? { upstreams: canonicalUpstreams(input.upstreams) } : {}),
      ...(input.status === undefined ? {} : { status: input.status }),
      ...(input.isDefault === undefined ? {} : { isDefault: true }),
    };
    return inTransaction(this.db, async (tx) => {
      const current = await this.pools.lock(name, tx);
      if (!current) throw new PoolException(PoolExceptionCode.NOT_FOUND, `pool ${name} does not exist`);
      const status = changes.status ?? current.status;
      if (current.status === 'retired' && status !== 'retired') {
        throw new PoolException(PoolExceptionCode.STATUS_CHANGE_REFUSED, `pool ${name} is retired, for good: register a new pool instead`);
      }
      if (status === 'retired' && current.status !== 'retired') {
        const tenants = await this.pools.tenantCount(name, tx);
        if (tenants > 0) {
          throw new PoolException(PoolExceptionCode.STATUS_CHANGE_REFUSED, `pool ${name} still has ${tenants} tenant(s): move them to another pool first (drain it meanwhile, so it takes no new ones)`);
        }
      }
      if (changes.isDefault === true && status !== 'active') {
        throw new PoolException(PoolExceptionCode.STATUS_CHANGE_REFUSED, `pool ${name} is ${status}: only an active pool can be the default`);
      }
      if (status !== 'active' && current.isDefault) changes.isDefault = false;
      const pool = await this.pools.update(name, changes, tx);
      if (!pool) throw new PoolException(PoolExceptionCode.NOT_FOUND, `pool ${name} does not exist`);
      await this.audit.record({ action: 'pool.updated', details: { pool: name, ...changes } }, tx);
      await announceRoutingChange(tx, { kind: 'pool', pool: name });
      return pool;
    });
  }

  /**
   * Checks the pool's database server is reachable and its app role usable, and takes away
   * what tenants must not have there (temporary objects). One connection, not a cached pool:
   * a URL that turns out wrong must leave nothing open.
   */
  private async prepareDatabase(databaseUrl: string, appRole: string): Promise<void> {
    const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    let rows: Array<{ rolcanlogin: boolean; rolinherit: boolean }>;
    try {
      await client.connect();
      ({ rows } = await client.query('SELECT rolcanlogin, rolinherit FROM pg_roles WHERE rolname = $1', [appRole]));
      if (rows[0]?.rolcanlogin && !rows[0].rolinherit) await hardenPoolDatabase(client);
    } catch (error) {
      throw new PoolException(
        PoolExceptionCode.DATABASE_UNREACHABLE,
        `cannot connect to the pool database: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
    const role = rows[0];
    if (!role?.rolcanlogin || role.rolinherit) {
      throw new PoolException(
        PoolExceptionCode.APP_ROLE_UNUSABLE,
        `appRole ${appRole} must exist on the pool database server as a LOGIN NOINHERIT role ` +
          `(CREATE ROLE ${appRole} LOGIN NOINHERIT PASSWORD '...')`,
      );
    }
  }
}

/** Upstreams are where requests go: scheme, host and port only, in their canonical spelling. */
function canonicalUpstreams(upstreams: string[]): string[] {
  return upstreams.map((upstream) => {
    const check = checkUpstream(upstream);
    if (!check.ok) throw new PoolException(PoolExceptionCode.INVALID_UPSTREAM, check.reason);
    return check.upstream.origin;
  });
}
