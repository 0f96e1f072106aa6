import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { APP_CONFIG, type AppServerConfig } from './app-config';
import { AuthModule } from './auth/auth.module';
import { PlatformExceptionFilter, strictValidationPipe } from '@mysaas/nest-http';
import { APP_SERVER_ERROR_ANSWERING } from './errors/app-server-error-answering';
import { HealthController } from './health/health.controller';
import { LinksModule } from './links/links.module';
import { PagesModule } from './pages/pages.module';
import { TenancyModule, TenantContextMiddleware } from './tenancy';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppServerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolderModule, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        TenancyModule,
        AuthModule,
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
