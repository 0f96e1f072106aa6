import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PostgresJobStore, TenantJobs } from '@mysaas/jobs';
import { NoJobQueue, TenantJobQueue } from '@mysaas/tenant-runtime';
import { APP_CONFIG, type AppServerConfig } from '../app-config';

const JOB_STORE = Symbol('JOB_STORE');

/**
 * Where the modules' `TenantJobQueue` puts jobs: the job service's store (its backlog limit
 * per tenant plan answers 429), read by the worker fleet's dispatcher. Without a store
 * configured, enqueueing answers 503 and says so.
 */
@Global()
@Module({
  providers: [
    {
      provide: JOB_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppServerConfig) => (config.jobs === undefined ? undefined : new PostgresJobStore(config.jobs.storeUrl)),
    },
    {
      provide: TenantJobQueue,
      inject: [JOB_STORE],
      useFactory: (store: PostgresJobStore | undefined) => (store === undefined ? new NoJobQueue() : new TenantJobs({ store })),
    },
  ],
  exports: [TenantJobQueue],
})
export class JobsModule implements OnApplicationShutdown {
  constructor(@Inject(JOB_STORE) private readonly store: PostgresJobStore | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close();
  }
}
