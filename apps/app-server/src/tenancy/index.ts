export { TenancyException, TenancyExceptionCode } from './tenancy.exception';
export { TenancyModule } from './tenancy.module';
export { TENANT_SCOPE_KEY, TenantContextMiddleware, type RequestWithTenant } from './tenant-context.middleware';
