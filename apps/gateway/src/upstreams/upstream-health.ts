import type { UpstreamOrigin } from '@mysaas/tenancy';

/**
 * healthy: in the rotation. ejected: out of it until its cool-down ends. half_open: the
 * cool-down ended and one trial request is on its way; its outcome decides.
 */
export type UpstreamState = 'healthy' | 'ejected' | 'half_open';

export interface UpstreamHealthSettings {
  /** Failures in a row that take a healthy upstream out. */
  failuresToEject: number;
  /** The first cool-down; each ejection that follows without a lasting recovery doubles it. */
  ejectMs: number;
  /** The longest cool-down; also how long an upstream must stay healthy for the doubling to start over. */
  ejectMaxMs: number;
}

/**
 * One pool member's health, judged from real traffic only (passive): no probes of its own.
 * Times are milliseconds from any monotonic clock the caller reads; nothing here reads one,
 * so the state machine is tested with plain numbers. Each method says whether the state
 * changed, so callers report (log, metrics) on transitions only and the common path, a
 * success on a healthy upstream, costs two field writes.
 */
export class UpstreamHealth {
  state: UpstreamState = 'healthy';
  /** Failures since the last success. */
  failures = 0;
  /** Ejections since the last lasting recovery: sets the next cool-down. */
  ejections = 0;
  /** The current (or last) cool-down, and when it ends. */
  cooldownMs = 0;
  private until = 0;
  ejectedAt = 0;
  private restoredAt = Number.NEGATIVE_INFINITY;
  /** When it last failed, to try the least recently failed first when every member is out. */
  lastFailureAt = Number.NEGATIVE_INFINITY;
  /** What the last failure was (`ECONNREFUSED`, `status 502`, …), for the ejection's log line. */
  lastFailure = '';
  /** When a request was last sent to it: a member unused for long is forgotten. */
  lastSentAt = 0;

  constructor(
    readonly pool: string,
    readonly upstream: UpstreamOrigin,
    private readonly settings: UpstreamHealthSettings,
  ) {}

  /** May the rotation send it a request now? Healthy, or out with its cool-down over (that request is the trial). */
  available(now: number): boolean {
    return this.state === 'healthy' || (this.state === 'ejected' && now >= this.until);
  }

  /** A request is sent to it; true when that request is its trial (ejected → half_open). */
  sent(now: number): boolean {
    this.lastSentAt = now;
    if (this.state !== 'ejected' || now < this.until) return false;
    this.state = 'half_open';
    return true;
  }

  /** It answered; true when that brings it back (from ejected or half_open). */
  succeeded(now: number): boolean {
    this.failures = 0;
    if (this.state === 'healthy') return false;
    this.state = 'healthy';
    this.restoredAt = now;
    return true;
  }

  /**
   * It failed; true when that ejects it: the Nth failure in a row of a healthy upstream, or
   * any failure while on trial. A failure while already out (a request sent to it because
   * every member was out) changes nothing but the failure's time.
   */
  failed(now: number, reason: string): boolean {
    this.failures++;
    this.lastFailureAt = now;
    this.lastFailure = reason;
    if (this.state === 'ejected' || (this.state === 'healthy' && this.failures < this.settings.failuresToEject)) return false;
    const { ejectMs, ejectMaxMs } = this.settings;
    // Healthy for a whole maximum cool-down: the doubling starts over; a flapping one keeps its backoff.
    if (this.state === 'healthy' && now - this.restoredAt >= ejectMaxMs) this.ejections = 0;
    this.ejections++;
    this.cooldownMs = Math.min(ejectMs * 2 ** Math.min(this.ejections - 1, 30), ejectMaxMs);
    this.state = 'ejected';
    this.ejectedAt = now;
    this.until = now + this.cooldownMs;
    return true;
  }

  /**
   * A request sent to it ended with no verdict on it (the client left, its body was too large):
   * true when that was the trial, which then goes to the next request instead.
   */
  abandoned(): boolean {
    if (this.state !== 'half_open') return false;
    this.state = 'ejected';
    return true;
  }
}
