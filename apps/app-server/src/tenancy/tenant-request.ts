import { AsyncLocalStorage } from 'node:async_hooks';
import type { TenantTransaction } from '@mysaas/db';
import type { TenantContextClaims } from '@mysaas/tenancy';
import { TenancyException, TenancyExceptionCode } from './tenancy.exception';

export interface AuthenticatedUser {
  id: string;
  email: string;
  sessionId: string;
}

/**
 * Everything a request knows about its tenant: the context the gateway signed, the one
 * transaction all of its queries run in, and the signed-in user once a guard has checked it.
 * It travels in AsyncLocalStorage, so services and repositories never take it as an argument.
 */
export class TenantRequest {
  user: AuthenticatedUser | undefined;
  /** The client went away before its answer was written; its transaction is rolled back. */
  clientGone = false;

  constructor(
    readonly context: TenantContextClaims,
    readonly transaction: TenantTransaction,
  ) {}

  get tenant(): TenantContextClaims['tenant'] {
    return this.context.tenant;
  }
}

const storage = new AsyncLocalStorage<TenantRequest>();

export function runInTenantRequest<T>(request: TenantRequest, work: () => T): T {
  return storage.run(request, work);
}

/** The current tenant request, or undefined outside one (health checks, startup). */
export function findTenantRequest(): TenantRequest | undefined {
  return storage.getStore();
}

export function currentTenantRequest(): TenantRequest {
  const request = storage.getStore();
  if (request === undefined) {
    throw new TenancyException(
      TenancyExceptionCode.NO_TENANT_SCOPE,
      'tenant data was accessed outside a tenant request; this route is missing the tenant context middleware',
    );
  }
  return request;
}
