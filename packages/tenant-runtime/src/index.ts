import 'reflect-metadata';
export { CurrentTenant, SERVING_POOL, type ServingPool } from './current-tenant.decorator';
export {
  defineJob,
  JobBacklogFullError,
  JobQueueException,
  JobQueueExceptionCode,
  JobRegistry,
  NoJobQueue,
  TenantJobQueue,
  type JobDefinition,
  type RunningJob,
} from './job-definition';
export { runAsTenant } from './run-as-tenant';
export { getTenantRepositoryToken, InjectTenantRepository, TenantOrmModule, tenantRepository, type EntityClass } from './tenant-repository';
export { TenantRuntimeException, TenantRuntimeExceptionCode } from './tenant-runtime.exception';
export {
  currentTenantScope,
  findTenantScope,
  runInTenantScope,
  TenantScope,
  type AuthenticatedUser,
  type ScopedTenant,
} from './tenant-scope';
