export { FairScheduler, type EnqueueResult, type StartedJob, type TenantJobPolicy, type TenantJobStats } from './fair-scheduler';
export { defineJob, JobBacklogFullError, JobRegistry, type JobDefinition, type RunningJob } from '@mysaas/tenant-runtime';
export { jobBackend, jobBackendConfig, type JobBackend, type JobBackendConfig, type WorkerSettings } from './job-backend';
export { TenantJobs, type JobTarget, type TenantJobData } from './tenant-jobs';
export { PostgresJobStore, type StoredJob, type StoredJobHead } from './job-store';
export { FairDispatcher, type FairDispatcherOptions } from './fair-dispatcher';
export { startJobWorker, type LocateTenant, type TenantLocation } from './job-worker';
