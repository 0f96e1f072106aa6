import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PlatformExceptionFilter } from '@mysaas/nest-http';
import { GATEWAY_CONFIG, type GatewayConfig } from './app-config';
import { GATEWAY_ERROR_ANSWERING } from './errors/gateway-error-answering';
import { HealthController } from './health/health.controller';
import { TenantAdmission } from './limits/tenant-admission.service';
import { IGNORE_REQUEST_ENDS, REQUEST_END_OBSERVER, type RequestEndObserver } from './observe/request-end';
import { ProxyService } from './proxy/proxy.service';
import { TenantProxy } from './proxy/tenant-proxy.service';
import { RoutingModule } from './routing/routing.module';
import { TenantSessions } from './session/tenant-session';
import { SignInThrottle } from './signin/signin-throttle.service';
import { TenantHosts } from './tenant-host/tenant-hosts.service';

@Module({})
class ConfigModule {}

export interface GatewayModuleOptions {
  /** Sees the end of every proxied request (metrics, access logs); by default nothing does. */
  requestEnds?: RequestEndObserver;
}

/**
 * The gateway's services. The tenant request path (TenantProxy) runs on the raw HTTP server,
 * before Express routes anything; Nest's router serves only the health probes.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, options: GatewayModuleOptions = {}): DynamicModule {
    const observer: Provider = { provide: REQUEST_END_OBSERVER, useValue: options.requestEnds ?? IGNORE_REQUEST_ENDS };
    return {
      module: GatewayModule,
      imports: [
        { module: ConfigModule, global: true, providers: [{ provide: GATEWAY_CONFIG, useValue: config }], exports: [GATEWAY_CONFIG] },
        RoutingModule,
      ],
      controllers: [HealthController],
      providers: [
        TenantHosts,
        TenantSessions,
        SignInThrottle,
        TenantAdmission,
        ProxyService,
        TenantProxy,
        observer,
        { provide: APP_FILTER, useValue: new PlatformExceptionFilter(GATEWAY_ERROR_ANSWERING) },
      ],
    };
  }
}
