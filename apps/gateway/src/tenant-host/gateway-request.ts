import type { Request } from 'express';
import type { TenantRoute } from '../routing/tenant-route';

/** What the gateway has learned about a request by the time it forwards it. */
export interface GatewayRequest extends Omit<Request, 'user'> {
  requestId: string;
  tenantRoute?: TenantRoute;
  /** Set by the session guard: the session a cookie for this tenant names, or null. */
  user?: SessionUser | null;
}

export interface SessionUser {
  sessionId: string;
  userId: string;
}
