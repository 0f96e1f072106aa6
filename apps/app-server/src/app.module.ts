import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule, LinksModule, PagesModule } from '@mysaas/modules';
import { PlatformExceptionFilter, strictValidationPipe } from '@mysaas/nest-http';
import { SERVING_POOL } from '@mysaas/tenant-runtime';
import { APP_CONFIG, type AppServerConfig } from './app-config';
import { APP_SERVER_ERROR_ANSWERING } from './errors/app-server-error-answering';
import { HealthController } from './health/health.controller';
import { TenancyModule, TenantContextMiddleware } from './tenancy';

/**
 * The app server of one pool: the tenancy runtime's HTTP entry, and the business modules
 * (from @mysaas/modules), each of which owns its tables.
 */
@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppServerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolderModule,
          global: true,
          providers: [
            { provide: APP_CONFIG, useValue: config },
            { provide: SERVING_POOL, useValue: config.pool },
          ],
          exports: [APP_CONFIG, SERVING_POOL],
        },
        TenancyModule,
        AuthModule.forRoot({ session: { secret: config.secrets.session, ttlSeconds: config.session.ttlSeconds }, signIn: config.signIn }),
        LinksModule,
        PagesModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useValue: new PlatformExceptionFilter(APP_SERVER_ERROR_ANSWERING) },
        { provide: APP_PIPE, useValue: strictValidationPipe() },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TenantContextMiddleware).exclude('healthz', 'readyz').forRoutes('*');
  }
}

@Module({})
class ConfigHolderModule {}
