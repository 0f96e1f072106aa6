import 'reflect-metadata';
export { CurrentTenant, SERVING_POOL, type ServingPool } from './current-tenant.decorator';
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
