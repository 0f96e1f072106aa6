import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { pgErrorCode, PgErrorCode, TenantConnectionsBusyError, TenantDatabase, TenantMovingError } from '@mysaas/db';
import { TENANT_CONTEXT_HEADER, TenantContextSigner, type TokenFailure } from '@mysaas/tenancy';
import { APP_CONFIG, type AppServerConfig } from '../app-config';
import { SchemaReleaseCheck } from './schema-release';
import { TenancyException, TenancyExceptionCode } from './tenancy.exception';
import { runInTenantScope, TenantScope } from '@mysaas/tenant-runtime';

/** Where the exception filter finds the request's tenant scope, to roll its transaction back. */
export const TENANT_SCOPE_KEY = Symbol('tenantScope');
export type RequestWithTenant = Request & { [TENANT_SCOPE_KEY]?: TenantScope };

/**
 * The HTTP entry of the tenant runtime: admits only requests that carry a tenant context
 * signed by the gateway for this pool, then opens the tenant's scope (the same one
 * runAsTenant opens for jobs and commands) and runs the rest of the pipeline inside it.
 */
@Injectable()
export class TenantContextMiddleware implements NestMiddleware {
  private readonly signer: TenantContextSigner;
  private readonly releases: SchemaReleaseCheck;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppServerConfig,
    private readonly tenantDatabase: TenantDatabase,
  ) {
    this.signer = new TenantContextSigner(config.secrets.tenantContext);
    this.releases = new SchemaReleaseCheck(config.pool);
  }

  async use(req: RequestWithTenant, res: Response, next: NextFunction): Promise<void> {
    const check = this.signer.verify(req.header(TENANT_CONTEXT_HEADER));
    if (!check.ok) throw contextError(check.failure);
    const context = check.claims;
    if (context.pool !== this.config.pool.name) {
      throw new TenancyException(
        TenancyExceptionCode.WRONG_POOL,
        `this tenant context was issued for pool ${context.pool}, but this app server serves pool ${this.config.pool.name}`,
      );
    }
    const transaction = await this.tenantDatabase.begin(context.tenant).catch((error: unknown) => {
      if (error instanceof TenantConnectionsBusyError) {
        throw new TenancyException(TenancyExceptionCode.TENANT_BUSY, `${error.message}; retry shortly`);
      }
      if (error instanceof TenantMovingError) {
        throw new TenancyException(
          TenancyExceptionCode.TENANT_MOVING,
          `the workspace ${context.tenant.slug} is moving to a new server; retry in a moment`,
          1,
        );
      }
      if (pgErrorCode(error) === PgErrorCode.UndefinedObject) {
        throw new TenancyException(
          TenancyExceptionCode.TENANT_NOT_ON_POOL,
          `tenant ${context.tenant.slug} has no schema on pool ${this.config.pool.name}`,
        );
      }
      if (isUnavailable(error)) {
        throw new TenancyException(
          TenancyExceptionCode.DATABASE_UNAVAILABLE,
          `the database of pool ${this.config.pool.name} is unavailable or saturated; retry shortly`,
        );
      }
      throw error;
    });
    try {
      await this.releases.check(context.tenant, transaction);
    } catch (error) {
      await transaction.rollback().catch(() => undefined);
      throw error;
    }
    const scope = new TenantScope(context.tenant, transaction, context.requestId);
    scope.claimedSession = context.session;
    scope.secure = context.secure === true;
    req[TENANT_SCOPE_KEY] = scope;
    // The interceptor commits and the exception filter rolls back; this catches every other
    // way a response can end (client gone, a handler writing the response itself).
    res.once('close', () => {
      if (!res.writableFinished) scope.clientGone = true;
      void transaction.rollback().catch(() => undefined);
    });
    runInTenantScope(scope, () => next());
  }
}

/** No connection to be had: the server is down, or every pooled connection stayed busy. */
function isUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'ECONNREFUSED' ||
    code === '57P03' || // cannot_connect_now (starting up / shutting down)
    (typeof message === 'string' && (message.includes('timeout exceeded when trying to connect') || message.includes('Connection terminated')))
  );
}

function contextError(failure: TokenFailure): TenancyException {
  switch (failure) {
    case 'missing':
      return new TenancyException(
        TenancyExceptionCode.CONTEXT_MISSING,
        `missing ${TENANT_CONTEXT_HEADER} header: app servers only accept requests routed by the gateway`,
      );
    case 'expired':
      return new TenancyException(TenancyExceptionCode.CONTEXT_EXPIRED, 'the tenant context has expired');
    case 'malformed':
    case 'bad-signature':
    case 'not-yet-valid':
      return new TenancyException(
        TenancyExceptionCode.CONTEXT_INVALID,
        'the tenant context is not validly signed by the gateway',
      );
  }
}
