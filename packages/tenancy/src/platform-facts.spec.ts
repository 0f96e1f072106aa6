import { decodeRoutingChange, encodeRoutingChange, type RoutingChange } from './routing-change';
import { isPoolName, poolAcceptsTenants, poolServesRequests } from './platform-status';
import { parseTenantSlug } from './slug';

describe('routing changes', () => {
  it.each<RoutingChange>([
    { kind: 'tenant', slug: parseTenantSlug('acme') },
    { kind: 'tenant', slug: parseTenantSlug('big-corp') },
    { kind: 'pool', pool: 'v2' },
  ])('decode what they encode: %j', (change) => {
    expect(decodeRoutingChange(encodeRoutingChange(change))).toEqual(change);
  });

  it.each(['', 'acme', 'tenant:', 'tenant:Not A Slug', 'pool:V2!', 'zone:eu', 'tenant:www'])(
    'decode %j as unknown, so the receiver drops everything instead of guessing',
    (payload) => {
      expect(decodeRoutingChange(payload)).toBeUndefined();
    },
  );
});

describe('pool facts', () => {
  it('serves requests unless retired, takes tenants only when active', () => {
    expect([poolServesRequests('active'), poolServesRequests('draining'), poolServesRequests('retired')]).toEqual([true, true, false]);
    expect([poolAcceptsTenants('active'), poolAcceptsTenants('draining'), poolAcceptsTenants('retired')]).toEqual([true, false, false]);
  });

  it.each([['v1', true], ['blue-2026', true], ['V1', false], ['1v', false], ['a'.repeat(32), false], [42, false]])(
    'knows a pool name when it sees one: %j -> %s',
    (name, ok) => {
      expect(isPoolName(name)).toBe(ok);
    },
  );
});
