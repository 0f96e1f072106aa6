import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { GATEWAY_CONFIG, type GatewayConfig } from './app-config';
import { PlatformExceptionFilter } from '@mysaas/nest-http';
import { GATEWAY_ERROR_ANSWERING } from './errors/gateway-error-answering';
import { HealthController } from './health/health.controller';
import { ProxyController } from './proxy/proxy.controller';
import { TenantAdmission } from './limits/tenant-admission.service';
import { ProxyService } from './proxy/proxy.service';
import { RoutingModule } from './routing/routing.module';
import { SameOriginGuard } from './session/same-origin.guard';
import { TenantSessionGuard } from './session/tenant-session.guard';
import { TenantSessionStrategy } from './session/tenant-session.strategy';
import { SignInThrottle } from './signin/signin-throttle.service';
import { TenantHostMiddleware } from './tenant-host/tenant-host.middleware';

@Module({})
class ConfigModule {}

@Module({})
export class GatewayModule implements NestModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        { module: ConfigModule, global: true, providers: [{ provide: GATEWAY_CONFIG, useValue: config }], exports: [GATEWAY_CONFIG] },
        PassportModule,
        RoutingModule,
      ],
      // Health first: the catch-all proxy route must not shadow it.
      controllers: [HealthController, ProxyController],
      providers: [
        TenantSessionStrategy,
        TenantSessionGuard,
        SameOriginGuard,
        ProxyService,
        TenantAdmission,
        SignInThrottle,
        { provide: APP_FILTER, useValue: new PlatformExceptionFilter(GATEWAY_ERROR_ANSWERING) },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TenantHostMiddleware).exclude('healthz', 'readyz').forRoutes('*');
  }
}
