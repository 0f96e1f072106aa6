import type { IncomingHttpHeaders } from 'node:http';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests a browser sent from another origin. SameSite=Lax cookies do
 * not stop a page on globex.mysaas.com posting to acme.mysaas.com (same site), so the Origin
 * the browser attaches must be this very host.
 */
export function assertSameOrigin(method: string | undefined, headers: IncomingHttpHeaders): void {
  if (method === undefined || SAFE_METHODS.has(method)) return;
  const origin = headers.origin;
  const fetchSite = headers['sec-fetch-site'];
  if (origin === undefined) {
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') throw crossOrigin(fetchSite);
    return;
  }
  if (originHost(origin) !== headers.host?.toLowerCase()) throw crossOrigin(origin);
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function crossOrigin(from: string): GatewayException {
  return new GatewayException(
    GatewayExceptionCode.CROSS_ORIGIN_REQUEST,
    `a ${from} page may not change data on this workspace; submit the form from the workspace itself`,
  );
}
