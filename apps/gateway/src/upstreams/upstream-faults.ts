/**
 * What counts against a pool member (ADR 17). Only what the member itself must have caused:
 * a member no client or tenant can take out of the rotation for everyone else.
 */

/** Errors of connecting: nothing of the request left the gateway, whatever it carried. */
const CONNECT_FAILED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Errors of a connection lost before any answer. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Whether an error before any response is the member's fault. While a client's body streams
 * through, a lost connection or a late answer may be the client's doing (it reset, or sent
 * slowly), so then only a failure to connect counts.
 */
export function isUpstreamFault(code: string, streamsBody: boolean): boolean {
  return CONNECT_FAILED.has(code) || (!streamsBody && (CONNECTION_LOST.has(code) || code === 'UND_ERR_HEADERS_TIMEOUT'));
}

/**
 * Whether an answer counts as the member's failure: 502 and 504. The app servers never send
 * those themselves, so one comes from something in front of the process (a sidecar, a load
 * balancer) that could not reach it. A 503 is the app server's own, deliberate answer (a
 * tenant's statement timeout, its database unreachable, a full code space, overload): the
 * member is alive and answering, and ejecting it would let one tenant's requests, or one
 * overloaded moment, take members out for every tenant.
 */
export function isFailureStatus(status: number): boolean {
  return status === 502 || status === 504;
}
