import type { GatewayConfig } from '@mysaas/config';
import type { TenantSlug } from '@mysaas/tenancy';
import type { TenantRoute } from './tenant-route';
import type { TenantRoutesRepository } from './tenant-routes.repository';
import { TenantResolver } from './tenant-resolver.service';

const config = { routing: { cacheMaxEntries: 100, cacheTtlMs: 30_000, negativeTtlMs: 1_000 } } as GatewayConfig;
const route = (status: TenantRoute['status']) => ({ id: '1', slug: 'acme', status }) as TenantRoute;

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
});
