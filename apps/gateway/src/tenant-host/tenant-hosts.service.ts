import { Inject, Injectable } from '@nestjs/common';
import { resolveTenantHost } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import { TenantResolver } from '../routing/tenant-resolver.service';
import type { TenantRoute } from '../routing/tenant-route';

/** Names the tenant a request is for, from its Host header, or refuses the request. */
@Injectable()
export class TenantHosts {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly resolver: TenantResolver,
  ) {}

  /** The route of the active tenant `host` names; throws the refusal otherwise (400/404/403/503). */
  async routeFor(host: string | undefined): Promise<TenantRoute> {
    const parsed = resolveTenantHost(host, this.config.baseDomain);
    switch (parsed.kind) {
      case 'malformed':
        throw new GatewayException(GatewayExceptionCode.HOST_MALFORMED, parsed.reason);
      case 'not-a-tenant-host':
        throw new GatewayException(GatewayExceptionCode.NOT_A_TENANT_HOST, parsed.reason);
      case 'unknown-tenant':
        throw unknownTenant(parsed.label);
      case 'tenant':
        break;
    }
    let route: TenantRoute | undefined;
    try {
      route = await this.resolver.resolve(parsed.slug);
    } catch (error) {
      throw new GatewayException(
        GatewayExceptionCode.ROUTING_UNAVAILABLE,
        `tenant routing is unavailable right now (${error instanceof Error ? error.message : 'unknown error'}); retry shortly`,
      );
    }
    if (route === undefined) throw unknownTenant(parsed.slug);
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

function unknownTenant(label: string): GatewayException {
  return new GatewayException(GatewayExceptionCode.TENANT_UNKNOWN, `there is no workspace named "${label}"; check the address`);
}
