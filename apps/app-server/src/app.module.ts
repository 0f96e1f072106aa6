import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule, BusinessModules } from '@mysaas/modules';
import { HealthModule, PlatformExceptionFilter, strictValidationPipe } from '@mysaas/nest-http';
import { SERVING_POOL } from '@mysaas/tenant-runtime';
import { DataSource } from 'typeorm';
import { APP_CONFIG, OBSERVABILITY, type AppServerConfig } from './app-config';
import { APP_SERVER_ERROR_ANSWERING } from './errors/app-server-error-answering';
import { JobsModule } from './jobs/jobs.module';
import { appServerObservability, type AppServerObservability } from './observability';
import { TenancyModule, TenantContextMiddleware } from './tenancy';

/**
 * The app server of one pool: the tenancy runtime's HTTP entry, the platform's auth, health
 * and error answering, and the business modules (from @mysaas/modules, which lists them).
 */
@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppServerConfig, observability: AppServerObservability = appServerObservability(config)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolderModule,
          global: true,
          providers: [
            { provide: APP_CONFIG, useValue: config },
            { provide: SERVING_POOL, useValue: config.pool },
            { provide: OBSERVABILITY, useValue: observability },
          ],
          exports: [APP_CONFIG, SERVING_POOL, OBSERVABILITY],
        },
        TenancyModule,
        JobsModule,
        AuthModule.forRoot({ session: { secret: config.secrets.session, ttlSeconds: config.session.ttlSeconds }, signIn: config.signIn }),
        BusinessModules.load(),
        HealthModule.forRoot({
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => ({
            info: { pool: config.pool.name, release: config.pool.release },
            checks: { database: () => dataSource.query('SELECT 1') },
          }),
        }),
      ],
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
