import type { Pool } from 'pg';
import { pgErrorCode, PgErrorCode } from '@mysaas/db';
import { poolAcceptsTenants, type RolloutState } from '@mysaas/tenancy';
import { MoveException, MoveExceptionCode } from './move.exception';
import type { Mover } from './mover';
import { withRunnerLock } from './runner-lock';
import { DEFAULT_REGRESSION_POLICY, healthWindow, judge, type HealthSource, type HealthWindow, type RegressionPolicy, type Verdict } from './tenant-health';

/** One tenant in a rollout: where it is in its wave, and how it fared. */
export interface RolloutTenantReport {
  wave: number;
  moveId?: string;
  moveState?: string;
  before?: HealthWindow;
  after?: HealthWindow;
  verdict?: Verdict;
  error?: string;
}

export interface RolloutRecord {
  id: string;
  pool: string;
  state: RolloutState;
  /** Tenant slugs, one array per wave; canaries make the first. */
  plan: string[][];
  waves: number[];
  canaries: string[];
  policy: RegressionPolicy;
  currentWave: number;
  report: Record<string, RolloutTenantReport>;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface RolloutObserver {
  /** Something worth telling whoever watches: a wave began, a tenant moved, a verdict. */
  progress?(rollout: RolloutRecord, message: string): void;
}

interface RolloutRow extends Record<string, unknown> {
  id: string;
  pool: string;
  state: RolloutState;
  plan: string[][];
  waves: number[];
  canaries: string[];
  policy: RegressionPolicy;
  current_wave: number;
  report: Record<string, RolloutTenantReport>;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const COLUMNS = 'id, pool, state, plan, waves, canaries, policy, current_wave, report, error, created_at, updated_at, finished_at';
const ROLLOUT_LOCK = 0x726f6c6c; // 'roll'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Splits the tenants into waves: the canaries first, then each wave up to its share of all
 * the tenants (10, 50, 100 → a tenth, half, all), in the order given. Empty waves are dropped.
 */
export function planWaves(tenants: readonly string[], canaries: readonly string[], waves: readonly number[]): string[][] {
  const rest = tenants.filter((t) => !canaries.includes(t));
  const plan: string[][] = canaries.length > 0 ? [[...canaries]] : [];
  let placed = canaries.length;
  for (const percent of waves) {
    const upTo = Math.min(tenants.length, Math.ceil((percent / 100) * tenants.length));
    const wave = rest.splice(0, Math.max(0, upTo - placed));
    placed += wave.length;
    if (wave.length > 0) plan.push(wave);
  }
  if (rest.length > 0) plan.push(rest);
  return plan;
}

/**
 * Staged rollouts to a pool: tenants moved wave after wave, each compared with its own health
 * before its move over a window of traffic; a regression (or a failed move) halts the rollout
 * with a report. A halted rollout is resumed (its next wave) or rolled back as a whole (every
 * tenant it moved goes back, with the writes made meanwhile). Like moves, a rollout whose
 * runner died goes on from where it was when run again.
 */
export class Rollouts {
  constructor(
    private readonly options: { platform: Pool; mover: Mover; health: HealthSource; observer?: RolloutObserver; sleep?: (ms: number) => Promise<void> },
  ) {}

  async start(input: { pool: string; canaries?: string[]; waves?: number[]; from?: string; policy?: Partial<RegressionPolicy> }): Promise<RolloutRecord> {
    const { platform } = this.options;
    const waves = input.waves ?? [10, 50, 100];
    if (waves.length === 0 || waves.some((w, i) => !Number.isInteger(w) || w < 1 || w > 100 || (i > 0 && w <= waves[i - 1]!))) {
      throw new MoveException(MoveExceptionCode.ROLLOUT_INVALID, `waves must be rising whole percentages between 1 and 100 (like 10,50,100), not ${waves.join(',')}`);
    }
    const { rows: pools } = await platform.query<{ name: string; release: number; status: 'active' | 'draining' | 'retired' }>('SELECT name, release, status FROM platform.pools WHERE name = $1', [input.pool]);
    const target = pools[0];
    if (target === undefined) throw new MoveException(MoveExceptionCode.POOL_UNKNOWN, `pool "${input.pool}" does not exist`);
    if (!poolAcceptsTenants(target.status)) throw new MoveException(MoveExceptionCode.POOL_NOT_ACCEPTING, `pool ${target.name} is ${target.status} and takes no tenants`);
    // Every active tenant on an older release (or on the pool named by `from`), in slug order.
    const { rows } = await platform.query<{ slug: string }>(
      `SELECT t.slug FROM platform.tenants t JOIN platform.pools p ON p.name = t.pool
        WHERE t.status = 'active' AND t.pool <> $1 AND ($2::text IS NULL OR t.pool = $2) AND ($2::text IS NOT NULL OR p.release < $3)
        ORDER BY t.slug`,
      [target.name, input.from ?? null, target.release],
    );
    const tenants = rows.map((r) => r.slug);
    const canaries = input.canaries ?? [];
    const strangers = canaries.filter((c) => !tenants.includes(c));
    if (strangers.length > 0) {
      throw new MoveException(
        MoveExceptionCode.ROLLOUT_INVALID,
        `canaries ${strangers.join(', ')} are not among the tenants this rollout moves (active, not on ${target.name}${input.from ? `, on ${input.from}` : `, on a release older than ${target.release}`})`,
      );
    }
    if (tenants.length === 0) throw new MoveException(MoveExceptionCode.ROLLOUT_INVALID, `no active tenant is waiting for pool ${target.name}; nothing to roll out`);
    const policy = { ...DEFAULT_REGRESSION_POLICY, ...input.policy };
    const plan = planWaves(tenants, canaries, waves);
    try {
      const { rows: created } = await platform.query<RolloutRow>(
        `INSERT INTO platform.rollouts (pool, state, plan, waves, canaries, policy) VALUES ($1, 'running', $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [target.name, JSON.stringify(plan), waves, canaries, policy],
      );
      return rolloutRecord(created[0]!);
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCode.UniqueViolation) {
        throw new MoveException(MoveExceptionCode.ROLLOUT_OPEN, `pool ${target.name} already has a rollout that is not finished; resume or roll it back first (saas rollouts list)`);
      }
      throw error;
    }
  }

  async get(id: string): Promise<RolloutRecord> {
    if (!UUID.test(id)) throw new MoveException(MoveExceptionCode.ROLLOUT_NOT_FOUND, `no rollout has id "${id}"`);
    const { rows } = await this.options.platform.query<RolloutRow>(`SELECT ${COLUMNS} FROM platform.rollouts WHERE id = $1`, [id]);
    if (rows[0] === undefined) throw new MoveException(MoveExceptionCode.ROLLOUT_NOT_FOUND, `no rollout has id "${id}"`);
    return rolloutRecord(rows[0]);
  }

  async list(limit = 50): Promise<RolloutRecord[]> {
    const { rows } = await this.options.platform.query<RolloutRow>(`SELECT ${COLUMNS} FROM platform.rollouts ORDER BY created_at DESC LIMIT $1`, [Math.min(limit, 500)]);
    return rows.map(rolloutRecord);
  }

  /** Rollouts a runner should be working on (one that died left them running or rolling back). */
  async unfinished(): Promise<string[]> {
    const { rows } = await this.options.platform.query<{ id: string }>("SELECT id FROM platform.rollouts WHERE state IN ('running', 'rolling_back') ORDER BY created_at");
    return rows.map((r) => r.id);
  }

  /** Marks a halted rollout running again (its next wave); `run` does the work. */
  async beginResume(id: string): Promise<RolloutRecord> {
    const rollout = await this.get(id);
    if (rollout.state === 'running') return rollout;
    if (rollout.state !== 'halted') throw new MoveException(MoveExceptionCode.WRONG_STATE, `rollout ${id} is ${rollout.state}; only a halted rollout can be resumed`);
    // A wave that halted on its verdicts is accepted by the operator resuming: the next one
    // goes. A wave that halted on a failed move is tried again (its moved tenants stay moved).
    const wave = rollout.plan[rollout.currentWave] ?? [];
    const judged = wave.every((tenant) => rollout.report[tenant]?.verdict !== undefined);
    return this.update(id, { state: 'running', current_wave: judged ? rollout.currentWave + 1 : rollout.currentWave, error: null });
  }

  /** Marks a rollout to be rolled back as a whole; `run` does the work. */
  async beginRollback(id: string): Promise<RolloutRecord> {
    const rollout = await this.get(id);
    if (rollout.state === 'rolling_back') return rollout;
    if (rollout.state === 'rolled_back') throw new MoveException(MoveExceptionCode.WRONG_STATE, `rollout ${id} is rolled back already`);
    return this.update(id, { state: 'rolling_back' });
  }

  /** Drives a rollout: its waves while running, its rollback while rolling back. */
  async run(id: string): Promise<RolloutRecord> {
    return this.locked(id, async () => {
      const rollout = await this.get(id);
      if (rollout.state === 'running') return this.runWaves(rollout);
      if (rollout.state === 'rolling_back') return this.rollBack(rollout);
      return rollout;
    });
  }

  private async runWaves(rollout: RolloutRecord): Promise<RolloutRecord> {
    const { mover } = this.options;
    const policy = rollout.policy;
    for (let wave = rollout.currentWave; wave < rollout.plan.length; wave++) {
      const tenants = rollout.plan[wave]!;
      rollout = await this.update(rollout.id, { current_wave: wave });
      this.tell(rollout, `wave ${wave + 1} of ${rollout.plan.length}: ${tenants.join(', ')}`);

      // Health before: one window over the whole wave, unless an earlier run measured it.
      const pending = tenants.filter((t) => rollout.report[t]?.before === undefined);
      if (pending.length > 0) {
        const windows = await this.watch(pending, policy.windowMs);
        rollout = await this.patchReport(rollout.id, Object.fromEntries(pending.map((t) => [t, { wave, before: windows.get(t)! }])));
      }

      for (const tenant of tenants) {
        const entry = rollout.report[tenant]!;
        try {
          let moveId = entry.moveId;
          if (moveId === undefined) {
            moveId = (await mover.start({ tenant, to: rollout.pool })).id;
            rollout = await this.patchReport(rollout.id, { [tenant]: { ...entry, moveId } });
          }
          const move = await mover.run(moveId);
          rollout = await this.patchReport(rollout.id, { [tenant]: { ...rollout.report[tenant]!, moveState: move.state } });
          if (move.state !== 'switched') return await this.halt(rollout, `the move of ${tenant} ${move.state}: ${move.error ?? 'no reason given'}`);
          this.tell(rollout, `${tenant} moved (cutover pause ${move.cutoverPauseMs} ms)`);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          rollout = await this.patchReport(rollout.id, { [tenant]: { ...rollout.report[tenant]!, error: reason } });
          return await this.halt(rollout, `the move of ${tenant} could not run: ${reason}`);
        }
      }

      // Health after, tenant by tenant against its own before.
      const after = await this.watch(tenants, policy.windowMs);
      const verdicts: Record<string, RolloutTenantReport> = {};
      for (const tenant of tenants) {
        const entry = rollout.report[tenant]!;
        const window = after.get(tenant)!;
        verdicts[tenant] = { ...entry, after: window, verdict: judge(entry.before!, window, policy) };
      }
      rollout = await this.patchReport(rollout.id, verdicts);
      const regressed = tenants.filter((t) => verdicts[t]!.verdict!.regressed);
      if (regressed.length > 0) {
        return this.halt(rollout, `regression in wave ${wave + 1}: ${regressed.map((t) => `${t} (${verdicts[t]!.verdict!.reasons.join('; ')})`).join(', ')}`);
      }
      this.tell(rollout, `wave ${wave + 1} healthy`);
    }
    const done = await this.update(rollout.id, { state: 'done', current_wave: rollout.plan.length, finished_at: new Date() });
    this.tell(done, 'every wave moved');
    return done;
  }

  /** Every tenant this rollout moved goes back to its old pool, the last wave first (canaries last). */
  private async rollBack(rollout: RolloutRecord): Promise<RolloutRecord> {
    const moved = Object.entries(rollout.report)
      .filter(([, entry]) => entry.moveId !== undefined)
      .sort(([, a], [, b]) => b.wave - a.wave);
    for (const [tenant, entry] of moved) {
      const move = await this.options.mover.get(entry.moveId!);
      if (move.state === 'rolled_back' || move.state === 'finalized') continue;
      this.tell(rollout, `rolling back ${tenant}`);
      await this.options.mover.beginRollback(move.id);
      const back = await this.options.mover.run(move.id);
      rollout = await this.patchReport(rollout.id, { [tenant]: { ...entry, moveState: back.state } });
      if (back.state !== 'rolled_back') {
        return this.update(rollout.id, { state: 'halted', error: `rolling back ${tenant} failed: ${back.error ?? back.state}; fix it and roll the rollout back again` });
      }
    }
    return this.update(rollout.id, { state: 'rolled_back', finished_at: new Date() });
  }

  /** Request counters of `tenants` over one window of `ms`. */
  private async watch(tenants: readonly string[], ms: number): Promise<Map<string, HealthWindow>> {
    const first = await this.options.health.sample(tenants);
    await (this.options.sleep ?? ((t) => new Promise((resolve) => setTimeout(resolve, t))))(ms);
    const second = await this.options.health.sample(tenants);
    return new Map(tenants.map((t) => [t, healthWindow(first.get(t), second.get(t), ms)]));
  }

  private async halt(rollout: RolloutRecord, reason: string): Promise<RolloutRecord> {
    const halted = await this.update(rollout.id, { state: 'halted', error: reason });
    this.tell(halted, `halted: ${reason}`);
    return halted;
  }

  private tell(rollout: RolloutRecord, message: string): void {
    this.options.observer?.progress?.(rollout, message);
  }

  private async patchReport(id: string, entries: Record<string, RolloutTenantReport>): Promise<RolloutRecord> {
    const { rows } = await this.options.platform.query<RolloutRow>(
      `UPDATE platform.rollouts SET report = report || $2::jsonb, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, JSON.stringify(entries)],
    );
    return rolloutRecord(rows[0]!);
  }

  private async update(id: string, changes: Partial<Pick<RolloutRow, 'state' | 'current_wave' | 'error' | 'finished_at'>>): Promise<RolloutRecord> {
    const entries = Object.entries(changes);
    const { rows } = await this.options.platform.query<RolloutRow>(
      `UPDATE platform.rollouts SET ${[...entries.map(([column], i) => `${column} = $${i + 2}`), 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...entries.map(([, value]) => value)],
    );
    return rolloutRecord(rows[0]!);
  }

  private async locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    await this.get(id);
    const busy = () => new MoveException(MoveExceptionCode.BUSY, `a runner is working on rollout ${id} right now; wait until it halts or ends (saas rollouts show ${id})`);
    return withRunnerLock(this.options.platform, ROLLOUT_LOCK, id, busy, work);
  }
}

function rolloutRecord(row: RolloutRow): RolloutRecord {
  return {
    id: row.id,
    pool: row.pool,
    state: row.state,
    plan: row.plan,
    waves: row.waves,
    canaries: row.canaries,
    policy: row.policy,
    currentWave: row.current_wave,
    report: row.report,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

