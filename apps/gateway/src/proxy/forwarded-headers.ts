import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { PLATFORM_HEADER_PREFIX } from '@mysaas/tenancy';

/** Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

function isHopByHop(name: string, connectionTokens: Set<string>): boolean {
  return HOP_BY_HOP.has(name) || connectionTokens.has(name);
}

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  return new Set((Array.isArray(value) ? value.join(',') : value ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/**
 * Headers for the upstream request: the client's, minus hop-by-hop headers, anything in
 * the platform's `x-mysaas-` namespace (only the gateway may speak there) and the cookies
 * named in `withoutCookies`, plus the X-Forwarded-* set the gateway determined: `for` is
 * the whole chain (the client's own X-Forwarded-For is kept only by the caller, and only
 * when it came from a trusted proxy).
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  forwarded: { for: string[]; proto: string; host: string | undefined },
  withoutCookies: readonly string[] = [],
): OutgoingHttpHeaders {
  const tokens = connectionTokens(incoming);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || isHopByHop(name, tokens) || name.startsWith(PLATFORM_HEADER_PREFIX)) continue;
    if (name === 'x-forwarded-for' || name === 'x-forwarded-proto' || name === 'x-forwarded-host') continue;
    if (name === 'cookie' && typeof value === 'string') {
      const kept = dropCookies(value, withoutCookies);
      if (kept !== '') headers.cookie = kept;
      continue;
    }
    headers[name] = value;
  }
  if (forwarded.for.length > 0) headers['x-forwarded-for'] = forwarded.for.join(', ');
  headers['x-forwarded-proto'] = forwarded.proto;
  if (forwarded.host !== undefined) headers['x-forwarded-host'] = forwarded.host;
  return headers;
}

/** The Cookie header without the named cookies (pairs are kept byte for byte otherwise). */
function dropCookies(header: string, names: readonly string[]): string {
  if (names.length === 0) return header;
  return header
    .split(';')
    .filter((pair) => {
      const name = pair.slice(0, pair.includes('=') ? pair.indexOf('=') : undefined).trim();
      return !names.includes(name);
    })
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .join('; ');
}

/**
 * Headers for the client's response: the upstream's, minus hop-by-hop headers and the
 * platform's own `x-mysaas-` headers (app servers talk to the gateway there, not to clients).
 */
export function clientResponseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const tokens = connectionTokens(incoming);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || isHopByHop(name, tokens) || name.startsWith(PLATFORM_HEADER_PREFIX)) continue;
    headers[name] = value;
  }
  return headers;
}
