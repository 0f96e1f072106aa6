import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ApiErrors, INVALID, PlatformApi } from '../openapi/api-responses.decorator';
import { AuditPageView } from './audit-entry.view';
import { AuditService } from './audit.service';

class AuditQuery {
  @ApiPropertyOptional({ description: 'Only the entries about this tenant (its slug).', example: 'initech' })
  @IsOptional()
  @IsString()
  tenant?: string;

  @ApiPropertyOptional({ description: 'Entries to return: 100 by default.', type: 'integer', minimum: 1, maximum: 1000, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(1000, { message: 'limit must be at most 1000' })
  limit?: number;
}

@PlatformApi('audit')
@Controller('platform/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Read the audit log, newest first' })
  @ApiOkResponse({ type: AuditPageView, description: 'The entries, newest first.' })
  @ApiErrors({ 400: [INVALID.fields] })
  async list(@Query() query: AuditQuery): Promise<AuditPageView> {
    return { entries: await this.audit.list({ ...(query.tenant ? { tenantSlug: query.tenant } : {}), limit: query.limit ?? 100 }) };
  }
}
