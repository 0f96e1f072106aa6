import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthModule, PlatformExceptionFilter } from '@mysaas/nest-http';
import { GATEWAY_CONFIG, type GatewayConfig } from './app-config';
import { GATEWAY_ERROR_ANSWERING } from './errors/gateway-error-answering';
import { TenantAdmission } from './limits/tenant-admission.service';
import type { GatewayObservability } from './observe/gateway-observability';
import { HELD_REQUEST_OBSERVER, REQUEST_END_OBSERVER, ROUTING_LOOKUP_OBSERVER } from './observe/request-end';
import { UPSTREAM_HEALTH_OBSERVER, type UpstreamHealthObserver } from './observe/upstream-health-observer';
import { ProxyService } from './proxy/proxy.service';
import { TenantProxy } from './proxy/tenant-proxy.service';
import { RoutingModule } from './routing/routing.module';
import { TenantRoutesRepository } from './routing/tenant-routes.repository';
import { TenantSessions } from './session/tenant-session';
import { SignInThrottle } from './signin/signin-throttle.service';
import { TenantHosts } from './tenant-host/tenant-hosts.service';
import { PoolMembers } from './upstreams/pool-members';

@Module({})
class ConfigModule {}

/**
 * The gateway's services. The tenant request path (TenantProxy) runs on the raw HTTP server,
 * before Express routes anything; Nest's router serves only the health probes.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, observability: GatewayObservability): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        {
          module: ConfigModule,
          global: true,
          providers: [
            { provide: GATEWAY_CONFIG, useValue: config },
            { provide: REQUEST_END_OBSERVER, useValue: observability.requestEnds },
            { provide: ROUTING_LOOKUP_OBSERVER, useValue: observability.routingLookups },
            { provide: HELD_REQUEST_OBSERVER, useValue: observability.heldRequests },
            { provide: UPSTREAM_HEALTH_OBSERVER, useValue: observability.upstreamHealth },
          ],
          exports: [GATEWAY_CONFIG, REQUEST_END_OBSERVER, ROUTING_LOOKUP_OBSERVER, HELD_REQUEST_OBSERVER, UPSTREAM_HEALTH_OBSERVER],
        },
        RoutingModule,
        HealthModule.forRoot({
          imports: [RoutingModule],
          inject: [TenantRoutesRepository],
          useFactory: (routes: TenantRoutesRepository) => ({ checks: { routing: () => routes.ping() } }),
        }),
      ],
      providers: [
        TenantHosts,
        TenantSessions,
        SignInThrottle,
        TenantAdmission,
        {
          provide: PoolMembers,
          inject: [GATEWAY_CONFIG, UPSTREAM_HEALTH_OBSERVER],
          useFactory: (gateway: GatewayConfig, observer: UpstreamHealthObserver) => new PoolMembers(gateway.upstreams, observer),
        },
        ProxyService,
        TenantProxy,
        { provide: APP_FILTER, useValue: new PlatformExceptionFilter(GATEWAY_ERROR_ANSWERING) },
      ],
    };
  }
}
