export { FairScheduler, type EnqueueResult, type StartedJob, type TenantJobPolicy, type TenantJobStats } from './fair-scheduler';
export { defineJob, JobBacklogFullError, JobRegistry, type JobDefinition, type RunningJob } from '@mysaas/tenant-runtime';
export { jobBackend, jobBackendConfig, type JobBackend, type JobBackendConfig, type JobEndEvents, type WorkerSettings } from './job-backend';
export { TenantJobs, type JobTarget, type TenantJobData } from './tenant-jobs';
export { JobAdmin, JobAdminException, JobAdminExceptionCode, type DeadJob } from './job-admin';
export {
  PAUSE_REASONS,
  PLAN_NAME,
  PostgresJobStore,
  type JobPlan,
  type PauseReason,
  parseStoredJobId,
  storedJobId,
  type HandedOver,
  type StoredBatch,
  type StoredBatchHead,
  type TenantJobSummary,
} from './job-store';
export { FairDispatcher, type FairDispatcherOptions } from './fair-dispatcher';
export { startJobWorker, type JobObserver, type LocateTenant, type TenantLocation } from './job-worker';
export { lowerPriority } from './process-priority';
