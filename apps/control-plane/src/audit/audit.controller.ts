import { Controller, Get, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { AuditService } from './audit.service';

class AuditQuery {
  @IsOptional()
  @IsString()
  tenant?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(1000, { message: 'limit must be at most 1000' })
  limit?: number;
}

@Controller('platform/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Query() query: AuditQuery) {
    return { entries: await this.audit.list({ ...(query.tenant ? { tenantSlug: query.tenant } : {}), limit: query.limit ?? 100 }) };
  }
}
