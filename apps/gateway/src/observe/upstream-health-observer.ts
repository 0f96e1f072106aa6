import type { UpstreamState } from '../upstreams/upstream-health';

/** Why an upstream was taken out, for its log line. */
export interface UpstreamEjection {
  /** Failures in a row that led to it (1 for a failed trial). */
  failures: number;
  /** The last failure: `ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, `status 502`, … */
  reason: string;
  cooldownMs: number;
  /** True when its trial request failed (it had been out before). */
  afterTrial: boolean;
}

/**
 * Sees the pool members' health change (PoolMembers): metrics and log lines belong here. It is
 * called on transitions only, never per request. `upstream` is the member's origin
 * (`http://10.0.0.5:3201`): for operators only, never for a client's error body.
 */
export interface UpstreamHealthObserver {
  /** The member is now in `state`; called with `healthy` when the gateway first sees it. */
  state(pool: string, upstream: string, state: UpstreamState): void;
  /** Taken out of the rotation. */
  ejected(pool: string, upstream: string, ejection: UpstreamEjection): void;
  /** Back in the rotation after `outMs` out. */
  restored(pool: string, upstream: string, outMs: number): void;
  /** No longer used (gone from its pool's upstreams, or no traffic for long): its series go. */
  forgotten(pool: string, upstream: string): void;
}

/** Nest token of the UpstreamHealthObserver. */
export const UPSTREAM_HEALTH_OBSERVER = Symbol('UPSTREAM_HEALTH_OBSERVER');

export const IGNORE_UPSTREAM_HEALTH: UpstreamHealthObserver = {
  state: () => undefined,
  ejected: () => undefined,
  restored: () => undefined,
  forgotten: () => undefined,
};
