import { setTimeout as delay } from 'node:timers/promises';
import { CliError } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath, type ControlPlaneClient } from '../control-plane/control-plane-client';
import { formatDuration } from '../output/format';
import { formatEventLine, moveDetail, type MoveEvent } from './move-view';
import { describeWave, formatComparison, formatVerdict, formatWindow, rolloutRests, rolloutView, type RolloutView, type TenantReport } from './rollout-view';

/** How often the rollout is read while it is followed. */
export const ROLLOUT_POLL_MS = 500;

export interface RolloutFollowOptions {
  /** The control plane's answer to the command: what it already says is not news. */
  started: RolloutView;
  /** Print the rollout's progress as it happens (on stderr, as moves print their steps). */
  show: boolean;
  timings?: { pollMs?: number };
}

/** How following ended. */
export type RolloutFollowEnd = { how: 'rested'; rollout: RolloutView } | { how: 'interrupted'; rollout: RolloutView | undefined };

const INTERRUPTED = Symbol('interrupted');

/**
 * Reads the rollout every `pollMs`, and while a tenant of it moves, that move too, printing
 * what happens (a wave starting, each tenant's health before, its move step by step, its move's
 * state, its verdict) until the rollout rests (halted, done, failed, rolled_back) or Ctrl-C:
 * that stops the following only, never the rollout, which goes on in the control plane.
 */
export async function followRollout(session: CliSession, client: Pick<ControlPlaneClient, 'get'>, options: RolloutFollowOptions): Promise<RolloutFollowEnd> {
  const pollMs = options.timings?.pollMs ?? ROLLOUT_POLL_MS;
  const id = options.started.id;
  const narrator = new RolloutNarrator(options.started);
  const live = new LiveLine(session, options.show);
  let stopFollowing = (): void => undefined;
  const interrupted = new Promise<typeof INTERRUPTED>((resolve) => {
    stopFollowing = session.onInterrupt(() => resolve(INTERRUPTED));
  });
  let last: RolloutView | undefined;

  try {
    for (;;) {
      const request = client.get(apiPath`/platform/rollouts/${id}`, rolloutView);
      request.catch(() => undefined); // when Ctrl-C wins the race below
      let polled: RolloutView | typeof INTERRUPTED;
      try {
        polled = await Promise.race([request, interrupted]);
      } catch (error) {
        live.clear();
        if (!(error instanceof CliError)) throw error;
        throw new CliError(`${error.message}, while following rollout ${id}`, {
          code: error.code,
          hint: `${error.hint === undefined ? '' : `${error.hint}; `}the rollout goes on in the control plane: \`saas rollouts show ${id}\` shows where it is`,
        });
      }
      if (polled === INTERRUPTED) return { how: 'interrupted', rollout: last };
      const rollout = polled;
      last = rollout;

      // The steps of the moves under way: only worth reading when they are shown.
      const steps = new Map<string, MoveEvent[]>();
      if (options.show) {
        const reads = narrator.movesToRead(rollout).map(async (moveId) => {
          // Best effort: the rollout's own state is what following is about.
          const move = await client.get(apiPath`/platform/moves/${moveId}`, moveDetail).catch(() => undefined);
          if (move !== undefined) steps.set(moveId, move.events);
        });
        if ((await Promise.race([Promise.all(reads), interrupted])) === INTERRUPTED) return { how: 'interrupted', rollout };
      }

      live.clear();
      for (const line of narrator.news(rollout, steps)) if (options.show) session.err.line(line);
      if (rolloutRests(rollout.state)) return { how: 'rested', rollout };

      live.running(narrator.phase(rollout));
      if ((await Promise.race([delay(pollMs), interrupted])) === INTERRUPTED) return { how: 'interrupted', rollout: last };
    }
  } finally {
    live.clear();
    stopFollowing();
  }
}

/**
 * Tells what changed between two reads of a rollout, a line each: a wave starting, and for each
 * of its tenants (in plan order) its health before, its move starting, the move's new steps, the
 * move's state, and the verdict on its health after. What the first read already said is no news.
 */
export class RolloutNarrator {
  private previous: RolloutView;
  /** Waves announced as they started. */
  private readonly announced = new Set<number>();
  /** Waves whose tenants have all moved and are being watched, or that passed, said once. */
  private readonly watchingAfter = new Set<number>();
  private readonly passed = new Set<number>();
  /** How many of each move's steps are shown already. */
  private readonly shownSteps = new Map<string, number>();
  /** Moves whose steps are all shown (the report has their state). */
  private readonly settled = new Set<string>();

  constructor(started: RolloutView) {
    this.previous = started;
    for (const entry of Object.values(started.report)) {
      // Moves that had rested before the command: their steps are old news.
      if (entry.moveId !== undefined && entry.moveState !== undefined) this.settled.add(entry.moveId);
    }
    // So are waves that had passed.
    for (const [wave, tenants] of started.plan.entries()) if (wavePassed(tenants.map((t) => started.report[t]))) this.passed.add(wave);
  }

  /** The moves whose steps may have news: those under way, and those that have just rested. */
  movesToRead(r: RolloutView): string[] {
    if (r.state === 'rolling_back') return [];
    return Object.values(r.report).flatMap((entry) => (entry.moveId !== undefined && !this.settled.has(entry.moveId) ? [entry.moveId] : []));
  }

  news(r: RolloutView, steps: ReadonlyMap<string, readonly MoveEvent[]>): string[] {
    const before = this.previous;
    const lines: string[] = [];
    const width = Math.max(0, ...r.plan.flat().map((tenant) => tenant.length));

    if (r.state === 'rolling_back' && before.state !== 'rolling_back') lines.push('Rolling back: every tenant it moved goes back to its old pool.');
    // Waves are announced while the rollout goes forward (or has just come to rest doing so), not while it goes back.
    const forward = r.state === 'running' || (before.state === 'running' && rolloutRests(r.state));
    for (const [wave, tenants] of r.plan.entries()) {
      const current = r.state === 'running' && wave === r.currentWave;
      const waveLines: string[] = [];
      const say = (tenant: string, text: string) => waveLines.push(`  ${tenant.padEnd(width)}  ${text}`);
      for (const tenant of tenants) {
        const was: TenantReport = before.report[tenant] ?? { wave };
        const now = r.report[tenant];
        if (now === undefined) continue;
        if (now.before !== undefined && was.before === undefined) say(tenant, `before: ${formatWindow(now.before)}`);
        if (now.moveId !== undefined && now.moveId !== was.moveId) say(tenant, `moving to ${r.pool} (move ${now.moveId})`);
        if (now.moveId !== undefined) for (const event of this.newSteps(now, steps.get(now.moveId))) waveLines.push(`  ${formatEventLine(event)}`);
        if (now.moveState !== undefined && now.moveState !== was.moveState) say(tenant, moveStateNews(now.moveState, r.pool));
        if (now.error !== undefined && now.error !== was.error) say(tenant, `could not move: ${now.error}`);
        if (now.verdict !== undefined && was.verdict === undefined) say(tenant, `${formatVerdict(now.verdict)} (${formatComparison(now)})`);
      }
      // A wave is announced as it starts, or, when it went by between two reads, before its news.
      if (forward && !this.announced.has(wave) && (current || waveLines.length > 0)) {
        this.announced.add(wave);
        lines.push(capitalize(describeWave(r, wave)));
        if (current && tenants.some((t) => r.report[t]?.before === undefined)) {
          lines.push(`  watching their traffic for ${formatDuration(r.policy.windowMs)}, then moving them one at a time`);
        }
      }
      lines.push(...waveLines);
      const entries = tenants.map((t) => r.report[t]);
      if (current && !this.watchingAfter.has(wave) && entries.every((e) => e?.moveState === 'switched' && e.verdict === undefined)) {
        this.watchingAfter.add(wave);
        lines.push(`  all moved; watching their traffic for ${formatDuration(r.policy.windowMs)} to judge them`);
      }
      if (!this.passed.has(wave) && wavePassed(entries)) {
        this.passed.add(wave);
        const unjudged = entries.filter((e) => e?.verdict?.judged === false).length;
        lines.push(`  wave ${wave + 1} passed: no regression${unjudged === 0 ? '' : ` (${unjudged} not judged: too little traffic)`}`);
      }
    }

    this.previous = r;
    return lines;
  }

  /** What the rollout is doing now, for the line redrawn on a terminal. */
  phase(r: RolloutView): string {
    if (r.state === 'rolling_back') return 'rolling back';
    const wave = r.currentWave;
    const tenants = r.plan[wave] ?? [];
    const moving = tenants.find((t) => r.report[t]?.moveId !== undefined && r.report[t]?.moveState === undefined && r.report[t]?.error === undefined);
    if (moving !== undefined) return `moving ${moving}`;
    if (tenants.some((t) => r.report[t]?.before === undefined)) return `watching wave ${wave + 1}'s traffic before its moves`;
    if (tenants.every((t) => r.report[t]?.moveState === 'switched')) return `watching wave ${wave + 1}'s traffic after its moves`;
    return `wave ${wave + 1}`;
  }

  private newSteps(entry: TenantReport, events: readonly MoveEvent[] | undefined): readonly MoveEvent[] {
    const moveId = entry.moveId;
    if (moveId === undefined || events === undefined) return [];
    // Steps are only ever appended; an older list (a control plane restored?) starts over.
    const shown = Math.min(this.shownSteps.get(moveId) ?? 0, events.length);
    this.shownSteps.set(moveId, events.length);
    if (entry.moveState !== undefined) this.settled.add(moveId);
    return events.slice(shown);
  }
}

/** Every tenant of the wave judged, none regressed (too little traffic to judge is no regression). */
const wavePassed = (entries: ReadonlyArray<TenantReport | undefined>): boolean =>
  entries.length > 0 && entries.every((e) => e?.verdict !== undefined && !e.verdict.regressed);

function moveStateNews(state: string, pool: string): string {
  switch (state) {
    case 'switched':
      return `on ${pool} now (move switched)`;
    case 'finalized':
      return `on ${pool} for good (move finalized)`;
    case 'rolled_back':
      return 'back on its old pool (move rolled back)';
    case 'failed':
      return 'move failed; it stays on its old pool';
    default:
      return `move ${state}`;
  }
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** On a terminal, a line redrawn in place saying what the rollout is doing, and for how long. */
class LiveLine {
  private drawn = false;
  private current: { what: string; since: number } | undefined;

  constructor(
    private readonly session: CliSession,
    private readonly show: boolean,
  ) {}

  running(what: string): void {
    if (!this.show || !this.session.err.color) return;
    if (this.current?.what !== what) this.current = { what, since: Date.now() };
    this.session.err.write(`\r\u001b[2K  … ${what}, ${formatDuration(Date.now() - this.current.since)} (Ctrl-C stops following, not the rollout)`);
    this.drawn = true;
  }

  clear(): void {
    if (!this.drawn) return;
    this.session.err.write('\r\u001b[2K');
    this.drawn = false;
  }
}
