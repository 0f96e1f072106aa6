import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { safeRequestId } from '@mysaas/nest-http';
import { REQUEST_ID_HEADER } from '@mysaas/tenancy';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import { parseRequestTarget } from './request-target';

export type EdgeRequest =
  | { ok: true; requestId: string; path: string; query: string }
  | { ok: false; requestId: string; error: GatewayException };

/**
 * The first reading of every request, before anything routes it: its request id (the
 * client's when well-formed, else a new one), and a refusal when its Host or request target
 * could be read two ways. From here on the normalised path is the only one: the health
 * routes, the session rule and the upstream all see it.
 */
export function readEdgeRequest(req: IncomingMessage): EdgeRequest {
  const claimed = req.headers[REQUEST_ID_HEADER];
  const requestId = safeRequestId(typeof claimed === 'string' ? claimed : undefined, randomUUID());
  if (countHeader(req.rawHeaders, 'host') > 1) {
    // RFC 9110 §7.2: a server must answer 400 to a request with more than one Host.
    return { ok: false, requestId, error: new GatewayException(GatewayExceptionCode.HOST_DUPLICATED, 'the request has more than one Host header') };
  }
  const target = parseRequestTarget(req.url);
  if (!target.ok) return { ok: false, requestId, error: new GatewayException(GatewayExceptionCode.REQUEST_TARGET_INVALID, target.reason) };
  return { ok: true, requestId, path: target.path, query: target.query };
}

/** Health probes answer on any Host (load balancers do not send tenant hosts); Nest serves them. */
export function isHealthProbe(path: string): boolean {
  return /^\/(healthz|readyz)\/?$/i.test(path);
}

function countHeader(rawHeaders: string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const header = rawHeaders[i]!;
    if (header.length === name.length && header.toLowerCase() === name) count++;
  }
  return count;
}
