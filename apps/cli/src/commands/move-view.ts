import { z } from 'zod';
import { MOVE_RUNNING_STATES, isMoveState } from '@mysaas/tenancy';
import { NONE, formatCount, formatMs, formatTimestamp } from '../output/format';
import type { Column } from '../output/table';

// The control plane's MoveView (`/platform/moves`). Loose objects: fields a newer control plane
// adds pass through to --json. The state is any string, so that one this saas does not know yet
// is still shown (and taken as resting: nothing waits for it).
const moveFields = {
  id: z.string(),
  tenant: z.string(),
  from: z.string(),
  to: z.string(),
  fromRelease: z.number(),
  toRelease: z.number(),
  state: z.string(),
  method: z.string().nullable(),
  rowsCopied: z.number().nullable(),
  copyMs: z.number().nullable(),
  cutoverPauseMs: z.number().nullable(),
  attempts: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  switchedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
};
export const moveEvent = z.looseObject({
  at: z.string(),
  step: z.string(),
  outcome: z.string(),
  ms: z.number().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const moveView = z.looseObject(moveFields);
/** `GET /platform/moves/:id`: the move and its steps, in order. */
export const moveDetail = z.looseObject({ ...moveFields, events: z.array(moveEvent) });
export const moveList = z.looseObject({ moves: z.array(moveView) });

export type MoveView = z.output<typeof moveView>;
export type MoveDetail = z.output<typeof moveDetail>;
export type MoveEvent = z.output<typeof moveEvent>;

/** What each command drives a move to; it ends with exit code 0 only there. */
export type MoveGoal = 'switched' | 'rolled_back' | 'finalized';

/**
 * Whether a move rests (switched, failed, finalized, rolled_back): no mover works on it until
 * someone asks. A state this saas does not know counts as resting, so that nothing waits on it.
 */
export function moveRests(state: string): boolean {
  return !isMoveState(state) || !MOVE_RUNNING_STATES.includes(state);
}

/** A switched move can go back only to a pool at most one release older (expand/contract). */
export const canRollBack = (m: MoveView): boolean => !(m.state === 'switched' && m.toRelease > m.fromRelease + 1);

/** One sentence: where the tenant is, given the move's state. */
export function moveHeadline(m: MoveView): string {
  switch (m.state) {
    case 'copying':
    case 'syncing':
    case 'cutover':
      return `Move ${m.id} of tenant ${m.tenant} from pool ${m.from} to ${m.to} is ${m.state === 'cutover' ? 'cutting over' : m.state}.`;
    case 'switched':
      return m.error === null
        ? `Tenant ${m.tenant} is on pool ${m.to} now (move ${m.id}, switched); its old schema on ${m.from} stays, write-protected, until the move is finalized or rolled back.`
        : `Tenant ${m.tenant} is still on pool ${m.to} (move ${m.id}, switched): ${m.error}.`;
    case 'finalizing':
      return `Move ${m.id} is finalizing: tenant ${m.tenant}'s old schema on ${m.from} is being dropped.`;
    case 'finalized':
      return `Move ${m.id} is finalized: tenant ${m.tenant} is on pool ${m.to} for good; its old schema on ${m.from} is dropped.`;
    case 'failed':
      return `Move ${m.id} of tenant ${m.tenant} to pool ${m.to} failed; the tenant is still on ${m.from}, untouched.`;
    case 'rolling_back':
      return `Move ${m.id} is rolling back: tenant ${m.tenant} goes back to pool ${m.from}.`;
    case 'rolled_back':
      return `Move ${m.id} is rolled back: tenant ${m.tenant} is on pool ${m.from} again.`;
    default:
      return `Move ${m.id} of tenant ${m.tenant} from pool ${m.from} to ${m.to} is ${m.state}.`;
  }
}

export const moveFieldList = (m: MoveView): Array<[string, string]> => [
  ['Move', m.id],
  ['Tenant', m.tenant],
  ['From', `${m.from} (release ${m.fromRelease})`],
  ['To', `${m.to} (release ${m.toRelease})`],
  ['State', m.state],
  ['Method', m.method ?? NONE],
  ['Rows copied', formatCount(m.rowsCopied)],
  ['Copy time', formatMs(m.copyMs)],
  ['Cutover pause', formatMs(m.cutoverPauseMs)],
  ['Attempts', String(m.attempts)],
  ...(m.error === null ? [] : [['Error', m.error] as [string, string]]),
  ['Created', formatTimestamp(m.createdAt)],
  ['Switched', formatTimestamp(m.switchedAt)],
  ['Finished', formatTimestamp(m.finishedAt)],
];

/** The commands that can come next, each with what it does. */
export function nextSteps(m: MoveView): Array<[command: string, does: string]> {
  const rollback: [string, string] = [`saas moves rollback ${m.id}`, `puts ${m.tenant} back on ${m.from}`];
  switch (m.state) {
    case 'switched':
      return [[`saas moves finalize ${m.id}`, `drops the old schema on ${m.from}, for good`], ...(canRollBack(m) ? [rollback] : [])];
    case 'failed':
      return [
        [`saas moves resume ${m.id}`, 'tries again (the copy starts over)'],
        [`saas moves rollback ${m.id}`, `gives the move up (drops what it made on ${m.to})`],
      ];
    default:
      return moveRests(m.state) ? [] : [[`saas moves show ${m.id}`, 'shows where it is (it goes on in the control plane)']];
  }
}

export function formatNextSteps(steps: ReadonlyArray<readonly [string, string]>): string {
  if (steps.length === 0) return '';
  const width = Math.max(...steps.map(([command]) => command.length));
  return `Next:\n${steps.map(([command, does]) => `  ${command.padEnd(width)}   ${does}`).join('\n')}\n`;
}

// ── Steps ───────────────────────────────────────────────────────────────────────────────

/** The longest step name the mover records (`hold-requests`), so that outcomes line up. */
const STEP_WIDTH = 13;
const OUTCOME_WIDTH = 7;
const TIME_WIDTH = 9;

/** A step as it happens: `  copy           done      1,234 ms  rows=10,000`. */
export function formatEventLine(e: MoveEvent): string {
  const time = e.ms === null ? '' : formatMs(e.ms);
  return `  ${e.step.padEnd(STEP_WIDTH)}  ${e.outcome.padEnd(OUTCOME_WIDTH)}  ${time.padStart(TIME_WIDTH)}  ${formatDetails(e)}`.trimEnd();
}

/** A step's figures as `key=value`, numbers grouped; its `ms` is the step's time, shown already. */
export function formatDetails(e: Pick<MoveEvent, 'details' | 'ms'>): string {
  return Object.entries(e.details)
    .filter(([key]) => !(key === 'ms' && e.ms !== null))
    .map(([key, value]) => `${key}=${formatDetail(value)}`)
    .join(' ');
}

function formatDetail(value: unknown): string {
  if (typeof value === 'number') return formatCount(value);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export const EVENT_COLUMNS: Column<MoveEvent>[] = [
  { header: 'AT', cell: (e) => formatTimestamp(e.at) },
  { header: 'STEP', cell: (e) => e.step },
  { header: 'OUTCOME', cell: (e) => e.outcome },
  { header: 'TIME', cell: (e) => (e.ms === null ? '' : formatMs(e.ms)), align: 'right' },
  { header: 'DETAILS', cell: (e) => formatDetails(e) },
];

export const MOVE_COLUMNS: Column<MoveView>[] = [
  { header: 'ID', cell: (m) => m.id },
  { header: 'TENANT', cell: (m) => m.tenant },
  { header: 'FROM → TO', cell: (m) => `${m.from} → ${m.to}` },
  { header: 'STATE', cell: (m) => m.state },
  { header: 'METHOD', cell: (m) => m.method ?? NONE },
  { header: 'ROWS', cell: (m) => formatCount(m.rowsCopied), align: 'right' },
  { header: 'PAUSE MS', cell: (m) => formatCount(m.cutoverPauseMs), align: 'right' },
  { header: 'CREATED', cell: (m) => formatTimestamp(m.createdAt) },
];
