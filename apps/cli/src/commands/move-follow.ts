import { setTimeout as delay } from 'node:timers/promises';
import { CliError } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath, type ControlPlaneClient } from '../control-plane/control-plane-client';
import { formatDuration } from '../output/format';
import { formatEventLine, moveDetail, moveRests, type MoveDetail, type MoveEvent, type MoveView } from './move-view';

/** How often the move is read while it is followed. */
export const POLL_MS = 250;
/**
 * A running move whose last step failed, with no step done since this long: a failed finalize
 * or abandon stays in its state, the control plane trying it again every few seconds.
 */
export const STALL_MS = 10_000;
/** A command answered with a resting move (a failed move resumed) that has not changed since this long. */
export const UNCHANGED_MS = 15_000;

export interface FollowTimings {
  pollMs: number;
  stallMs: number;
  unchangedMs: number;
}

const DEFAULT_TIMINGS: FollowTimings = { pollMs: POLL_MS, stallMs: STALL_MS, unchangedMs: UNCHANGED_MS };

export interface FollowOptions {
  /** The move before the command changed it; none for a new move (all its steps are news). */
  before?: MoveDetail;
  /** The control plane's answer to the command. */
  started: MoveView;
  /** The state the command drives the move to: reaching it counts as progress even with nothing else new. */
  goal: string;
  /** Print each step as it happens (on stderr, as `saas migrate` does its progress). */
  show: boolean;
  timings?: Partial<FollowTimings>;
}

/** How following ended. */
export type FollowEnd =
  | { how: 'rested'; move: MoveDetail }
  /** Still in a running state, but its last step failed and no step got done since. */
  | { how: 'stalled'; move: MoveDetail; failure: MoveEvent }
  /** The command's answer was a resting move, and it has not moved since. */
  | { how: 'unchanged'; move: MoveDetail }
  | { how: 'interrupted'; move: MoveDetail | undefined };

const INTERRUPTED = Symbol('interrupted');

/**
 * Reads the move every `pollMs` and prints each new step as it happens, until the move rests
 * (switched, failed, finalized, rolled_back) with no step under way, or stalls, or Ctrl-C:
 * that stops the following only, never the move, which goes on in the control plane.
 */
export async function followMove(session: CliSession, client: Pick<ControlPlaneClient, 'get'>, options: FollowOptions): Promise<FollowEnd> {
  const { pollMs, stallMs, unchangedMs } = { ...DEFAULT_TIMINGS, ...options.timings };
  const { before, started } = options;
  const id = started.id;
  const live = new LiveLine(session, options.show);
  let stopFollowing = (): void => undefined;
  const interrupted = new Promise<typeof INTERRUPTED>((resolve) => {
    stopFollowing = session.onInterrupt(() => resolve(INTERRUPTED));
  });

  let shown = before?.events.length ?? 0;
  const changedSinceBefore = (m: MoveView, events: number): boolean =>
    before === undefined || m.state !== before.state || m.updatedAt !== before.updatedAt || events > before.events.length;
  let progressed = changedSinceBefore(started, 0) || !moveRests(started.state) || started.state === options.goal;
  const since = Date.now();
  /** When a step last got done or the state last changed. */
  let lastProgress = { state: started.state, at: since };
  let last: MoveDetail | undefined;

  try {
    for (;;) {
      const request = client.get(apiPath`/platform/moves/${id}`, moveDetail);
      request.catch(() => undefined); // when Ctrl-C wins the race below
      let polled: MoveDetail | typeof INTERRUPTED;
      try {
        polled = await Promise.race([request, interrupted]);
      } catch (error) {
        live.clear();
        if (!(error instanceof CliError)) throw error;
        throw new CliError(`${error.message}, while following move ${id}`, {
          code: error.code,
          hint: `${error.hint === undefined ? '' : `${error.hint}; `}the move goes on in the control plane: \`saas moves show ${id}\` shows where it is`,
        });
      }
      if (polled === INTERRUPTED) return { how: 'interrupted', move: last };
      const move = polled;
      last = move;

      // Steps are only ever appended; an older list (a control plane restored?) starts over.
      if (move.events.length < shown) shown = 0;
      const news = move.events.slice(shown);
      shown = move.events.length;
      live.clear();
      for (const event of news) live.event(event);

      const now = Date.now();
      if (move.state !== lastProgress.state || news.some((event) => event.outcome === 'done')) lastProgress = { state: move.state, at: now };
      progressed ||= changedSinceBefore(move, move.events.length);

      const lastEvent = move.events.at(-1);
      // A resting move may still have a step under way (a rollback drops the copy on the new
      // pool once the tenant is back): it ends with that step, or once that step stops moving.
      const stepUnderWay = lastEvent?.outcome === 'started' && now - lastProgress.at < stallMs;
      if (progressed && moveRests(move.state) && !stepUnderWay) return { how: 'rested', move };
      if (!progressed && now - since >= unchangedMs) return { how: 'unchanged', move };
      if (!moveRests(move.state) && lastEvent?.outcome === 'failed' && now - lastProgress.at >= stallMs) {
        return { how: 'stalled', move, failure: lastEvent };
      }

      live.running(move.state, lastEvent);
      if ((await Promise.race([delay(pollMs), interrupted])) === INTERRUPTED) return { how: 'interrupted', move: last };
    }
  } finally {
    live.clear();
    stopFollowing();
  }
}

/**
 * The steps as they happen, a line each on stderr; on a terminal, also a line redrawn in place
 * saying how long the step under way has been running (a copy can take minutes).
 */
class LiveLine {
  private drawn = false;
  private current: { step: string; since: number } | undefined;

  constructor(
    private readonly session: CliSession,
    private readonly show: boolean,
  ) {}

  event(event: MoveEvent): void {
    if (!this.show) return;
    this.session.err.line(formatEventLine(event));
    this.current = event.outcome === 'started' ? { step: event.step, since: Date.now() } : undefined;
  }

  running(state: string, lastEvent: MoveEvent | undefined): void {
    if (!this.show || !this.session.err.color || moveRests(state)) return;
    const step = lastEvent?.outcome === 'started' && this.current?.step === lastEvent.step ? this.current : undefined;
    const what = step === undefined ? state : `${step.step}, ${formatDuration(Date.now() - step.since)}`;
    this.session.err.write(`\r\u001b[2K  … ${what} (Ctrl-C stops following, not the move)`);
    this.drawn = true;
  }

  clear(): void {
    if (!this.drawn) return;
    this.session.err.write('\r\u001b[2K');
    this.drawn = false;
  }
}
