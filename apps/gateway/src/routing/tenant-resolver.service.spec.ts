import { getEventListeners } from 'node:events';
import type { GatewayConfig } from '@mysaas/config';
import type { TenantSlug } from '@mysaas/tenancy';
import { eventually } from '@mysaas/testing';
import type { TenantRoute } from './tenant-route';
import type { TenantRoutesRepository } from './tenant-routes.repository';
import { TenantResolver } from './tenant-resolver.service';

const config = { routing: { cacheMaxEntries: 100, cacheTtlMs: 30_000, negativeTtlMs: 1_000 } } as GatewayConfig;
const route = (status: TenantRoute['status'], held = false) => ({ id: '1', slug: 'acme', status, held }) as TenantRoute;
const acme = 'acme' as TenantSlug;

/** A routing table whose lookups wait until the test lets them answer with the current status. */
function slowRoutes() {
  let status: TenantRoute['status'] = 'active';
  const pending: Array<() => void> = [];
  const repository = {
    find: () => new Promise<TenantRoute>((resolve) => pending.push(() => resolve(route(status)))),
  } as unknown as TenantRoutesRepository;
  return { repository, pending, setStatus: (s: TenantRoute['status']) => (status = s) };
}

describe('TenantResolver', () => {
  it('answers with the route after a change announced while the lookup was under way, instead of failing', async () => {
    const routes = slowRoutes();
    const resolver = new TenantResolver(config, routes.repository);
    const lookup = resolver.resolve('acme' as TenantSlug);
    await Promise.resolve();
    routes.setStatus('suspended');
    resolver.evict('acme');
    for (const answer of routes.pending.splice(0)) answer();
    await new Promise((resolve) => setImmediate(resolve));
    for (const answer of routes.pending.splice(0)) answer();
    await expect(lookup).resolves.toMatchObject({ status: 'suspended' });
  });

  it('asks the routing table once for concurrent lookups of one tenant', async () => {
    const routes = slowRoutes();
    const resolver = new TenantResolver(config, routes.repository);
    const lookups = [1, 2, 3].map(() => resolver.resolve('acme' as TenantSlug));
    await Promise.resolve();
    expect(routes.pending).toHaveLength(1);
    routes.pending.shift()!();
    expect((await Promise.all(lookups)).map((r) => r?.status)).toEqual(['active', 'active', 'active']);
  });

  it('keeps a route a move holds only briefly, so a request waiting it out reaches the database again', async () => {
    const find = jest.fn(() => Promise.resolve(route('active', true)));
    const resolver = new TenantResolver(config, { find } as unknown as TenantRoutesRepository);
    await resolver.resolve(acme);
    await eventually(async () => {
      await resolver.resolve(acme);
      expect(find).toHaveBeenCalledTimes(2);
    });
  });

  describe('waitForChange', () => {
    /** Whether a promise has settled once the microtasks it waits on have run (timers fake or not). */
    async function isSettled(promise: Promise<unknown>): Promise<boolean> {
      let settled = false;
      void promise.then(() => (settled = true));
      for (let i = 0; i < 5; i++) await Promise.resolve();
      return settled;
    }
    const resolverOf = () => new TenantResolver(config, {} as TenantRoutesRepository);

    it("resolves when the tenant's route is evicted, not when another tenant's is", async () => {
      const resolver = resolverOf();
      const waiting = resolver.waitForChange(acme, 60_000);
      resolver.evict('globex');
      expect(await isSettled(waiting)).toBe(false);
      resolver.evict('acme');
      expect(await isSettled(waiting)).toBe(true);
    });

    it('resolves when the whole cache is cleared (a pool changed, or announcements were lost)', async () => {
      const resolver = resolverOf();
      const waiting = [resolver.waitForChange(acme, 60_000), resolver.waitForChange('globex' as TenantSlug, 60_000)];
      resolver.clear();
      await expect(Promise.all(waiting)).resolves.toEqual([undefined, undefined]);
    });

    it('resolves when the signal aborts, and at once for one already aborted', async () => {
      const resolver = resolverOf();
      const client = new AbortController();
      const waiting = resolver.waitForChange(acme, 60_000, client.signal);
      expect(await isSettled(waiting)).toBe(false);
      client.abort();
      expect(await isSettled(waiting)).toBe(true);
      expect(await isSettled(resolver.waitForChange(acme, 60_000, client.signal))).toBe(true);
    });

    describe('with fake timers', () => {
      beforeEach(() => jest.useFakeTimers());
      afterEach(() => jest.useRealTimers());

      it('resolves after its timeout when nothing changes', async () => {
        const resolver = resolverOf();
        const waiting = resolver.waitForChange(acme, 100);
        jest.advanceTimersByTime(99);
        expect(await isSettled(waiting)).toBe(false);
        jest.advanceTimersByTime(1);
        expect(await isSettled(waiting)).toBe(true);
      });

      it('leaves no timer or abort listener behind, however it was woken', async () => {
        const resolver = resolverOf();
        const client = new AbortController();
        const woken = [
          resolver.waitForChange(acme, 100, client.signal),
          resolver.waitForChange(acme, 60_000, client.signal),
          resolver.waitForChange('globex' as TenantSlug, 60_000, client.signal),
        ];
        expect(jest.getTimerCount()).toBe(3);
        expect(getEventListeners(client.signal, 'abort')).toHaveLength(3);
        jest.advanceTimersByTime(100);
        resolver.evict('acme');
        resolver.clear();
        await Promise.all(woken);
        expect(jest.getTimerCount()).toBe(0);
        expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
      });
    });
  });
});
