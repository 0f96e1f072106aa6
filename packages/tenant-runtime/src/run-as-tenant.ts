import { randomUUID } from 'node:crypto';
import type { TenantDatabase } from '@mysaas/db';
import { runInTenantScope, TenantScope, type ScopedTenant } from './tenant-scope';

/**
 * Runs `work` as the tenant, outside any HTTP request (a job, a command, a move): it opens the
 * tenant's transaction on its pool database (role, search path, statement timeout, connection
 * share: ADR 10/11), makes the module repositories work inside it, commits when `work`
 * resolves and rolls back when it throws. The HTTP middleware opens the same scope.
 */
export async function runAsTenant<T>(
  db: TenantDatabase,
  tenant: ScopedTenant,
  work: (scope: TenantScope) => Promise<T>,
  options: { traceId?: string } = {},
): Promise<T> {
  const transaction = await db.begin(tenant);
  const scope = new TenantScope(tenant, transaction, options.traceId ?? randomUUID());
  try {
    const result = await runInTenantScope(scope, () => work(scope));
    await transaction.commit();
    return result;
  } catch (error) {
    await transaction.rollback();
    throw error;
  }
}
