import { performance } from 'node:perf_hooks';
import type { UpstreamOrigin } from '@mysaas/tenancy';
import type { UpstreamHealthObserver } from '../observe/upstream-health-observer';
import { isFailureStatus } from './upstream-faults';
import { UpstreamHealth, type UpstreamHealthSettings } from './upstream-health';

/** A member not sent a request for this long is forgotten (unless cool-downs are longer). */
const FORGET_AFTER_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 60_000;

interface PoolState {
  members: Map<string, UpstreamHealth>;
  /** Round-robin position. */
  next: number;
}

/**
 * The gateway's view of each pool's app servers: it spreads requests round-robin over the
 * members in the rotation, and keeps each member's health from the outcomes it is told
 * (passive health checking, ADR 17). A member that fails `failuresToEject` times in a row is
 * out for a cool-down, then gets one trial request: one that can be sent again, so a failed
 * trial costs its client nothing while another member answers. A pool whose members are all
 * out is not refused: its least recently failed member is tried anyway.
 *
 * Per request: one `pick` (a map look-up per member looked at, no allocation) and one outcome.
 */
export class PoolMembers {
  private readonly pools = new Map<string, PoolState>();
  private readonly forgetAfterMs: number;
  private nextSweep: number;

  constructor(
    private readonly settings: UpstreamHealthSettings,
    private readonly observer: UpstreamHealthObserver,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.forgetAfterMs = Math.max(FORGET_AFTER_MS, 2 * settings.ejectMaxMs);
    this.nextSweep = now() + SWEEP_EVERY_MS;
  }

  /**
   * The member to send a request of `pool` to: the next in the rotation, or when all are out
   * the least recently failed. `resendable`: the request could go to another member if this one
   * fails (only such a request is a trial while another member is in the rotation). `tried` (a
   * retry) are passed over. Undefined when none is left.
   */
  pick(pool: string, upstreams: readonly UpstreamOrigin[], resendable: boolean, tried?: readonly UpstreamHealth[]): UpstreamHealth | undefined {
    const count = upstreams.length;
    if (count === 0) return undefined;
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    const state = this.poolState(pool);
    const start = state.next % count;
    for (let i = 0; i < count; i++) {
      const index = start + i < count ? start + i : start + i - count;
      const member = this.member(state, pool, upstreams[index]!);
      if (!member.available(now) || (!resendable && member.state !== 'healthy') || tried?.includes(member)) continue;
      state.next = index + 1;
      return this.send(member, now);
    }
    // Every member is out: refusing would answer 503 for nothing, so try one anyway.
    let best: UpstreamHealth | undefined;
    for (const upstream of upstreams) {
      const member = this.member(state, pool, upstream);
      if (tried?.includes(member)) continue;
      if (best === undefined || member.lastFailureAt < best.lastFailureAt) best = member;
    }
    return best === undefined ? undefined : this.send(best, now);
  }

  /** The member answered with `status` (its final one): 502 and 504 count as failures, anything else as a success. */
  answered(member: UpstreamHealth, status: number): void {
    if (isFailureStatus(status)) return this.failed(member, `status ${status}`);
    const now = this.now();
    if (!member.succeeded(now)) return;
    this.observer.state(member.pool, member.upstream.origin, member.state);
    this.observer.restored(member.pool, member.upstream.origin, now - member.ejectedAt);
  }

  /** The member could not answer: refused, lost the connection, or was too slow. */
  failed(member: UpstreamHealth, reason: string): void {
    const afterTrial = member.state === 'half_open';
    if (!member.failed(this.now(), reason)) return;
    this.observer.state(member.pool, member.upstream.origin, member.state);
    this.observer.ejected(member.pool, member.upstream.origin, {
      failures: afterTrial ? 1 : member.failures,
      reason,
      cooldownMs: member.cooldownMs,
      afterTrial,
    });
  }

  /** The request ended with no verdict on the member (the client left first, its body was refused). */
  abandoned(member: UpstreamHealth): void {
    if (member.abandoned()) this.observer.state(member.pool, member.upstream.origin, member.state);
  }

  private send(member: UpstreamHealth, now: number): UpstreamHealth {
    if (member.sent(now)) this.observer.state(member.pool, member.upstream.origin, member.state);
    return member;
  }

  private poolState(pool: string): PoolState {
    let state = this.pools.get(pool);
    if (state === undefined) {
      state = { members: new Map(), next: 0 };
      this.pools.set(pool, state);
    }
    return state;
  }

  private member(state: PoolState, pool: string, upstream: UpstreamOrigin): UpstreamHealth {
    let member = state.members.get(upstream.origin);
    if (member === undefined) {
      member = new UpstreamHealth(pool, upstream, this.settings);
      member.lastSentAt = this.now();
      state.members.set(upstream.origin, member);
      this.observer.state(pool, upstream.origin, member.state);
    }
    return member;
  }

  /**
   * Forgets members nothing was sent to for long: an upstream removed from its pool would
   * otherwise be reported (and kept) forever. One that comes back starts healthy.
   */
  private sweep(now: number): void {
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [pool, state] of this.pools) {
      for (const [origin, member] of state.members) {
        if (now - member.lastSentAt < this.forgetAfterMs) continue;
        state.members.delete(origin);
        this.observer.forgotten(pool, origin);
      }
      if (state.members.size === 0) this.pools.delete(pool);
    }
  }
}
