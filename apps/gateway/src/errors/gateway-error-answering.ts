import type { ErrorAnswering, ErrorDescription } from '@mysaas/nest-http';
import { errorPage } from './error-page';

const TITLES: Partial<Record<string, string>> = {
  TENANT_UNKNOWN: 'Workspace not found',
  TENANT_SUSPENDED: 'Workspace suspended',
  TENANT_NOT_READY: 'Workspace not ready yet',
  TENANT_MOVING: 'Workspace moving',
  HOST_MALFORMED: 'Bad address',
  HOST_DUPLICATED: 'Bad address',
  REQUEST_TARGET_INVALID: 'Bad address',
  NOT_A_TENANT_HOST: 'Not a workspace address',
  TENANT_BUSY: 'Busy right now',
  SIGNIN_THROTTLED: 'Too many sign-in attempts',
};

/**
 * How the gateway answers errors, its own and Nest's: the platform's JSON body, or for
 * browsers navigating a readable page; both carry the request id the edge gave the request.
 */
export const GATEWAY_ERROR_ANSWERING: ErrorAnswering = {
  app: 'Gateway',
  // The edge gives every request its id before anything can fail (TenantProxy.handle).
  requestId: (req) => (req as typeof req & { requestId: string }).requestId,
  html: (described, requestId) => errorPage(described.status, titleOf(described), described.message, requestId),
};

function titleOf(described: ErrorDescription): string {
  const title = TITLES[described.code];
  if (title !== undefined) return title;
  if (described.status === 401) return 'Please sign in';
  if (described.status >= 500) return 'Something went wrong on our side';
  return 'Request refused';
}
