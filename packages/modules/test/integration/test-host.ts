import { randomUUID } from 'node:crypto';
import { Global, Injectable, Module, type CallHandler, type MiddlewareConsumer, type NestInterceptor, type NestMiddleware } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { catchError, concatMap, type Observable } from 'rxjs';
import type { TenantDatabase } from '@mysaas/db';
import { createApp, PlatformExceptionFilter, startApp, strictValidationPipe, type StartedApp } from '@mysaas/nest-http';
import { findTenantScope, runInTenantScope, TenantJobQueue, TenantScope } from '@mysaas/tenant-runtime';
import { LinksModule } from '../../src/links/links.module';
import type { TestTenant } from './test-pool';

/** Which test tenant a request is for (the app server takes it from the gateway's signed context instead). */
export const TEST_TENANT_HEADER = 'x-test-tenant';

/**
 * The links module served as the app server serves it, minus what is not the module's: the
 * same validation pipe and exception filter, one tenant transaction per request committed
 * before the answer and rolled back on an error, and the host's TenantJobQueue. The tenant
 * and its signed-in user come from a header: the gateway's context and sessions are tested
 * in the app server.
 */
export async function startTestHost(options: { tenantDb: TenantDatabase; tenants: TestTenant[]; queue: TenantJobQueue; jsonBodyBytes: number }): Promise<StartedApp> {
  const bySlug = new Map(options.tenants.map((tenant) => [tenant.slug as string, tenant]));

  @Injectable()
  class TestTenantMiddleware implements NestMiddleware {
    async use(req: Request, res: Response, next: NextFunction): Promise<void> {
      const tenant = bySlug.get(req.header(TEST_TENANT_HEADER) ?? '');
      if (tenant === undefined) throw new Error(`send ${TEST_TENANT_HEADER} with a test tenant's slug`);
      const transaction = await options.tenantDb.begin(tenant);
      const scope = new TenantScope(tenant, transaction, randomUUID());
      scope.user = { id: tenant.userId, email: `admin@${tenant.slug}.test`, sessionId: randomUUID() };
      res.once('close', () => void transaction.rollback().catch(() => undefined));
      runInTenantScope(scope, () => next());
    }
  }

  @Injectable()
  class CommitInterceptor implements NestInterceptor {
    intercept(_context: unknown, next: CallHandler): Observable<unknown> {
      const scope = findTenantScope();
      return next.handle().pipe(
        concatMap(async (value: unknown) => {
          await scope?.transaction.commit();
          return value;
        }),
        catchError(async (error: unknown) => {
          await scope?.transaction.rollback();
          throw error;
        }),
      );
    }
  }

  @Global()
  @Module({ providers: [{ provide: TenantJobQueue, useValue: options.queue }], exports: [TenantJobQueue] })
  class TestJobsModule {}

  @Module({
    imports: [TestJobsModule, LinksModule],
    providers: [
      { provide: APP_PIPE, useValue: strictValidationPipe() },
      { provide: APP_INTERCEPTOR, useClass: CommitInterceptor },
      {
        provide: APP_FILTER,
        useValue: new PlatformExceptionFilter({
          app: 'ModulesTestHost',
          beforeAnswer: async () => {
            await findTenantScope()?.transaction.rollback();
            return 'answer';
          },
        }),
      },
    ],
  })
  class TestHostModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(TestTenantMiddleware).forRoutes('*');
    }
  }

  const app = await createApp({ module: TestHostModule }, { jsonBodyBytes: options.jsonBodyBytes });
  return startApp(app, { host: '127.0.0.1', port: 0 });
}
