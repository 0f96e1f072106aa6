import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { pgErrorCode, PgErrorCode, type Queryable } from '@mysaas/db';
import { tenantRoleName, tenantSchemaName, type TenantSlug, type TenantStatus } from '@mysaas/tenancy';
import { PLATFORM_DB } from '../platform-db/platform-db.module';
import type { TenantLimits, TenantRecord } from './tenant.record';
import { TenantException, TenantExceptionCode } from './tenants.exception';

interface TenantRow {
  id: string;
  slug: TenantSlug;
  name: string;
  status: TenantStatus;
  pool: string;
  schema_name: string;
  role_name: string;
  max_concurrent_requests: number | null;
  statement_timeout_ms: number | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, slug, name, status, pool, schema_name, role_name, max_concurrent_requests, statement_timeout_ms, created_at, updated_at';

@Injectable()
export class TenantsRepository {
  constructor(@Inject(PLATFORM_DB) private readonly db: Pool) {}

  async list(filter: { pool?: string; status?: TenantStatus; limit: number; after?: string }): Promise<TenantRecord[]> {
    const { rows } = await this.db.query<TenantRow & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM platform.tenants
        WHERE ($1::text IS NULL OR pool = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR slug > $3)
        ORDER BY slug LIMIT $4`,
      [filter.pool ?? null, filter.status ?? null, filter.after ?? null, filter.limit],
    );
    return rows.map(toRecord);
  }

  async find(slug: string, db: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<TenantRecord | undefined> {
    const { rows } = await db.query<TenantRow & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM platform.tenants WHERE slug = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [slug],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Claims the slug with a `provisioning` row; a second claim of the same slug fails with 409. */
  async claim(input: { slug: TenantSlug; name: string; pool: string }): Promise<TenantRecord> {
    try {
      const { rows } = await this.db.query<TenantRow & Record<string, unknown>>(
        `INSERT INTO platform.tenants (slug, name, status, pool, schema_name, role_name)
         VALUES ($1, $2, 'provisioning', $3, $4, $5) RETURNING ${COLUMNS}`,
        [input.slug, input.name, input.pool, tenantSchemaName(input.slug), tenantRoleName(input.slug)],
      );
      return toRecord(rows[0]!);
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCode.UniqueViolation) {
        throw new TenantException(TenantExceptionCode.SLUG_TAKEN, `a tenant with slug "${input.slug}" already exists`);
      }
      throw error;
    }
  }

  async setStatus(id: string, status: TenantStatus, db: Queryable = this.db): Promise<TenantRecord> {
    const { rows } = await db.query<TenantRow & Record<string, unknown>>(
      `UPDATE platform.tenants SET status = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, status],
    );
    return toRecord(rows[0]!);
  }

  /** Changes the limits named in `changes` (null: back to the default), leaving the others. */
  async setLimits(id: string, changes: Partial<TenantLimits>, db: Queryable = this.db): Promise<TenantRecord> {
    const { rows } = await db.query<TenantRow & Record<string, unknown>>(
      `UPDATE platform.tenants
          SET max_concurrent_requests = CASE WHEN $2 THEN $3::int ELSE max_concurrent_requests END,
              statement_timeout_ms = CASE WHEN $4 THEN $5::int ELSE statement_timeout_ms END,
              updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, 'maxConcurrentRequests' in changes, changes.maxConcurrentRequests ?? null, 'statementTimeoutMs' in changes, changes.statementTimeoutMs ?? null],
    );
    return toRecord(rows[0]!);
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM platform.tenants WHERE id = $1', [id]);
  }
}

function toRecord(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    pool: row.pool,
    schemaName: row.schema_name,
    roleName: row.role_name,
    limits: { maxConcurrentRequests: row.max_concurrent_requests, statementTimeoutMs: row.statement_timeout_ms },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
