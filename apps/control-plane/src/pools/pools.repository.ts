import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { pgErrorCode, PgErrorCode, type Queryable } from '@mysaas/db';
import { PLATFORM_DB } from '../platform-db/platform-db.module';
import type { PoolStatus } from '@mysaas/tenancy';
import type { PoolRecord } from './pool.record';
import { PoolException, PoolExceptionCode } from './pools.exception';

interface PoolRow {
  name: string;
  release: number;
  status: PoolStatus;
  database_url: string;
  app_role: string;
  upstreams: string[];
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'name, release, status, database_url, app_role, upstreams, is_default, created_at, updated_at';

@Injectable()
export class PoolsRepository {
  constructor(@Inject(PLATFORM_DB) private readonly db: Pool) {}

  async list(): Promise<Array<{ pool: PoolRecord; tenantCount: number }>> {
    const { rows } = await this.db.query<PoolRow & { tenant_count: number }>(
      `SELECT ${COLUMNS.split(', ').map((c) => `p.${c}`).join(', ')},
              (SELECT count(*)::int FROM platform.tenants t WHERE t.pool = p.name) AS tenant_count
         FROM platform.pools p ORDER BY p.name`,
    );
    return rows.map((row) => ({ pool: toRecord(row), tenantCount: row.tenant_count }));
  }

  async find(name: string, db: Queryable = this.db): Promise<PoolRecord | undefined> {
    const { rows } = await db.query<PoolRow & Record<string, unknown>>(`SELECT ${COLUMNS} FROM platform.pools WHERE name = $1`, [name]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async insert(pool: Pick<PoolRecord, 'name' | 'release' | 'databaseUrl' | 'appRole' | 'upstreams'>, db: Queryable = this.db): Promise<PoolRecord> {
    try {
      const { rows } = await db.query<PoolRow & Record<string, unknown>>(
        `INSERT INTO platform.pools (name, release, database_url, app_role, upstreams)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [pool.name, pool.release, pool.databaseUrl, pool.appRole, pool.upstreams],
      );
      return toRecord(rows[0]!);
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCode.UniqueViolation) {
        throw new PoolException(PoolExceptionCode.NAME_TAKEN, `pool ${pool.name} already exists`);
      }
      throw error;
    }
  }

  async update(name: string, changes: { upstreams?: string[]; status?: PoolStatus; isDefault?: boolean }, db: Queryable = this.db): Promise<PoolRecord | undefined> {
    // One default at most: taking the default unsets the old one first (same transaction).
    if (changes.isDefault === true) await db.query('UPDATE platform.pools SET is_default = false, updated_at = now() WHERE is_default AND name <> $1', [name]);
    const { rows } = await db.query<PoolRow & Record<string, unknown>>(
      `UPDATE platform.pools
          SET upstreams = coalesce($2, upstreams), status = coalesce($3, status), is_default = coalesce($4, is_default), updated_at = now()
        WHERE name = $1 RETURNING ${COLUMNS}`,
      [name, changes.upstreams ?? null, changes.status ?? null, changes.isDefault ?? null],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The pool tenants created without one go to, if any. */
  async findDefault(db: Queryable = this.db): Promise<PoolRecord | undefined> {
    const { rows } = await db.query<PoolRow & Record<string, unknown>>(`SELECT ${COLUMNS} FROM platform.pools WHERE is_default`);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async tenantCount(name: string, db: Queryable = this.db): Promise<number> {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM platform.tenants WHERE pool = $1', [name]);
    return rows[0]!.n;
  }

  /** Locks the pool's row for the rest of the transaction (a status change against a tenant created meanwhile). */
  async lock(name: string, db: Queryable): Promise<PoolRecord | undefined> {
    const { rows } = await db.query<PoolRow & Record<string, unknown>>(`SELECT ${COLUMNS} FROM platform.pools WHERE name = $1 FOR UPDATE`, [name]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }
}

function toRecord(row: PoolRow): PoolRecord {
  return {
    name: row.name,
    release: row.release,
    status: row.status,
    databaseUrl: row.database_url,
    appRole: row.app_role,
    upstreams: row.upstreams,
    isDefault: row.is_default,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
