import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { resolveTenantHost, type TenantSlug } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import { HELD_REQUEST_OBSERVER, IGNORE_HELD_REQUESTS, type HeldRequestObserver } from '../observe/request-end';
import { HELD_ROUTE_TTL_MS, TenantResolver } from '../routing/tenant-resolver.service';
import type { TenantRoute } from '../routing/tenant-route';

/** Names the tenant a request is for, from its Host header, or refuses the request. */
@Injectable()
export class TenantHosts {
  /** Requests held now, by tenant (while a move's cutover holds it). */
  private readonly holding = new Map<TenantSlug, number>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly resolver: TenantResolver,
    @Optional() @Inject(HELD_REQUEST_OBSERVER) private readonly held: HeldRequestObserver = IGNORE_HELD_REQUESTS,
  ) {}

  /**
   * The route of the active tenant `host` names, once no move holds it (see `routeOf`); throws
   * the refusal otherwise (400/404/403/503). `signal`: the client went away, stop waiting.
   */
  async routeFor(host: string | undefined, signal?: AbortSignal): Promise<TenantRoute> {
    const parsed = resolveTenantHost(host, this.config.baseDomain);
    switch (parsed.kind) {
      case 'malformed':
        throw new GatewayException(GatewayExceptionCode.HOST_MALFORMED, parsed.reason);
      case 'not-a-tenant-host':
        throw new GatewayException(GatewayExceptionCode.NOT_A_TENANT_HOST, parsed.reason);
      case 'unknown-tenant':
        throw unknownTenant(parsed.label);
      case 'tenant':
        return this.routeOf(parsed.slug, signal);
    }
  }

  /**
   * The route of the active tenant `slug`, as the cache has it. While a move's cutover holds the
   * tenant, waits for the change that ends the hold (looking again at least every
   * HELD_ROUTE_TTL_MS, in case its announcement is lost) and answers the route it leaves:
   * the new pool's. Past GATEWAY_MOVE_HOLD_MS, 503 TENANT_MOVING.
   */
  async routeOf(slug: TenantSlug, signal?: AbortSignal): Promise<TenantRoute> {
    let route = await this.activeRoute(slug);
    if (!route.held) return route;
    // A tenant holds at most as many requests as it may have in flight and queued: a flood at
    // a moving tenant is turned away at once, not parked here at everyone's cost.
    const holding = this.holding.get(slug) ?? 0;
    if (holding >= (route.maxConcurrentRequests ?? this.config.tenants.maxConcurrentRequests) + this.config.tenants.maxQueuedRequests) {
      this.held.observe(slug, 'turned_away');
      throw moving(slug);
    }
    this.holding.set(slug, holding + 1);
    try {
      const deadline = performance.now() + this.config.routing.moveHoldMs;
      while (route.held) {
        const left = deadline - performance.now();
        if (left <= 0) {
          this.held.observe(slug, 'timed_out');
          throw moving(slug);
        }
        await this.resolver.waitForChange(slug, Math.min(HELD_ROUTE_TTL_MS, left), signal);
        if (signal?.aborted) {
          this.held.observe(slug, 'client_gone');
          signal.throwIfAborted();
        }
        route = await this.activeRoute(slug);
      }
    } finally {
      const left = this.holding.get(slug)! - 1;
      if (left === 0) this.holding.delete(slug);
      else this.holding.set(slug, left);
    }
    this.held.observe(slug, 'released');
    return route;
  }

  private async activeRoute(slug: TenantSlug): Promise<TenantRoute> {
    let route: TenantRoute | undefined;
    try {
      route = await this.resolver.resolve(slug);
    } catch (error) {
      throw new GatewayException(
        GatewayExceptionCode.ROUTING_UNAVAILABLE,
        `tenant routing is unavailable right now (${error instanceof Error ? error.message : 'unknown error'}); retry shortly`,
      );
    }
    if (route === undefined) throw unknownTenant(slug);
    switch (route.status) {
      case 'suspended':
        throw new GatewayException(
          GatewayExceptionCode.TENANT_SUSPENDED,
          `the workspace ${route.slug} is suspended; its administrators can contact support to restore it`,
        );
      case 'provisioning':
        throw new GatewayException(GatewayExceptionCode.TENANT_NOT_READY, `the workspace ${route.slug} is still being set up; retry in a moment`);
      case 'active':
        return route;
    }
  }
}

function moving(slug: TenantSlug): GatewayException {
  return new GatewayException(GatewayExceptionCode.TENANT_MOVING, `the workspace ${slug} is moving to a new server; retry in a moment`, 1);
}

function unknownTenant(label: string): GatewayException {
  return new GatewayException(GatewayExceptionCode.TENANT_UNKNOWN, `there is no workspace named "${label}"; check the address`);
}
