import { HttpStatus } from '@nestjs/common';
import type { ErrorAnswering } from '@mysaas/nest-http';
import { safeRequestId } from '@mysaas/nest-http';
import { pgErrorCode, PgErrorCode } from '@mysaas/db';
import { REQUEST_ID_HEADER } from '@mysaas/tenancy';
import { TENANT_SCOPE_KEY, type RequestWithTenant } from '../tenancy';

/**
 * How the app server answers errors: the request's tenant transaction is rolled back first,
 * a client that already went away gets nothing (its work was cut short, not failed), and a
 * statement cancelled by the tenant's statement timeout is a 503 that says so.
 */
export const APP_SERVER_ERROR_ANSWERING: ErrorAnswering = {
  app: 'AppServer',
  beforeAnswer: async (req) => {
    const scope = (req as RequestWithTenant)[TENANT_SCOPE_KEY];
    await scope?.transaction.rollback().catch(() => undefined);
    return scope?.clientGone ? 'skip' : 'answer';
  },
  requestId: (req) => (req as RequestWithTenant)[TENANT_SCOPE_KEY]?.traceId ?? safeRequestId(req.header(REQUEST_ID_HEADER)),
  describe: (exception) =>
    pgErrorCode(exception) === PgErrorCode.QueryCanceled
      ? {
          status: HttpStatus.SERVICE_UNAVAILABLE,
          code: 'STATEMENT_TIMEOUT',
          message: "a database statement ran longer than this workspace's statement timeout and was cancelled",
        }
      : undefined,
};
