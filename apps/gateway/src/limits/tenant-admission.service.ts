import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Bulkhead, BulkheadFullError } from '@mysaas/limits';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { GatewayRequest } from '../tenant-host/gateway-request';

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

  /** Waits for the tenant's turn; the slot is given back when the response ends. */
  async admit(req: GatewayRequest, res: Response): Promise<void> {
    const route = req.tenantRoute!;
    const limit = route.maxConcurrentRequests ?? this.config.tenants.maxConcurrentRequests;
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.once('close', onClose);
    let release: () => void;
    try {
      release = await this.bulkhead.acquire(route.id, {
        limit,
        waitMs: this.config.tenants.queueWaitMs,
        maxWaiting: this.config.tenants.maxQueuedRequests,
        signal: gone.signal,
      });
    } catch (error) {
      res.off('close', onClose);
      if (!(error instanceof BulkheadFullError)) throw error;
      throw new GatewayException(
        GatewayExceptionCode.TENANT_BUSY,
        `the workspace ${route.slug} already has ${limit} requests in progress; retry in a moment`,
      );
    }
    res.off('close', onClose);
    if (res.writableEnded || res.destroyed) return release();
    res.once('close', release);
  }

  inFlight(tenantId: string): number {
    return this.bulkhead.active(tenantId);
  }
}
