import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { TenantSlug } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { IGNORE_ROUTING_LOOKUPS, ROUTING_LOOKUP_OBSERVER, type RoutingLookupObserver } from '../observe/request-end';
import type { TenantRoute } from './tenant-route';
import { TenantRoutesRepository } from './tenant-routes.repository';

type Entry = { route: TenantRoute } | { route: undefined };

/**
 * Slug -> route, through an in-process LRU over the control plane's routing view. Concurrent
 * misses for one slug share one query; unknown slugs are cached briefly too, so a flood of
 * random subdomains cannot turn into a flood of queries. Entries are evicted as soon as the
 * control plane announces a change (see RoutingListener); the TTL only bounds staleness if
 * an announcement is missed.
 */
@Injectable()
export class TenantResolver {
  private readonly cache: LRUCache<TenantSlug, Entry>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly routes: TenantRoutesRepository,
    @Optional() @Inject(ROUTING_LOOKUP_OBSERVER) private readonly lookups: RoutingLookupObserver = IGNORE_ROUTING_LOOKUPS,
  ) {
    this.cache = new LRUCache<TenantSlug, Entry>({
      max: config.routing.cacheMaxEntries,
      ttl: config.routing.cacheTtlMs,
      fetchMethod: async (slug, _stale, { options }) => {
        const route = await this.routes.find(slug);
        if (route === undefined) options.ttl = this.config.routing.negativeTtlMs;
        return { route };
      },
    });
  }

  /** Counts invalidations, so a lookup they cut short can tell and ask again. */
  private generation = 0;

  async resolve(slug: TenantSlug): Promise<TenantRoute | undefined> {
    for (let attempt = 1; ; attempt++) {
      const started = this.generation;
      try {
        const status: LRUCache.Status<TenantSlug, Entry> = {};
        const entry = await this.cache.fetch(slug, { status });
        this.lookups.observe(status.fetch === 'hit' ? 'hit' : status.fetch === 'inflight' ? 'shared' : 'miss');
        return entry?.route;
      } catch (error) {
        // An announcement arrived mid-lookup: the cache aborted it (its answer may predate the
        // change). Ask again, now after the change; give up only if announcements keep coming.
        if (this.generation === started || attempt === 3) throw error;
      }
    }
  }

  evict(slug: string): void {
    this.generation++;
    this.cache.delete(slug as TenantSlug);
  }

  clear(): void {
    this.generation++;
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}
