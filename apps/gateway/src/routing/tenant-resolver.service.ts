import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { TenantSlug } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { IGNORE_ROUTING_LOOKUPS, ROUTING_LOOKUP_OBSERVER, type RoutingLookupObserver } from '../observe/request-end';
import type { TenantRoute } from './tenant-route';
import { TenantRoutesRepository } from './tenant-routes.repository';

type Entry = { route: TenantRoute } | { route: undefined };

/**
 * How long a held route stays cached: requests waiting out a move's hold look again this
 * often, so they reach the database even when the announcement that ends the hold is missed.
 */
export const HELD_ROUTE_TTL_MS = 100;

/**
 * Slug -> route, through an in-process LRU over the control plane's routing view. Concurrent
 * misses for one slug share one query; unknown slugs are cached briefly too, so a flood of
 * random subdomains cannot turn into a flood of queries. Entries are evicted as soon as the
 * control plane announces a change (see RoutingListener); the TTL only bounds staleness if
 * an announcement is missed (briefly for a route a move holds, whose release must not wait
 * for it). Requests held by a move wait here for their tenant's next change (waitForChange).
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
        else if (route.held) options.ttl = HELD_ROUTE_TTL_MS;
        return { route };
      },
    });
  }

  /** Counts invalidations, so a lookup they cut short can tell and ask again. */
  private generation = 0;
  /** Per slug, the wake-ups of those waiting for its route to change (waitForChange). */
  private readonly waiters = new Map<string, Set<() => void>>();

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

  /**
   * Resolves when the slug's route is evicted (or the whole cache cleared), after `timeoutMs`,
   * or when `signal` aborts, whichever comes first; it never rejects. The caller resolves again
   * to learn what changed.
   */
  waitForChange(slug: TenantSlug, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        const waiting = this.waiters.get(slug);
        waiting?.delete(wake);
        if (waiting?.size === 0) this.waiters.delete(slug);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      signal?.addEventListener('abort', wake, { once: true });
      const waiting = this.waiters.get(slug) ?? new Set();
      this.waiters.set(slug, waiting.add(wake));
    });
  }

  evict(slug: string): void {
    this.generation++;
    this.cache.delete(slug as TenantSlug);
    this.wake(slug);
  }

  clear(): void {
    this.generation++;
    this.cache.clear();
    for (const slug of [...this.waiters.keys()]) this.wake(slug);
  }

  /** Wakes those waiting for the slug's route to change; each removes itself as it wakes. */
  private wake(slug: string): void {
    for (const wake of [...(this.waiters.get(slug) ?? [])]) wake();
  }

  get size(): number {
    return this.cache.size;
  }
}
