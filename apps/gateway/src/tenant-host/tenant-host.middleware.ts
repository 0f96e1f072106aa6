import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { resolveTenantHost } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import { TenantResolver } from '../routing/tenant-resolver.service';
import type { GatewayRequest } from './gateway-request';

/** Names the tenant a request is for, from its Host header, or refuses the request. */
@Injectable()
export class TenantHostMiddleware implements NestMiddleware {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly resolver: TenantResolver,
  ) {}

  async use(req: GatewayRequest, _res: Response, next: NextFunction): Promise<void> {
    const host = resolveTenantHost(req.header('host'), this.config.baseDomain);
    switch (host.kind) {
      case 'malformed':
        throw new GatewayException(GatewayExceptionCode.HOST_MALFORMED, host.reason);
      case 'not-a-tenant-host':
        throw new GatewayException(GatewayExceptionCode.NOT_A_TENANT_HOST, host.reason);
      case 'unknown-tenant':
        throw unknownTenant(host.label);
      case 'tenant':
        break;
    }
    const route = await this.resolver.resolve(host.slug).catch((error: unknown) => {
      throw new GatewayException(
        GatewayExceptionCode.ROUTING_UNAVAILABLE,
        `tenant routing is unavailable right now (${error instanceof Error ? error.message : 'unknown error'}); retry shortly`,
      );
    });
    if (route === undefined) throw unknownTenant(host.slug);
    switch (route.status) {
      case 'suspended':
        throw new GatewayException(
          GatewayExceptionCode.TENANT_SUSPENDED,
          `the workspace ${route.slug} is suspended; its administrators can contact support to restore it`,
        );
      case 'provisioning':
        throw new GatewayException(GatewayExceptionCode.TENANT_NOT_READY, `the workspace ${route.slug} is still being set up; retry in a moment`);
      case 'active':
        break;
    }
    req.tenantRoute = route;
    next();
  }
}

function unknownTenant(label: string): GatewayException {
  return new GatewayException(GatewayExceptionCode.TENANT_UNKNOWN, `there is no workspace named "${label}"; check the address`);
}
