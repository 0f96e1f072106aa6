export { CurrentTenant } from './current-tenant.decorator';
export { TenancyException, TenancyExceptionCode } from './tenancy.exception';
export { TenancyModule } from './tenancy.module';
export { TENANT_REQUEST_KEY, TenantContextMiddleware, type RequestWithTenant } from './tenant-context.middleware';
export { InjectTenantRepository, TenantOrmModule, tenantEntities } from './tenant-repository';
export { currentTenantRequest, findTenantRequest, TenantRequest, type AuthenticatedUser } from './tenant-request';
