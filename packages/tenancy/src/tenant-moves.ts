/**
 * A tenant move's lifecycle (docs/adr/0018-live-tenant-moves.md). The control plane records
 * it, the mover drives it, the CLI shows it; one definition so they agree on every name.
 *
 *   copying ─▶ syncing ─▶ cutover ─▶ switched ─▶ finalizing ─▶ finalized
 *      │          │          │          │
 *      └──────────┴──────────┴─▶ failed ┴─▶ rolling_back ─▶ rolled_back
 *
 * `failed` keeps the tenant on its old pool (a cutover that fails is undone before the move
 * is marked failed); it can be resumed or rolled back. `switched` serves the tenant from the
 * new pool while the old schema stays, write-protected, until it is finalized or rolled back.
 */
export const MOVE_STATES = [
  'copying',
  'syncing',
  'cutover',
  'switched',
  'finalizing',
  'finalized',
  'failed',
  'rolling_back',
  'rolled_back',
] as const;
export type MoveState = (typeof MOVE_STATES)[number];

/** The states a move ends in: only these let the tenant be moved again. */
export const MOVE_CLOSED_STATES: readonly MoveState[] = ['finalized', 'rolled_back'];

/** States in which a mover is (or should be) working: a mover that died in one is resumed. */
export const MOVE_RUNNING_STATES: readonly MoveState[] = ['copying', 'syncing', 'cutover', 'finalizing', 'rolling_back'];

export function isMoveState(value: unknown): value is MoveState {
  return (MOVE_STATES as readonly unknown[]).includes(value);
}

export function isMoveClosed(state: MoveState): boolean {
  return MOVE_CLOSED_STATES.includes(state);
}

/**
 * How the live copy catches up: `logical` streams the changes made during the copy through
 * logical replication (the source server has wal_level=logical) and holds requests only for
 * the last of them; `blocking` copies everything while the tenant's requests are held.
 */
export const MOVE_METHODS = ['logical', 'blocking'] as const;
export type MoveMethod = (typeof MOVE_METHODS)[number];

/**
 * A rollout's lifecycle: `running` moves wave after wave; `halted` stopped on a regression (or
 * a failed move) and waits to be resumed or rolled back; `done` moved every wave.
 */
export const ROLLOUT_STATES = ['running', 'halted', 'done', 'failed', 'rolling_back', 'rolled_back'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export function isRolloutState(value: unknown): value is RolloutState {
  return (ROLLOUT_STATES as readonly unknown[]).includes(value);
}
