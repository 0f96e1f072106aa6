export { FairScheduler, type EnqueueResult, type StartedJob, type TenantJobPolicy, type TenantJobStats } from './fair-scheduler';
