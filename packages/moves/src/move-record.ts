import type { MoveMethod, MoveState, TenantSlug } from '@mysaas/tenancy';

/** One move as the control plane records it. */
export interface MoveRecord {
  id: string;
  tenantId: string;
  tenant: TenantSlug;
  from: string;
  to: string;
  fromRelease: number;
  toRelease: number;
  state: MoveState;
  method: MoveMethod | null;
  doneSteps: string[];
  rowsCopied: number | null;
  copyMs: number | null;
  cutoverPauseMs: number | null;
  attempts: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  switchedAt: Date | null;
  finishedAt: Date | null;
}

/** One step of a move as it happened: started, done (with its time), failed or undone. */
export interface MoveEvent {
  at: Date;
  step: string;
  outcome: 'started' | 'done' | 'failed' | 'undone';
  ms: number | null;
  details: Record<string, unknown>;
}

export interface MoveRow extends Record<string, unknown> {
  id: string;
  tenant_id: string;
  tenant_slug: string;
  from_pool: string;
  to_pool: string;
  from_release: number;
  to_release: number;
  state: MoveState;
  method: MoveMethod | null;
  done_steps: string[];
  rows_copied: string | null;
  copy_ms: number | null;
  cutover_pause_ms: number | null;
  attempts: number;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  switched_at: Date | null;
  finished_at: Date | null;
}

export function moveRecord(row: MoveRow): MoveRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenant: row.tenant_slug as TenantSlug,
    from: row.from_pool,
    to: row.to_pool,
    fromRelease: row.from_release,
    toRelease: row.to_release,
    state: row.state,
    method: row.method,
    doneSteps: row.done_steps,
    rowsCopied: row.rows_copied === null ? null : Number(row.rows_copied),
    copyMs: row.copy_ms,
    cutoverPauseMs: row.cutover_pause_ms,
    attempts: row.attempts,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    switchedAt: row.switched_at,
    finishedAt: row.finished_at,
  };
}
