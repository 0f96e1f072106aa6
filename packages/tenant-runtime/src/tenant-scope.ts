import { AsyncLocalStorage } from 'node:async_hooks';
import type { TenantTransaction } from '@mysaas/db';
import type { TenantRef } from '@mysaas/tenancy';
import { TenantRuntimeException, TenantRuntimeExceptionCode } from './tenant-runtime.exception';

export interface ScopedTenant extends TenantRef {
  name: string;
}

export interface AuthenticatedUser {
  id: string;
  email: string;
  sessionId: string;
}

/**
 * Everything code running as a tenant may rely on, whatever started it (an HTTP request, a
 * job, a command): the tenant, and the one transaction all of its queries run in, under the
 * tenant's role. It travels in AsyncLocalStorage, so services and repositories never take it
 * as an argument. A request also fills in who is signed in.
 */
export class TenantScope {
  /** The signed-in user, once a guard has checked the session (HTTP only). */
  user: AuthenticatedUser | undefined;
  /** The session the gateway vouched for, still to be checked against its row (HTTP only). */
  claimedSession: { id: string; userId: string } | undefined;
  /** The client went away before its answer was written; the transaction is rolled back. */
  clientGone = false;
  /** The request reached the platform over https, as the gateway vouches (HTTP only). */
  secure = false;

  constructor(
    readonly tenant: ScopedTenant,
    readonly transaction: TenantTransaction,
    /** Ties logs and errors of this unit of work together (a request id, a job id). */
    readonly traceId: string,
  ) {}
}

const storage = new AsyncLocalStorage<TenantScope>();

/** Runs `work` inside the scope: every tenant repository it uses runs in the scope's transaction. */
export function runInTenantScope<T>(scope: TenantScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The current tenant scope, or undefined outside one (health checks, startup). */
export function findTenantScope(): TenantScope | undefined {
  return storage.getStore();
}

export function currentTenantScope(): TenantScope {
  const scope = storage.getStore();
  if (scope === undefined) {
    throw new TenantRuntimeException(
      TenantRuntimeExceptionCode.NO_TENANT_SCOPE,
      'tenant data was touched outside a tenant scope: run it through runAsTenant(), or behind the tenant context middleware',
    );
  }
  return scope;
}
