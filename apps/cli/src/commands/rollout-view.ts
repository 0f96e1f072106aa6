import { z } from 'zod';
import { isRolloutState, type RolloutState } from '@mysaas/tenancy';
import { NONE, formatDuration, formatPercent, formatTimestamp } from '../output/format';
import type { Column } from '../output/table';

// The control plane's RolloutView (`/platform/rollouts`). Loose objects: fields a newer control
// plane adds pass through to --json. The state is any string, so that one this saas does not
// know yet is still shown (and taken as resting: nothing waits for it).
const healthWindow = z.looseObject({ requests: z.number(), errors: z.number(), seconds: z.number(), windowMs: z.number() });
const verdict = z.looseObject({ regressed: z.boolean(), judged: z.boolean(), reasons: z.array(z.string()) });
export const tenantReport = z.looseObject({
  wave: z.number(),
  moveId: z.string().optional(),
  moveState: z.string().optional(),
  before: healthWindow.optional(),
  after: healthWindow.optional(),
  verdict: verdict.optional(),
  error: z.string().optional(),
});
const policy = z.looseObject({
  windowMs: z.number(),
  minRequests: z.number(),
  maxErrorRateIncrease: z.number(),
  maxLatencyRatio: z.number(),
  minLatencyIncreaseMs: z.number(),
});
export const rolloutView = z.looseObject({
  id: z.string(),
  pool: z.string(),
  state: z.string(),
  waves: z.array(z.number()),
  canaries: z.array(z.string()),
  plan: z.array(z.array(z.string())),
  currentWave: z.number(),
  policy,
  report: z.record(z.string(), tenantReport),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export const rolloutList = z.looseObject({ rollouts: z.array(rolloutView) });

export type RolloutView = z.output<typeof rolloutView>;
export type TenantReport = z.output<typeof tenantReport>;
export type HealthWindow = z.output<typeof healthWindow>;
export type Verdict = z.output<typeof verdict>;

/** What each command drives a rollout to; it ends with exit code 0 only there. */
export type RolloutGoal = Extract<RolloutState, 'done' | 'rolled_back'>;

const RUNNING: readonly RolloutState[] = ['running', 'rolling_back'];

/**
 * Whether a rollout rests (halted, done, failed, rolled_back): nothing moves until someone asks.
 * A state this saas does not know counts as resting, so that nothing waits on it.
 */
export function rolloutRests(state: string): boolean {
  return !isRolloutState(state) || !RUNNING.includes(state);
}

/** Rollout ids are UUIDs, as move ids. */
export const ROLLOUT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ── Figures ──────────────────────────────────────────────────────────────────────────────

/** The 5xx share of a window; none without requests. */
export const errorRate = (w: HealthWindow | undefined): number | null => (w === undefined || w.requests === 0 ? null : w.errors / w.requests);
/** Mean time to answer in milliseconds; none without requests. */
export const meanLatencyMs = (w: HealthWindow | undefined): number | null => (w === undefined || w.requests === 0 ? null : (w.seconds / w.requests) * 1000);

const rate = (w: HealthWindow | undefined): string => {
  const r = errorRate(w);
  return r === null ? NONE : formatPercent(r);
};
const latency = (w: HealthWindow | undefined): string => {
  const ms = meanLatencyMs(w);
  return ms === null ? NONE : `${ms.toFixed(1)} ms`;
};
const requests = (w: HealthWindow | undefined): string => (w === undefined ? NONE : String(w.requests));
const beforeAfter = (e: TenantReport, show: (w: HealthWindow | undefined) => string): string =>
  e.before === undefined && e.after === undefined ? NONE : `${show(e.before)} → ${show(e.after)}`;

/** One window, as it reads in a line: `48 requests, 0% errors, mean 5.2 ms`. */
export function formatWindow(w: HealthWindow): string {
  return w.requests === 0 ? `no requests in ${formatDuration(w.windowMs)}` : `${w.requests} requests, ${rate(w)} errors, mean ${latency(w)}`;
}

/** Before and after, side by side: `errors 0% → 100%, mean latency 5.2 ms → 1.1 ms, requests 48 → 50`. */
export function formatComparison(e: TenantReport): string {
  return `errors ${beforeAfter(e, rate)}, mean latency ${beforeAfter(e, latency)}, requests ${beforeAfter(e, requests)}`;
}

/** A verdict in a few words: healthy, regressed: …, not judged: …. */
export function formatVerdict(v: Verdict | undefined): string {
  if (v === undefined) return NONE;
  if (v.regressed) return `regressed: ${v.reasons.join('; ')}`;
  if (!v.judged) return `not judged: ${v.reasons.join('; ') || 'no reason given'}`;
  return 'healthy';
}

/** Whether the tenant is on the rollout's pool now, as far as the report says. */
export function moved(e: TenantReport | undefined): string {
  if (e === undefined || e.moveId === undefined) return e?.error === undefined ? 'no' : 'no (failed)';
  switch (e.moveState) {
    case undefined:
      return e.error === undefined ? 'moving' : 'no (failed)';
    case 'switched':
    case 'finalized':
      return 'yes';
    case 'rolled_back':
      return 'back';
    default:
      return `no (${e.moveState})`;
  }
}

// ── The rollout as a whole ───────────────────────────────────────────────────────────────

const tenantCount = (r: RolloutView): number => r.plan.reduce((sum, wave) => sum + wave.length, 0);
const waveName = (r: RolloutView, wave: number): string => `wave ${wave + 1} of ${r.plan.length}`;

/** `3 tenants in 2 waves, canaries first (acme)`. */
export function describePlan(r: RolloutView): string {
  const n = tenantCount(r);
  const canaries = r.canaries.length === 0 ? '' : `, canaries first (${r.canaries.join(', ')})`;
  return `${n} tenant${n === 1 ? '' : 's'} in ${r.plan.length} wave${r.plan.length === 1 ? '' : 's'}${canaries}`;
}

/** A wave as it starts: `wave 2 of 3: globex, initech (5 of 6 tenants moved by its end)`. */
export function describeWave(r: RolloutView, wave: number): string {
  const tenants = r.plan[wave] ?? [];
  const upTo = r.plan.slice(0, wave + 1).reduce((sum, w) => sum + w.length, 0);
  const kind = wave === 0 && r.canaries.length > 0 ? ' (canaries)' : '';
  return `${waveName(r, wave)}${kind}: ${tenants.join(', ')} (${upTo} of ${tenantCount(r)} tenants moved by its end)`;
}

/** One sentence: where the rollout is. */
export function rolloutHeadline(r: RolloutView): string {
  const why = r.error ?? 'the control plane gave no reason';
  switch (r.state) {
    case 'running':
      return `Rollout ${r.id} to pool ${r.pool} is running: ${waveName(r, Math.min(r.currentWave, r.plan.length - 1))}.`;
    case 'halted':
      return `Rollout ${r.id} to pool ${r.pool} halted in ${waveName(r, Math.min(r.currentWave, r.plan.length - 1))}: ${why}.`;
    case 'done':
      return `Rollout ${r.id} is done: all ${tenantCount(r)} of its tenants are on pool ${r.pool}; their old schemas stay, write-protected, until their moves are finalized.`;
    case 'failed':
      return `Rollout ${r.id} to pool ${r.pool} failed: ${why}.`;
    case 'rolling_back':
      return `Rollout ${r.id} is rolling back: every tenant it moved to pool ${r.pool} goes back to its old pool.`;
    case 'rolled_back':
      return `Rollout ${r.id} is rolled back: every tenant it moved to pool ${r.pool} is on its old pool again.`;
    default:
      return `Rollout ${r.id} to pool ${r.pool} is ${r.state}.`;
  }
}

/** The regression policy in words: `window 30s; judged from 5 requests; a regression: errors +5 points, or mean latency ×2 and +50 ms`. */
export function describePolicy(p: RolloutView['policy']): string {
  return (
    `window ${formatDuration(p.windowMs)} before and after each move; judged from ${p.minRequests} request${p.minRequests === 1 ? '' : 's'}; ` +
    `a regression: errors up more than ${formatPercent(p.maxErrorRateIncrease)} (points), or mean latency ×${p.maxLatencyRatio} and +${p.minLatencyIncreaseMs} ms`
  );
}

export const rolloutFieldList = (r: RolloutView): Array<[string, string]> => [
  ['Rollout', r.id],
  ['Pool', r.pool],
  ['State', r.state],
  ['Plan', describePlan(r)],
  ['Waves', r.waves.map((w) => `${w}%`).join(', ')],
  ['Wave', r.state === 'done' ? `all ${r.plan.length} done` : `${Math.min(r.currentWave, r.plan.length - 1) + 1} of ${r.plan.length}`],
  ['Policy', describePolicy(r.policy)],
  ...(r.error === null ? [] : [['Error', r.error] as [string, string]]),
  ['Created', formatTimestamp(r.createdAt)],
  ['Updated', formatTimestamp(r.updatedAt)],
  ['Finished', formatTimestamp(r.finishedAt)],
];

/** A row of the report: a tenant of the plan, with what the report says of it (maybe nothing yet). */
export interface ReportRow {
  wave: number;
  tenant: string;
  entry: TenantReport | undefined;
}

/** Every tenant of the plan, wave by wave, canaries first. */
export function reportRows(r: RolloutView): ReportRow[] {
  return r.plan.flatMap((tenants, wave) => tenants.map((tenant) => ({ wave, tenant, entry: r.report[tenant] })));
}

export const REPORT_COLUMNS: Column<ReportRow>[] = [
  { header: 'WAVE', cell: (row) => String(row.wave + 1), align: 'right' },
  { header: 'TENANT', cell: (row) => row.tenant },
  { header: 'MOVED', cell: (row) => moved(row.entry) },
  { header: 'MOVE', cell: (row) => row.entry?.moveId ?? NONE },
  { header: 'ERRORS', cell: (row) => (row.entry === undefined ? NONE : beforeAfter(row.entry, rate)) },
  { header: 'MEAN LATENCY', cell: (row) => (row.entry === undefined ? NONE : beforeAfter(row.entry, latency)) },
  { header: 'REQUESTS', cell: (row) => (row.entry === undefined ? NONE : beforeAfter(row.entry, requests)) },
  { header: 'VERDICT', cell: (row) => (row.entry?.error === undefined ? formatVerdict(row.entry?.verdict) : `move failed: ${row.entry.error}`) },
];

export const ROLLOUT_COLUMNS: Column<RolloutView>[] = [
  { header: 'ID', cell: (r) => r.id },
  { header: 'POOL', cell: (r) => r.pool },
  { header: 'STATE', cell: (r) => r.state },
  { header: 'WAVE', cell: (r) => (r.state === 'done' ? `${r.plan.length}/${r.plan.length}` : `${Math.min(r.currentWave, r.plan.length - 1) + 1}/${r.plan.length}`), align: 'right' },
  { header: 'MOVED', cell: (r) => `${reportRows(r).filter((row) => moved(row.entry) === 'yes').length}/${tenantCount(r)}`, align: 'right' },
  { header: 'CANARIES', cell: (r) => (r.canaries.length === 0 ? NONE : r.canaries.join(', ')) },
  { header: 'CREATED', cell: (r) => formatTimestamp(r.createdAt) },
];

// ── What comes next ──────────────────────────────────────────────────────────────────────

/** Beyond this many moves, the finalize hint is one pipeline rather than a line per move. */
const FINALIZE_LINES = 5;

/** The moves a rollout made that now rest switched: each can be finalized. */
const switchedMoves = (r: RolloutView): Array<{ tenant: string; moveId: string }> =>
  reportRows(r).flatMap(({ tenant, entry }) => (entry?.moveId !== undefined && entry.moveState === 'switched' ? [{ tenant, moveId: entry.moveId }] : []));

/** Whether a halt came from rolling back (a tenant could not go back), not from a wave. */
const haltedRollingBack = (r: RolloutView): boolean =>
  r.error?.startsWith('rolling back') === true || Object.values(r.report).some((e) => e.moveState === 'rolled_back');

/** The commands that can come next, each with what it does. */
export function nextSteps(r: RolloutView): Array<[command: string, does: string]> {
  const rollback: [string, string] = [`saas rollouts rollback ${r.id}`, 'puts every tenant it moved back on its old pool'];
  const show: [string, string] = [`saas rollouts show ${r.id}`, 'shows where it is (it goes on in the control plane)'];
  switch (r.state) {
    case 'halted': {
      if (haltedRollingBack(r)) return [[`saas rollouts rollback ${r.id}`, 'tries the rollback again'], [`saas rollouts show ${r.id}`, 'shows which tenants are back']];
      const wave = Math.min(r.currentWave, r.plan.length - 1);
      const tenants = r.plan[wave] ?? [];
      const judged = tenants.length > 0 && tenants.every((t) => r.report[t]?.verdict !== undefined);
      const resume = judged
        ? `accepts ${waveName(r, wave)} as it is, and ${wave + 1 < r.plan.length ? `moves wave ${wave + 2}` : 'ends the rollout'}`
        : `tries ${waveName(r, wave)} again (its moved tenants stay moved)`;
      return [[`saas rollouts resume ${r.id}`, resume], rollback];
    }
    case 'done': {
      const moves = switchedMoves(r);
      const finalize: Array<[string, string]> =
        moves.length <= FINALIZE_LINES
          ? moves.map(({ tenant, moveId }) => [`saas moves finalize ${moveId}`, `drops ${tenant}'s old schema, for good`])
          : [[`saas rollouts show ${r.id} --json | jq -r '.report[].moveId // empty' | xargs -n1 saas moves finalize`, `drops the ${moves.length} old schemas, for good`]];
      return [...finalize, rollback];
    }
    case 'failed':
      return [rollback, [`saas rollouts show ${r.id}`, 'shows each tenant and its move']];
    default:
      return rolloutRests(r.state) ? [] : [show];
  }
}
