import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import type { AuthenticatedUser } from '@mysaas/tenant-runtime';
import { CurrentUser } from '../auth/current-user.decorator';
import { ImportLinksDto } from './dto/import-links.dto';
import { ListLinkImportsQuery } from './dto/list-link-imports.query';
import { LinkImportsService, type LinkImportSummary } from './link-imports.service';

@Controller('api/links/imports')
export class LinkImportsController {
  constructor(private readonly imports: LinkImportsService) {}

  /** Accepted, not done: `GET /api/links/imports/:id` follows it. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async start(@Body() body: ImportLinksDto, @CurrentUser() user: AuthenticatedUser) {
    const started = await this.imports.start(body.links, user.id);
    return { id: started.id, status: started.status, total: started.total };
  }

  @Get()
  async list(@Query() query: ListLinkImportsQuery) {
    return { imports: (await this.imports.list(query.limit)).map(toView) };
  }

  @Get(':id')
  async find(@Param('id') id: string) {
    const found = await this.imports.find(id);
    return { ...toView(found), errors: found.errors, errorsTruncated: found.errorsTruncated };
  }
}

function toView(summary: LinkImportSummary) {
  return {
    id: summary.id,
    status: summary.status,
    total: summary.total,
    imported: summary.imported,
    skipped: summary.skipped,
    failed: summary.failed,
    createdAt: summary.createdAt.toISOString(),
    startedAt: summary.startedAt?.toISOString() ?? null,
    finishedAt: summary.finishedAt?.toISOString() ?? null,
  };
}
