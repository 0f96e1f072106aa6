import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { InjectTenantRepository } from '@mysaas/tenant-runtime';
import { Link } from './link.entity';
import { GENERATE_ATTEMPTS, generateLinkCode, parseLinkCode } from './link-code';
import { parseLinkTarget } from './link-target';
import { LinkException, LinkExceptionCode } from './links.exception';

export interface CreateLinkInput {
  url: string;
  code?: string;
}

@Injectable()
export class LinksService {
  constructor(@InjectTenantRepository(Link) private readonly links: Repository<Link>) {}

  /** Validates its input itself: the JSON API and the links page's form both come through here. */
  /** `createdBy`: the user who asked, or null for work no user started (an import job's retry, say). */
  async create(input: CreateLinkInput, createdBy: string | null): Promise<Link> {
    const url = parseLinkTarget(input.url);
    const code = input.code === undefined ? undefined : parseLinkCode(input.code);
    if (code !== undefined) {
      const link = await this.insert({ code, url, createdBy });
      if (link) return link;
      throw new LinkException(LinkExceptionCode.CODE_TAKEN, `code "${code}" is already used by another link`);
    }
    for (let attempt = 0; attempt < GENERATE_ATTEMPTS; attempt++) {
      const link = await this.insert({ code: generateLinkCode(), url, createdBy });
      if (link) return link;
    }
    throw new LinkException(LinkExceptionCode.CODE_SPACE_EXHAUSTED, 'could not find a free short code; try again');
  }

  list(limit = 100): Promise<Link[]> {
    return this.links.find({ order: { createdAt: 'DESC', id: 'ASC' }, take: limit });
  }

  /**
   * INSERT ... ON CONFLICT DO NOTHING: a taken code yields no row instead of an error, which
   * would abort the request's transaction and rule out a retry inside it.
   */
  private async insert(values: Pick<Link, 'code' | 'url' | 'createdBy'>): Promise<Link | undefined> {
    const result = await this.links
      .createQueryBuilder()
      .insert()
      .values(values)
      .orIgnore()
      .returning(['id', 'code', 'url', 'createdBy', 'createdAt'])
      .execute();
    const row = (result.raw as Array<Record<string, unknown>>)[0];
    if (row === undefined) return undefined;
    return this.links.create({
      id: row.id as string,
      code: row.code as string,
      url: row.url as string,
      createdBy: (row.created_by as string | null) ?? null,
      createdAt: row.created_at as Date,
    });
  }
}
