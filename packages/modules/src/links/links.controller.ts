import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { CurrentUser } from '../auth/current-user.decorator';
import type { AuthenticatedUser } from '@mysaas/tenant-runtime';
import { CreateLinkDto } from './dto/create-link.dto';
import { ListLinksQuery } from './dto/list-links.query';
import type { Link } from './link.entity';
import { LinksService } from './links.service';

@Controller('api/links')
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Post()
  async create(@Body() body: CreateLinkDto, @CurrentUser() user: AuthenticatedUser) {
    return toView(await this.links.create(body, user.id));
  }

  @Get()
  async list(@Query() query: ListLinksQuery) {
    const links = await this.links.list(query.limit);
    return { links: links.map(toView) };
  }
}

function toView(link: Link) {
  return {
    id: link.id,
    code: link.code,
    url: link.url,
    createdBy: link.createdBy,
    createdAt: link.createdAt.toISOString(),
  };
}
