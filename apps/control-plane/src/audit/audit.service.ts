import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Queryable } from '@mysaas/db';
import { PLATFORM_DB } from '../platform-db/platform-db.module';

export interface AuditEntry {
  action: string;
  tenantSlug?: string;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'tenantSlug'>> {
  id: number;
  at: string;
  actor: string;
  tenantSlug: string | null;
}

/** Who did what to which tenant: every change the control plane makes leaves a row here. */
@Injectable()
export class AuditService {
  constructor(@Inject(PLATFORM_DB) private readonly db: Pool) {}

  async record(entry: AuditEntry, db: Queryable = this.db, actor = 'platform-admin'): Promise<void> {
    await db.query('INSERT INTO platform.audit_log (actor, action, tenant_slug, details) VALUES ($1, $2, $3, $4)', [
      actor,
      entry.action,
      entry.tenantSlug ?? null,
      JSON.stringify(entry.details ?? {}),
    ]);
  }

  async list(filter: { tenantSlug?: string; limit: number }): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<{
      id: string; at: Date; actor: string; action: string; tenant_slug: string | null; details: Record<string, unknown>;
    }>(
      `SELECT id, at, actor, action, tenant_slug, details FROM platform.audit_log
        WHERE ($1::text IS NULL OR tenant_slug = $1) ORDER BY id DESC LIMIT $2`,
      [filter.tenantSlug ?? null, filter.limit],
    );
    return rows.map((r) => ({
      id: Number(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, tenantSlug: r.tenant_slug, details: r.details,
    }));
  }
}
