import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiErrors, INVALID, PlatformApi } from '../openapi/api-responses.decorator';
import { CreateTenantDto, ListTenantsQuery, UpdateTenantLimitsDto } from './dto/create-tenant.dto';
import { TenantPageView, TenantView } from './dto/tenant.view';
import { tenantView } from './tenant.record';
import { TenantsService } from './tenants.service';

const SLUG = { name: 'slug', description: 'The tenant’s slug.', example: 'initech' };
const NOT_FOUND = 'TENANT_NOT_FOUND: no tenant has that slug';
const NOT_READY = 'TENANT_NOT_READY: the tenant is still being provisioned';

@PlatformApi('tenants')
@Controller('platform/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({
    summary: 'Provision a tenant',
    description: 'Claims the slug, then creates the tenant’s role, schema, tables and first user on the pool’s server in one transaction; a failure leaves nothing behind on either side.',
  })
  @ApiCreatedResponse({ type: TenantView, description: 'The tenant, active.' })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json, 'TENANT_INVALID_SLUG: the slug breaks the slug rule or is reserved', 'TENANT_INVALID_PASSWORD: the password is too short or too long', 'TENANT_POOL_UNKNOWN: no pool has that name'],
    409: ['TENANT_SLUG_TAKEN: a tenant already has that slug', 'TENANT_POOL_NOT_ACCEPTING: the pool is draining or retired', 'TENANT_RESIDUE_ON_POOL: the pool’s server already has a schema or role of that name that this platform did not make'],
    413: [INVALID.tooLarge],
    503: ['TENANT_POOL_UNREACHABLE: the pool’s database server is down or misconfigured; nothing was created'],
  })
  async create(@Body() body: CreateTenantDto) {
    return tenantView(await this.tenants.create(body));
  }

  @Get()
  @ApiOperation({ summary: 'List tenants, a page at a time in slug order' })
  @ApiOkResponse({ type: TenantPageView, description: 'One page of tenants, and the cursor of the next.' })
  @ApiErrors({ 400: [INVALID.fields] })
  async list(@Query() query: ListTenantsQuery) {
    const { tenants, next } = await this.tenants.list(query);
    return { tenants: tenants.map(tenantView), next };
  }

  @Get(':slug')
  @ApiOperation({ summary: 'Get one tenant' })
  @ApiParam(SLUG)
  @ApiOkResponse({ type: TenantView, description: 'The tenant.' })
  @ApiErrors({ 404: [NOT_FOUND] })
  async get(@Param('slug') slug: string) {
    return tenantView(await this.tenants.get(slug));
  }

  @Post(':slug/suspend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend a tenant (idempotent)',
    description: 'The gateways refuse its requests at once and its jobs wait until it is resumed.',
  })
  @ApiParam(SLUG)
  @ApiOkResponse({ type: TenantView, description: 'The tenant, suspended.' })
  @ApiErrors({ 404: [NOT_FOUND], 409: [NOT_READY] })
  async suspend(@Param('slug') slug: string) {
    return tenantView(await this.tenants.suspend(slug));
  }

  @Patch(':slug/limits')
  @ApiOperation({
    summary: 'Change a tenant’s limits',
    description: 'Only the limits named change; null puts one back to the platform default. The statement timeout is set on the tenant’s role on its pool’s server.',
  })
  @ApiParam(SLUG)
  @ApiOkResponse({ type: TenantView, description: 'The tenant with its new limits.' })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json, 'TENANT_POOL_UNKNOWN: the tenant’s pool no longer exists'],
    404: [NOT_FOUND],
    409: [NOT_READY],
    413: [INVALID.tooLarge],
    503: ['TENANT_POOL_UNREACHABLE: the pool’s database server is down; nothing was changed'],
  })
  async setLimits(@Param('slug') slug: string, @Body() body: UpdateTenantLimitsDto) {
    return tenantView(await this.tenants.setLimits(slug, body));
  }

  @Post(':slug/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a suspended tenant (idempotent)', description: 'The gateways serve it again at once and its jobs go on.' })
  @ApiParam(SLUG)
  @ApiOkResponse({ type: TenantView, description: 'The tenant, active.' })
  @ApiErrors({ 404: [NOT_FOUND], 409: [NOT_READY] })
  async resume(@Param('slug') slug: string) {
    return tenantView(await this.tenants.resume(slug));
  }
}
