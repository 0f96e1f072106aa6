import { ident, type Queryable } from '@mysaas/db';

/**
 * Write-protects a tenant on one pool server: its role is taken from the pool's app login, so
 * no new transaction of an app server or a job worker can become the tenant there, and then
 * the transactions that began before that (and so may already be the tenant) are waited for.
 * Once this returns, nothing more is written to the tenant's schema on that server.
 * Idempotent; undone by `unfence`.
 */
export async function fence(db: Queryable, input: { role: string; appRole: string; timeoutMs: number }): Promise<void> {
  await revoke(db, input.role, input.appRole);
  const { rows } = await db.query<{ at: Date }>('SELECT clock_timestamp() AS at');
  const fencedAt = rows[0]!.at;
  const deadline = Date.now() + input.timeoutMs;
  for (;;) {
    const { rows: older } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE usename = $1 AND datname = current_database() AND xact_start < $2 AND pid <> pg_backend_pid()`,
      [input.appRole, fencedAt],
    );
    if (older[0]!.n === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${older[0]!.n} transaction(s) of the pool's app login begun before the write block are still open after ${input.timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Takes the tenant's role from the pool's app login, without waiting for anything (idempotent). */
export async function revoke(db: Queryable, role: string, appRole: string): Promise<void> {
  if (await isMember(db, role, appRole)) await db.query(`REVOKE ${ident(role)} FROM ${ident(appRole)}`);
}

/** Lets the pool's app login become the tenant again (idempotent). */
export async function unfence(db: Queryable, input: { role: string; appRole: string }): Promise<void> {
  if (!(await isMember(db, input.role, input.appRole))) await db.query(`GRANT ${ident(input.role)} TO ${ident(input.appRole)}`);
}

export async function isMember(db: Queryable, role: string, appRole: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM pg_auth_members m
       JOIN pg_roles r ON r.oid = m.roleid
       JOIN pg_roles a ON a.oid = m.member
      WHERE r.rolname = $1 AND a.rolname = $2`,
    [role, appRole],
  );
  return rows.length > 0;
}
