/**
 * An upstream is where a pool's app server listens: a scheme, a host and a port, nothing
 * else. The control plane refuses anything more when a pool is registered, and the gateway
 * parses upstreams with this same rule, so where a request goes is decided by the pool alone.
 */
export interface UpstreamOrigin {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** `http://10.0.0.5:3201`: the canonical spelling. */
  origin: string;
}

export type UpstreamCheck = { ok: true; upstream: UpstreamOrigin } | { ok: false; reason: string };

export function checkUpstream(input: unknown): UpstreamCheck {
  if (typeof input !== 'string' || input === '') return { ok: false, reason: 'an upstream must be a URL such as http://10.0.0.5:3201' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: `upstream "${input.slice(0, 100)}" is not a URL; use one such as http://10.0.0.5:3201` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `upstream ${url.origin} must use http or https` };
  }
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    // url.origin, not the input: the input may carry a password.
    return { ok: false, reason: `upstream ${url.origin} must be only scheme, host and port (no user, path, query or fragment)` };
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { ok: true, upstream: { protocol: url.protocol, hostname: url.hostname, port, origin: `${url.protocol}//${url.host}` } };
}

export function parseUpstream(input: string): UpstreamOrigin {
  const check = checkUpstream(input);
  if (!check.ok) throw new Error(check.reason);
  return check.upstream;
}
