import { checkTenantSlug, type TenantSlug } from './slug';
import { isPoolName } from './platform-status';

/**
 * What the control plane announces when routing changes, and gateways act on: one tenant's
 * route changed, or a whole pool's (its upstreams or status), or everything is suspect (a
 * listener reconnected). Sent over Postgres NOTIFY on ROUTING_CHANNEL; encode and decode live
 * together here so the sender and the receivers cannot drift apart.
 */
export type RoutingChange = { kind: 'tenant'; slug: TenantSlug } | { kind: 'pool'; pool: string };

export const ROUTING_CHANNEL = 'mysaas_routing';

export function encodeRoutingChange(change: RoutingChange): string {
  return change.kind === 'tenant' ? `tenant:${change.slug}` : `pool:${change.pool}`;
}

/**
 * The change a payload names, or undefined for one this code does not understand (sent by
 * a newer control plane, say): the receiver should then drop everything it cached.
 */
export function decodeRoutingChange(payload: string): RoutingChange | undefined {
  const colon = payload.indexOf(':');
  const kind = payload.slice(0, colon);
  const value = payload.slice(colon + 1);
  if (kind === 'tenant') {
    const check = checkTenantSlug(value);
    return check.ok ? { kind: 'tenant', slug: check.slug } : undefined;
  }
  if (kind === 'pool' && isPoolName(value)) return { kind: 'pool', pool: value };
  return undefined;
}
