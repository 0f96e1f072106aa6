import { Inject, Injectable } from '@nestjs/common';
import { Bulkhead, BulkheadFullError } from '@mysaas/limits';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { TenantRoute } from '../routing/tenant-route';

/**
 * The per-tenant bulkhead at the edge: a tenant has at most its cap of requests in flight
 * through this gateway; the next ones wait briefly in line, then get 429 with Retry-After.
 * One tenant's flood therefore queues behind itself and never takes the app servers'
 * capacity from the others.
 */
@Injectable()
export class TenantAdmission {
  private readonly bulkhead = new Bulkhead();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /**
   * Waits for the tenant's turn and resolves with the function that gives the slot back (the
   * caller calls it when the response has ended or the client has gone). `signal` aborts the
   * wait when the client goes away first.
   */
  async admit(route: TenantRoute, signal: AbortSignal): Promise<() => void> {
    const limit = route.maxConcurrentRequests ?? this.config.tenants.maxConcurrentRequests;
    try {
      return await this.bulkhead.acquire(route.id, {
        limit,
        waitMs: this.config.tenants.queueWaitMs,
        maxWaiting: this.config.tenants.maxQueuedRequests,
        signal,
      });
    } catch (error) {
      if (!(error instanceof BulkheadFullError)) throw error;
      throw new GatewayException(
        GatewayExceptionCode.TENANT_BUSY,
        `the workspace ${route.slug} already has ${limit} requests in progress; retry in a moment`,
      );
    }
  }

  inFlight(tenantId: string): number {
    return this.bulkhead.active(tenantId);
  }
}
