import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { PLATFORM_HEADER_PREFIX, REQUEST_ID_HEADER } from '@mysaas/tenancy';
import type { HeaderList } from '../edge/security-headers';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
 * `expect` too: the gateway has already answered a client's 100-continue itself.
 */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect',
]);
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/** Extra hop-by-hop names a Connection header lists (rare: usually it says only keep-alive or close). */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const tokens = (Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase());
  const named = tokens.filter((t) => t !== '' && t !== 'keep-alive' && t !== 'close');
  return named.length === 0 ? undefined : new Set(named);
}

/** What the gateway determined about where a request came from (see `forwardedFacts`). */
export interface Forwarded {
  /** The X-Forwarded-For chain to send on: trusted proxies' chain, then the peer. */
  for: string[];
  /** `http` or `https`, as Express's `req.protocol` would say. */
  proto: string;
  host: string | undefined;
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
  forwarded: Forwarded,
  withoutCookies: readonly string[] = [],
): Record<string, string | string[]> {
  const tokens = connectionTokens(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || tokens?.has(name) === true || FORWARDED.has(name) || name.startsWith(PLATFORM_HEADER_PREFIX)) continue;
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
  if (names.length === 0 || !names.some((name) => header.includes(name))) return header;
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
 * The client's response head, as a flat [name, value, …] list for `writeHead`: the upstream's
 * headers minus hop-by-hop ones and the platform's own `x-mysaas-` headers (app servers talk
 * to the gateway there, not to clients), every Set-Cookie kept; then each of the platform's
 * security headers the upstream did not set itself (a page's own CSP wins); then the request id.
 */
export function clientResponseHeaders(upstream: IncomingHttpHeaders, defaults: HeaderList, requestId: string): string[] {
  const tokens = connectionTokens(upstream.connection);
  const out: string[] = [];
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name) || tokens?.has(name) === true || name.startsWith(PLATFORM_HEADER_PREFIX) || name === REQUEST_ID_HEADER) continue;
    if (Array.isArray(value)) for (const one of value) out.push(name, one);
    else out.push(name, value);
  }
  for (const [name, value] of defaults) if (upstream[name] === undefined) out.push(name, value);
  out.push(REQUEST_ID_HEADER, requestId);
  return out;
}

/** Whether a peer (and the hops before it) may tell where a request came from: TRUST_PROXY, compiled by Express. */
export type TrustProxy = (address: string, hop: number) => boolean;

export interface ForwardedFacts {
  /** As Express's req.protocol: X-Forwarded-Proto counts only from a trusted peer. */
  proto: 'http' | 'https' | string;
  secure: boolean;
  /** As Express's req.ip (proxy-addr): the nearest address that is not a trusted proxy. */
  clientAddress: string | undefined;
  /** The X-Forwarded-For chain to send on. */
  chain: string[];
}

/**
 * Where a request came from, read as Express reads it with `trust proxy`, so `TRUST_PROXY`
 * means the same on the raw proxy path as in the Nest app: a client that is not a trusted
 * proxy cannot make the app servers believe it is somewhere else, or on https.
 */
export function forwardedFacts(req: IncomingMessage, trust: TrustProxy): ForwardedFacts {
  const peer = req.socket.remoteAddress;
  const ownProto = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  const prior = req.headers['x-forwarded-for'];
  if (peer === undefined) return { proto: ownProto, secure: ownProto === 'https', clientAddress: undefined, chain: [] };
  if (!trust(peer, 0)) return { proto: ownProto, secure: ownProto === 'https', clientAddress: peer, chain: [peer] };
  const claimedProto = req.headers['x-forwarded-proto'];
  const proto = typeof claimedProto === 'string' && claimedProto !== '' ? claimedProto.split(',', 1)[0]!.trim() : ownProto;
  const priorChain = typeof prior === 'string' ? prior.split(',').map((part) => part.trim()).filter((part) => part !== '') : [];
  // proxy-addr: from the peer outwards, the first address that is not trusted is the client's.
  const outwards = [peer, ...[...priorChain].reverse()];
  let clientAddress = outwards[outwards.length - 1];
  for (let hop = 0; hop < outwards.length - 1; hop++) {
    if (!trust(outwards[hop]!, hop)) {
      clientAddress = outwards[hop];
      break;
    }
  }
  return { proto, secure: proto === 'https', clientAddress, chain: [...priorChain, peer] };
}
