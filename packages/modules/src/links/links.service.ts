import { Inject, Injectable, Optional } from '@nestjs/common';
import { In, type Repository } from 'typeorm';
import { InjectTenantRepository, SERVING_POOL, type ServingPool } from '@mysaas/tenant-runtime';
import { LinkDetails } from './link-details.entity';
import { Link } from './link.entity';
import { GENERATE_ATTEMPTS, generateLinkCode, parseLinkCode } from './link-code';
import { parseLinkTarget } from './link-target';
import { LinkException, LinkExceptionCode } from './links.exception';

export interface CreateLinkInput {
  url: string;
  code?: string;
  /** Release 2. */
  title?: string;
  /** Release 2. */
  tags?: string[];
}

/** A link as release 2 shows it: with its title and tags (release 1 shows neither). */
export interface DetailedLink extends Link {
  title?: string | null;
  tags?: string[];
}

/** The release that brought titles and tags. */
export const LINK_DETAILS_RELEASE = 2;
export const MAX_TAGS = 20;
const TAG = /^[a-z0-9][a-z0-9-]{0,39}$/;

@Injectable()
export class LinksService {
  constructor(
    @InjectTenantRepository(Link) private readonly links: Repository<Link>,
    @InjectTenantRepository(LinkDetails) private readonly details: Repository<LinkDetails>,
    // The release this code runs as (the app server's pool); release 1 where none is given.
    @Optional() @Inject(SERVING_POOL) private readonly serving: ServingPool = { name: '-', release: 1 },
  ) {}

  /** Whether this server's release shows titles and tags. */
  get hasDetails(): boolean {
    return this.serving.release >= LINK_DETAILS_RELEASE;
  }

  /** Validates its input itself: the JSON API and the links page's form both come through here. */
  /** `createdBy`: the user who asked, or null for work no user started (an import job's retry, say). */
  async create(input: CreateLinkInput, createdBy: string | null): Promise<DetailedLink> {
    const url = parseLinkTarget(input.url);
    const code = input.code === undefined ? undefined : parseLinkCode(input.code);
    const details = this.checkDetails(input);
    let link: Link | undefined;
    if (code !== undefined) {
      link = await this.insert({ code, url, createdBy });
      if (!link) throw new LinkException(LinkExceptionCode.CODE_TAKEN, `code "${code}" is already used by another link`);
    }
    for (let attempt = 0; link === undefined && attempt < GENERATE_ATTEMPTS; attempt++) {
      link = await this.insert({ code: generateLinkCode(), url, createdBy });
    }
    if (link === undefined) throw new LinkException(LinkExceptionCode.CODE_SPACE_EXHAUSTED, 'could not find a free short code; try again');
    if (!this.hasDetails) return link;
    await this.details.insert({ linkId: link.id, title: details.title, tags: details.tags });
    return { ...link, title: details.title ?? hostOf(link.url), tags: details.tags };
  }

  async list(limit = 100): Promise<DetailedLink[]> {
    const links = await this.links.find({ order: { createdAt: 'DESC', id: 'ASC' }, take: limit });
    if (!this.hasDetails || links.length === 0) return links;
    const details = new Map((await this.details.findBy({ linkId: In(links.map((l) => l.id)) })).map((d) => [d.linkId, d]));
    // A link release 1's code made on this schema has no details: its host is its title.
    return links.map((link) => ({ ...link, title: details.get(link.id)?.title ?? hostOf(link.url), tags: details.get(link.id)?.tags ?? [] }));
  }

  /** Titles and tags: refused by a release-1 server (saying why), checked on release 2. */
  private checkDetails(input: CreateLinkInput): { title: string | null; tags: string[] } {
    if (!this.hasDetails) {
      if (input.title !== undefined || input.tags !== undefined) {
        throw new LinkException(
          LinkExceptionCode.NEEDS_NEWER_RELEASE,
          `titles and tags come with release ${LINK_DETAILS_RELEASE}; this workspace is served by release ${this.serving.release} (pool ${this.serving.name})`,
        );
      }
      return { title: null, tags: [] };
    }
    const title = input.title?.trim() ?? null;
    if (title !== null && (title.length === 0 || title.length > 200)) {
      throw new LinkException(LinkExceptionCode.INVALID_DETAILS, 'title must be 1 to 200 characters');
    }
    const tags = [...new Set(input.tags ?? [])];
    if (tags.length > MAX_TAGS) throw new LinkException(LinkExceptionCode.INVALID_DETAILS, `a link takes at most ${MAX_TAGS} tags`);
    const bad = tags.find((tag) => !TAG.test(tag));
    if (bad !== undefined) {
      throw new LinkException(LinkExceptionCode.INVALID_DETAILS, `tag "${bad.slice(0, 50)}" is invalid: use lower-case letters, digits and hyphens, 1 to 40 characters`);
    }
    return { title, tags };
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

/** The host of an http(s) URL: a link's title where it has none. */
function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}
