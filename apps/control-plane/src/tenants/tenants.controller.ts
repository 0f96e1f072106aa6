import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CreateTenantDto, ListTenantsQuery, UpdateTenantLimitsDto } from './dto/create-tenant.dto';
import { tenantView } from './tenant.record';
import { TenantsService } from './tenants.service';

@Controller('platform/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  async create(@Body() body: CreateTenantDto) {
    return tenantView(await this.tenants.create(body));
  }

  @Get()
  async list(@Query() query: ListTenantsQuery) {
    const { tenants, next } = await this.tenants.list(query);
    return { tenants: tenants.map(tenantView), next };
  }

  @Get(':slug')
  async get(@Param('slug') slug: string) {
    return tenantView(await this.tenants.get(slug));
  }

  @Post(':slug/suspend')
  @HttpCode(200)
  async suspend(@Param('slug') slug: string) {
    return tenantView(await this.tenants.suspend(slug));
  }

  @Patch(':slug/limits')
  async setLimits(@Param('slug') slug: string, @Body() body: UpdateTenantLimitsDto) {
    return tenantView(await this.tenants.setLimits(slug, body));
  }

  @Post(':slug/resume')
  @HttpCode(200)
  async resume(@Param('slug') slug: string) {
    return tenantView(await this.tenants.resume(slug));
  }
}
