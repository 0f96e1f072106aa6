import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JOB_QUEUE_NAME } from '@mysaas/config';
import { JobAdmin, jobBackend, jobBackendConfig, PostgresJobStore, type JobBackend } from '@mysaas/jobs';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../app-config';

/** The job service as the control plane reaches it: its store (plans, pauses, figures) and its queue (dead letters). */
export interface JobService {
  store: PostgresJobStore;
  queue: Queue;
  admin: JobAdmin;
  backend: JobBackend;
}

/** Injection token: the `JobService`, or undefined when the control plane runs without one. */
export const JOB_SERVICE = Symbol('JOB_SERVICE');

@Global()
@Module({
  providers: [
    {
      provide: JOB_SERVICE,
      inject: [CONTROL_PLANE_CONFIG],
      useFactory: async (config: ControlPlaneConfig): Promise<JobService | undefined> => {
        if (config.jobs === undefined) return undefined;
        const store = new PostgresJobStore(config.jobs.storeUrl);
        // The store's tables exist before the first plan is read (the worker migrates them too).
        await store.migrate();
        const backend = jobBackend(jobBackendConfig(config.jobs.queueUrl));
        const queue = backend.queue(JOB_QUEUE_NAME);
        return { store, queue, backend, admin: new JobAdmin(store, queue) };
      },
    },
  ],
  exports: [JOB_SERVICE],
})
export class JobServiceModule implements OnApplicationShutdown {
  constructor(@Inject(JOB_SERVICE) private readonly jobs: JobService | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.jobs === undefined) return;
    await this.jobs.queue.close();
    await this.jobs.backend.close();
    await this.jobs.store.close();
  }
}
