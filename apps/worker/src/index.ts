export { dispatchWindowMetric, jobMetrics } from './job-metrics';
export { TenantLocator, TenantNotLocatedError, type TenantLocatorOptions } from './tenant-locator';
export { startWorkerService, type WorkerService } from './worker-service';
