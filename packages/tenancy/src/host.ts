import { checkTenantSlug, type TenantSlug } from './slug';

export type HostResolution =
  | { kind: 'tenant'; slug: TenantSlug }
  /** Syntactically broken or missing Host header. */
  | { kind: 'malformed'; reason: string }
  /** A well-formed host that cannot name a tenant (another domain, the apex, a nested name). */
  | { kind: 'not-a-tenant-host'; reason: string }
  /** A subdomain of the base domain that is not a valid (or is a reserved) slug. */
  | { kind: 'unknown-tenant'; label: string };

const HOSTNAME = /^[a-z0-9.-]+$/;
const MAX_HOST_LENGTH = 253;

/**
 * Reads the tenant slug from a Host header: `Acme.localhost:3000` -> `acme` for base domain
 * `localhost`. Case-insensitive; the port and one trailing dot are ignored.
 */
export function resolveTenantHost(hostHeader: string | undefined, baseDomain: string): HostResolution {
  if (hostHeader === undefined || hostHeader.trim() === '') {
    return { kind: 'malformed', reason: 'the Host header is missing' };
  }
  const raw = hostHeader.trim().toLowerCase();
  if (raw.startsWith('[')) {
    return { kind: 'not-a-tenant-host', reason: `${raw} is an IP address, not a tenant subdomain of ${baseDomain}` };
  }
  const host = stripTrailingDot(stripPort(raw));
  if (host === undefined) {
    return { kind: 'malformed', reason: `the Host header "${shorten(hostHeader)}" has an invalid port` };
  }
  if (host.length === 0 || host.length > MAX_HOST_LENGTH || !HOSTNAME.test(host) || host.includes('..')) {
    return { kind: 'malformed', reason: `the Host header "${shorten(hostHeader)}" is not a valid host name` };
  }
  const base = baseDomain.toLowerCase();
  if (host === base) {
    return {
      kind: 'not-a-tenant-host',
      reason: `${host} is the platform's base domain; open your workspace at <your-workspace>.${base}`,
    };
  }
  if (!host.endsWith(`.${base}`)) {
    return { kind: 'not-a-tenant-host', reason: `${host} is not a subdomain of ${base}` };
  }
  const label = host.slice(0, -(base.length + 1));
  if (label.includes('.')) {
    return {
      kind: 'not-a-tenant-host',
      reason: `${host} has more than one label before ${base}; tenant hosts look like <workspace>.${base}`,
    };
  }
  const check = checkTenantSlug(label);
  if (!check.ok) return { kind: 'unknown-tenant', label };
  return { kind: 'tenant', slug: check.slug };
}

/** Returns the host without its port, or undefined when the port is not a valid number. */
function stripPort(host: string): string | undefined {
  const colon = host.lastIndexOf(':');
  if (colon === -1) return host;
  const port = host.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  return host.slice(0, colon);
}

function stripTrailingDot(host: string | undefined): string | undefined {
  return host?.endsWith('.') ? host.slice(0, -1) : host;
}

function shorten(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
