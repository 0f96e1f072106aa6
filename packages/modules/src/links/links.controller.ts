import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { CurrentUser } from '../auth/current-user.decorator';
import type { AuthenticatedUser } from '@mysaas/tenant-runtime';
import { CreateLinkDto } from './dto/create-link.dto';
import { ListLinksQuery } from './dto/list-links.query';
import { LinksService, type DetailedLink } from './links.service';

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

/** A link as the API shows it; from release 2 with its title and tags. */
function toView(link: DetailedLink) {
  return {
    id: link.id,
    code: link.code,
    url: link.url,
    ...(link.tags === undefined ? {} : { title: link.title ?? null, tags: link.tags }),
    createdBy: link.createdBy,
    createdAt: link.createdAt.toISOString(),
  };
}
