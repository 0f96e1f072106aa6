import { Pool, type PoolClient } from 'pg';
import {
  announceRoutingChange,
  applyMigrations,
  hardenPoolDatabase,
  ident,
  inTransaction,
  pgErrorCode,
  PgErrorCode,
  setTenantStatementTimeout,
  TENANT_MIGRATIONS_TABLE,
  type Migration,
  type Queryable,
} from '@mysaas/db';
import {
  checkTenantSlug,
  isMoveClosed,
  MOVE_RUNNING_STATES,
  poolAcceptsTenants,
  tenantRoleName,
  tenantSchemaName,
  type MoveMethod,
  type MoveState,
  type PoolStatus,
  type TenantSlug,
} from '@mysaas/tenancy';
import { fence, revoke, unfence } from './fence';
import { withRunnerLock } from './runner-lock';
import { moveRecord, type MoveEvent, type MoveRecord, type MoveRow } from './move-record';
import { MoveException, MoveExceptionCode } from './move.exception';
import { beginInSnapshot, clusterId, createSlotWithSnapshot, dropReplication, replicationName, subscribe, subscriptionErrors, subscriptionExists, subscriptionStreaming, walLevel } from './replication';
import { checksumDifferences, checksums, copySchema, copySequences, rowCounts, tenantTables, totalRows, type TableChecksum, type TenantTable } from './tenant-tables';

/** The job service as a move needs it: hold a tenant's jobs, see its running ones, let them go. */
export interface MoveJobs {
  hold(tenantId: string): Promise<void>;
  release(tenantId: string): Promise<void>;
  running(tenantId: string): Promise<number>;
}

export interface MoveObserver {
  /** Before each step; a test may stop the process here to prove the move resumes. */
  step?(move: MoveRecord, step: string): void | Promise<void>;
  /** A step ended; `details` holds its figures. */
  stepDone?(move: MoveRecord, step: string, ms: number, details: Record<string, unknown>): void;
}

export interface MoverSettings {
  /** After the hold is announced, how long gateways get to see it before the write block. */
  holdSettleMs: number;
  /** How long the write block waits for transactions begun before it (then the cutover is undone). */
  fenceTimeoutMs: number;
  /** How long the cutover waits for replication to deliver the last changes. */
  catchUpTimeoutMs: number;
  /** How long the cutover waits for the tenant's running jobs (then the write block takes over). */
  jobsDrainTimeoutMs: number;
  /** How long a new subscription gets to start streaming. */
  syncTimeoutMs: number;
}

export const DEFAULT_MOVER_SETTINGS: MoverSettings = {
  holdSettleMs: 50,
  fenceTimeoutMs: 10_000,
  catchUpTimeoutMs: 15_000,
  jobsDrainTimeoutMs: 5_000,
  syncTimeoutMs: 30_000,
};

export interface MoverOptions {
  /** The control database (owner of the platform schema). */
  platform: Pool;
  /** The tenant schema's migrations up to a release (`tenantMigrationsFor`). */
  migrations(release: number): readonly Migration[];
  jobs?: MoveJobs;
  observer?: MoveObserver;
  settings?: Partial<MoverSettings>;
}

interface PoolInfo {
  name: string;
  release: number;
  status: PoolStatus;
  databaseUrl: string;
  appRole: string;
}

/** What one operation on a move works with; its connections end with the operation. */
interface MoveContext {
  slug: TenantSlug;
  schema: string;
  role: string;
  replication: string;
  statementTimeoutMs: number | null;
  source: PoolInfo & { db: Pool };
  target: PoolInfo & { db: Pool };
  /** Both pools on one Postgres cluster: they share the tenant's role. */
  sameCluster: boolean;
}

const MOVE_LOCK = 0x6d6f7665; // 'move'
const MOVE_COLUMNS = `id, tenant_id, tenant_slug, from_pool, to_pool, from_release, to_release, state, method, done_steps,
  rows_copied::text, copy_ms, cutover_pause_ms, attempts, error, created_at, updated_at, switched_at, finished_at`;

/**
 * Moves tenants between pools while they keep working (docs/adr/0018-live-tenant-moves.md).
 * Every step is recorded in the control database before and after it runs and is safe to
 * run again, so a mover that dies anywhere is resumed by running the same operation again.
 * One mover works on a move at a time (an advisory lock on the control database).
 */
export class Mover {
  private readonly settings: MoverSettings;

  constructor(private readonly options: MoverOptions) {
    this.settings = { ...DEFAULT_MOVER_SETTINGS, ...options.settings };
  }

  // ── Reading ───────────────────────────────────────────────────────────────────────────

  async get(id: string): Promise<MoveRecord> {
    if (!UUID.test(id)) throw new MoveException(MoveExceptionCode.NOT_FOUND, `no move has id "${id}"`);
    const { rows } = await this.options.platform.query<MoveRow>(`SELECT ${MOVE_COLUMNS} FROM platform.tenant_moves WHERE id = $1`, [id]);
    if (rows[0] === undefined) throw new MoveException(MoveExceptionCode.NOT_FOUND, `no move has id "${id}"`);
    return moveRecord(rows[0]);
  }

  async list(filter: { tenant?: string; state?: MoveState; limit?: number } = {}): Promise<MoveRecord[]> {
    const { rows } = await this.options.platform.query<MoveRow>(
      `SELECT ${MOVE_COLUMNS} FROM platform.tenant_moves
        WHERE ($1::text IS NULL OR tenant_slug = $1) AND ($2::text IS NULL OR state = $2)
        ORDER BY created_at DESC LIMIT $3`,
      [filter.tenant ?? null, filter.state ?? null, Math.min(filter.limit ?? 50, 500)],
    );
    return rows.map(moveRecord);
  }

  async events(id: string): Promise<MoveEvent[]> {
    const { rows } = await this.options.platform.query<MoveEvent & Record<string, unknown>>(
      'SELECT at, step, outcome, ms, details FROM platform.tenant_move_events WHERE move_id = $1 ORDER BY id',
      [id],
    );
    return rows;
  }

  isRunningState(state: MoveState): boolean {
    return MOVE_RUNNING_STATES.includes(state);
  }

  /** Moves a mover should be working on: a mover that died left them in a running state. */
  async unfinished(): Promise<string[]> {
    const { rows } = await this.options.platform.query<{ id: string }>(
      'SELECT id FROM platform.tenant_moves WHERE state = ANY($1) ORDER BY created_at',
      [MOVE_RUNNING_STATES],
    );
    return rows.map((r) => r.id);
  }

  // ── Starting ──────────────────────────────────────────────────────────────────────────

  /**
   * Records a move of `tenant` to pool `to` after checking everything that can be checked
   * before anything changes; refuses with a MoveException otherwise. `run` does the work.
   */
  async start(input: { tenant: string; to: string; method?: MoveMethod }): Promise<MoveRecord> {
    const check = checkTenantSlug(input.tenant);
    if (!check.ok) throw new MoveException(MoveExceptionCode.TENANT_UNKNOWN, `no tenant with slug "${input.tenant}"`);
    const tenant = await this.tenantRow(check.slug);
    if (tenant === undefined) throw new MoveException(MoveExceptionCode.TENANT_UNKNOWN, `no tenant with slug "${input.tenant}"`);
    if (tenant.status === 'suspended') {
      throw new MoveException(MoveExceptionCode.TENANT_SUSPENDED, `tenant ${tenant.slug} is suspended; resume it before moving it`);
    }
    if (tenant.status !== 'active') throw new MoveException(MoveExceptionCode.TENANT_NOT_READY, `tenant ${tenant.slug} is still being provisioned`);
    const target = await this.pool(input.to);
    if (target === undefined) throw new MoveException(MoveExceptionCode.POOL_UNKNOWN, `pool "${input.to}" does not exist`);
    if (target.name === tenant.pool) throw new MoveException(MoveExceptionCode.SAME_POOL, `tenant ${tenant.slug} is already on pool ${target.name}`);
    if (!poolAcceptsTenants(target.status)) {
      throw new MoveException(MoveExceptionCode.POOL_NOT_ACCEPTING, `pool ${target.name} is ${target.status} and takes no tenants`);
    }
    const source = (await this.pool(tenant.pool))!;
    if (target.release < source.release) {
      throw new MoveException(
        MoveExceptionCode.OLDER_RELEASE,
        `pool ${target.name} runs release ${target.release}, older than release ${source.release} of ${source.name}; a move goes to the same or a newer release (to go back, roll the move back)`,
      );
    }
    const open = await this.openMove(tenant.id);
    if (open !== undefined) {
      throw new MoveException(MoveExceptionCode.ALREADY_OPEN, `tenant ${tenant.slug} already has move ${open.id} (${open.state}); finish it first (saas moves finalize|rollback ${open.id})`);
    }
    await this.assertTargetEmpty(source, target, tenant.slug);
    if (input.method === 'logical') await this.assertLogical(source);

    try {
      return await inTransaction(this.options.platform, async (tx) => {
        const { rows } = await tx.query<MoveRow>(
          `INSERT INTO platform.tenant_moves (tenant_id, tenant_slug, from_pool, to_pool, from_release, to_release, state, method)
           VALUES ($1, $2, $3, $4, $5, $6, 'copying', $7) RETURNING ${MOVE_COLUMNS}`,
          [tenant.id, tenant.slug, source.name, target.name, source.release, target.release, input.method ?? null],
        );
        const move = moveRecord(rows[0]!);
        await this.event(tx, move.id, 'requested', 'done', null, { from: source.name, to: target.name });
        await audit(tx, 'tenant.move_requested', tenant.slug, { move: move.id, from: source.name, to: target.name });
        return move;
      });
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCode.UniqueViolation) {
        throw new MoveException(MoveExceptionCode.ALREADY_OPEN, `tenant ${tenant.slug} already has a move in progress`);
      }
      throw error;
    }
  }

  // ── Running ───────────────────────────────────────────────────────────────────────────

  /**
   * Drives a move as far as it goes by itself: to `switched` (the tenant served by its new
   * pool), or to `failed` with the tenant back on its old pool, untouched; a move marked
   * `rolling_back` or `finalizing` to its end. Resumes a move left anywhere by a mover that
   * died; a failed move starts its copy over.
   */
  async run(id: string): Promise<MoveRecord> {
    return this.locked(id, async () => {
      let move = await this.get(id);
      if (move.state === 'finalizing') return this.finishFinalize(move);
      if (move.state === 'rolling_back') return this.finishRollback(move);
      if (move.state === 'failed') move = await this.update(move, { state: 'copying', done_steps: [], error: null });
      if (move.state === 'switched') {
        await this.options.jobs?.release(move.tenantId);
        return move;
      }
      if (isMoveClosed(move.state)) return move;
      move = await this.update(move, { attempts: move.attempts + 1 });
      const ctx = await this.context(move);
      try {
        if (move.state === 'copying') move = await this.copyPhase(ctx, move);
        if (move.state === 'syncing') move = await this.syncPhase(ctx, move);
        if (move.state === 'cutover') move = await this.cutover(ctx, move);
        return move;
      } catch (error) {
        return await this.failCutover(ctx, move, error);
      } finally {
        await closeContext(ctx);
      }
    });
  }

  /** Makes the target schema at the source's migrations, then (logical) copies a snapshot and subscribes. */
  private async copyPhase(ctx: MoveContext, move: MoveRecord): Promise<MoveRecord> {
    move = await this.update(move, { done_steps: [] });
    // Asked for at the start, or the best the source server allows.
    const method: MoveMethod = move.method ?? ((await walLevel(ctx.source.db)) === 'logical' ? 'logical' : 'blocking');
    move = await this.step(move, 'prepare', async () => {
      await dropReplication(ctx.source.db, ctx.target.db, ctx.replication);
      const applied = await this.prepareTarget(ctx);
      return { method, migrations: applied.length };
    });
    move = await this.update(move, { method });
    if (method === 'blocking') return this.update(move, { state: 'cutover', done_steps: [] });

    move = await this.step(move, 'copy', async () => {
      const started = Date.now();
      const slot = await createSlotWithSnapshot(ctx.source.db, ctx.source.databaseUrl, ctx.replication, ctx.schema);
      let rows: number;
      try {
        rows = await this.copyAll(ctx.source.db, ctx.target.db, ctx.schema, (source) => beginInSnapshot(source, slot.snapshot));
      } finally {
        await slot.close();
      }
      await subscribe(ctx.target.db, ctx.replication, ctx.source.databaseUrl);
      const copyMs = Date.now() - started;
      await this.update(move, { rows_copied: rows, copy_ms: copyMs });
      return { rows, ms: copyMs, rowsPerSecond: Math.round((rows * 1000) / Math.max(copyMs, 1)) };
    });
    return this.update(move, { state: 'syncing', done_steps: [] });
  }

  /** Waits for the subscription to stream the changes made since the snapshot. */
  private async syncPhase(ctx: MoveContext, move: MoveRecord): Promise<MoveRecord> {
    move = await this.step(move, 'sync', async () => {
      if (!(await subscriptionExists(ctx.target.db, ctx.replication))) throw new Error('the subscription on the target is gone; the copy starts over');
      await until(() => subscriptionStreaming(ctx.target.db, ctx.replication), this.settings.syncTimeoutMs, 'the subscription did not start streaming');
      return {};
    });
    return this.update(move, { state: 'cutover', done_steps: [] });
  }

  /**
   * The cutover: hold the tenant's jobs and requests, block writes on the source, apply the
   * last changes (or, for `blocking`, copy everything), compare, migrate the copy to the
   * target's release, and flip routing. The pause clients see runs from the hold to the flip.
   */
  private async cutover(ctx: MoveContext, move: MoveRecord): Promise<MoveRecord> {
    move = await this.step(move, 'hold-jobs', () => this.holdJobs(move.tenantId));
    move = await this.step(move, 'hold-requests', () => this.holdRequests(move.tenantId, ctx.slug, true));
    move = await this.step(move, 'write-block', async () => {
      await fence(ctx.source.db, { role: ctx.role, appRole: ctx.source.appRole, timeoutMs: this.settings.fenceTimeoutMs });
      return {};
    });
    const tables = await tenantTables(ctx.source.db, ctx.schema);
    if (move.method === 'blocking') {
      move = await this.step(move, 'copy', async () => {
        const started = Date.now();
        const rows = await this.copyAll(ctx.source.db, ctx.target.db, ctx.schema, (source) => source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY').then(() => undefined));
        const copyMs = Date.now() - started;
        await this.update(move, { rows_copied: rows, copy_ms: copyMs });
        return { rows, ms: copyMs };
      });
    } else {
      // The source is frozen: replication has caught up once the target has as many rows…
      move = await this.step(move, 'catch-up', async () => {
        const expected = await rowCounts(ctx.source.db, ctx.schema, tables);
        await until(
          async () => {
            if ((await subscriptionErrors(ctx.target.db, ctx.replication)) > 0) throw new Error('the subscription on the target reports errors applying changes (see the target server log)');
            const actual = await rowCounts(ctx.target.db, ctx.schema, tables);
            return [...expected].every(([table, rows]) => actual.get(table) === rows);
          },
          this.settings.catchUpTimeoutMs,
          'replication did not deliver the last changes',
        );
        return { rows: [...expected.values()].reduce((a, b) => a + b, 0) };
      });
    }
    // …and the same rows: both checksummed at once, the target's again while replication may
    // still be applying an update (a change that left the counts alone).
    move = await this.step(move, 'verify', async () => {
      const deadline = Date.now() + (move.method === 'logical' ? this.settings.catchUpTimeoutMs : 0);
      const [expected, first] = await Promise.all([checksums(ctx.source.db, ctx.schema, tables), checksums(ctx.target.db, ctx.schema, tables)]);
      let actual = first;
      while (checksumDifferences(expected, actual).length > 0 && Date.now() < deadline) {
        await sleep(10);
        actual = await checksums(ctx.target.db, ctx.schema, tables);
      }
      assertSame(expected, actual, 'the copy on the target');
      return { tables: expected.length, rows: totalRows(expected) };
    });
    move = await this.step(move, 'sequences', () => copySequences(ctx.source.db, ctx.target.db, ctx.schema).then(() => ({})));
    if (move.method === 'logical') move = await this.step(move, 'unsubscribe', () => dropReplication(ctx.source.db, ctx.target.db, ctx.replication).then(() => ({})));
    move = await this.step(move, 'migrate', async () => ({ migrations: await this.migrateAs(ctx.target.db, ctx, move.toRelease) }));
    move = await this.step(move, 'switch', (tx) => this.switchTo(tx, move, ctx.target.name, 'forward'), { atomic: true });
    move = await this.get(move.id);
    await this.options.jobs?.release(move.tenantId);
    return move;
  }

  /**
   * A run that failed: undo what holds the tenant (the write block, the held requests, the
   * held jobs) so it goes on from its old pool, and record why. A failure after the switch
   * cannot happen here (the switch is the last step), so the old pool is always right.
   */
  private async failCutover(ctx: MoveContext, move: MoveRecord, error: unknown): Promise<MoveRecord> {
    const reason = error instanceof Error ? error.message : String(error);
    const current = await this.get(move.id);
    if (current.state === 'switched') return current;
    // A failed move holds no replication slot: the source would keep its WAL for it. Resuming
    // starts the copy over anyway.
    await dropReplication(ctx.source.db, ctx.target.db, ctx.replication).catch(() => undefined);
    await unfence(ctx.source.db, { role: ctx.role, appRole: ctx.source.appRole });
    await this.holdRequests(move.tenantId, ctx.slug, false);
    await this.options.jobs?.release(move.tenantId);
    return inTransaction(this.options.platform, async (tx) => {
      await this.event(tx, move.id, 'failed', 'failed', null, { reason, during: current.state });
      await audit(tx, 'tenant.move_failed', move.tenant, { move: move.id, reason });
      return this.update(current, { state: 'failed', error: reason, done_steps: [] }, tx);
    });
  }

  // ── Rolling back ──────────────────────────────────────────────────────────────────────

  /**
   * Puts the tenant back on its old pool. A move not yet switched is abandoned (its copy and
   * replication dropped). A switched one is copied back with every write made on the new
   * pool, under a hold, after the old schema is brought to the new release (release N app
   * servers serve N+1 schemas); refused when the new pool is more than one release ahead.
   */
  async rollback(id: string): Promise<MoveRecord> {
    await this.beginRollback(id);
    return this.run(id);
  }

  /** Checks that a move can be rolled back and marks it `rolling_back`; `run` does the work. */
  async beginRollback(id: string): Promise<MoveRecord> {
    return this.locked(id, async () => {
      const move = await this.get(id);
      if (move.state === 'rolling_back') return move;
      if (isMoveClosed(move.state) || move.state === 'finalizing') {
        throw new MoveException(MoveExceptionCode.WRONG_STATE, `move ${id} is ${move.state}; there is nothing to roll back`);
      }
      if (move.state === 'switched' && move.toRelease > move.fromRelease + 1) {
        throw new MoveException(
          MoveExceptionCode.ROLLBACK_IMPOSSIBLE,
          `pool ${move.to} runs release ${move.toRelease}; the app servers of ${move.from} (release ${move.fromRelease}) cannot serve a schema that new, so the tenant cannot go back; move it to a pool of release ${move.toRelease - 1} or later instead`,
        );
      }
      return this.update(move, { state: 'rolling_back', done_steps: [], error: null });
    });
  }

  private async finishRollback(move: MoveRecord): Promise<MoveRecord> {
    const ctx = await this.context(move);
    try {
      const tenant = await this.tenantRow(ctx.slug);
      return tenant?.pool === move.to ? await this.rollbackSwitched(ctx, move) : await this.abandon(ctx, move);
    } finally {
      await closeContext(ctx);
    }
  }

  /** Drops what an unswitched move made on the target; the tenant stays where it always was. */
  private async abandon(ctx: MoveContext, move: MoveRecord): Promise<MoveRecord> {
    move = await this.step(move, 'drop-copy', async () => {
      await dropReplication(ctx.source.db, ctx.target.db, ctx.replication);
      await unfence(ctx.source.db, { role: ctx.role, appRole: ctx.source.appRole });
      await this.holdRequests(move.tenantId, ctx.slug, false);
      await this.options.jobs?.release(move.tenantId);
      await this.dropTenant(ctx.target.db, ctx, ctx.target.appRole);
      return {};
    });
    return this.close(move, 'rolled_back', 'tenant.move_rolled_back');
  }

  private async rollbackSwitched(ctx: MoveContext, move: MoveRecord): Promise<MoveRecord> {
    const heldAt = Date.now();
    try {
      move = await this.step(move, 'hold-jobs', () => this.holdJobs(move.tenantId));
      move = await this.step(move, 'hold-requests', () => this.holdRequests(move.tenantId, ctx.slug, true));
      move = await this.step(move, 'write-block', async () => {
        await fence(ctx.target.db, { role: ctx.role, appRole: ctx.target.appRole, timeoutMs: this.settings.fenceTimeoutMs });
        return {};
      });
      move = await this.step(move, 'upgrade-old', async () => ({ migrations: await this.migrateAs(ctx.source.db, ctx, move.toRelease) }));
      move = await this.step(move, 'copy-back', async () => ({ rows: await this.copyAll(ctx.target.db, ctx.source.db, ctx.schema, (from) => from.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY').then(() => undefined)) }));
      move = await this.step(move, 'verify', async () => {
        const tables = await tenantTables(ctx.target.db, ctx.schema);
        const [expected, actual] = await Promise.all([checksums(ctx.target.db, ctx.schema, tables), checksums(ctx.source.db, ctx.schema, tables)]);
        assertSame(expected, actual, 'the copy back on the old pool');
        return { rows: totalRows(expected) };
      });
      move = await this.step(move, 'unblock-old', () => unfence(ctx.source.db, { role: ctx.role, appRole: ctx.source.appRole }).then(() => ({})));
      move = await this.step(move, 'switch', (tx) => this.switchTo(tx, move, ctx.source.name, 'back', Date.now() - heldAt), { atomic: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // The tenant stays on the new pool: the old schema goes back behind its write block
      // (lifted already if the failure came after `unblock-old`), the new one is opened again.
      await revoke(ctx.source.db, ctx.role, ctx.source.appRole);
      await unfence(ctx.target.db, { role: ctx.role, appRole: ctx.target.appRole });
      await this.holdRequests(move.tenantId, ctx.slug, false);
      await this.options.jobs?.release(move.tenantId);
      await this.record(move.id, 'rollback', 'failed', null, { reason });
      return this.update(move, { state: 'switched', done_steps: [], error: `rollback failed, the tenant stays on ${move.to}: ${reason}` });
    }
    await this.options.jobs?.release(move.tenantId);
    move = await this.step(move, 'drop-copy', async () => {
      await this.dropTenant(ctx.target.db, ctx, ctx.target.appRole);
      return {};
    });
    return this.close(move, 'rolled_back', 'tenant.move_rolled_back');
  }

  // ── Finalizing ────────────────────────────────────────────────────────────────────────

  /** Drops the tenant's old schema (and, on another cluster, its role) once a move is switched. */
  async finalize(id: string): Promise<MoveRecord> {
    await this.beginFinalize(id);
    return this.run(id);
  }

  /** Checks that a move is switched and marks it `finalizing`; `run` does the work. */
  async beginFinalize(id: string): Promise<MoveRecord> {
    return this.locked(id, async () => {
      const move = await this.get(id);
      if (move.state === 'finalizing') return move;
      if (move.state !== 'switched') {
        throw new MoveException(MoveExceptionCode.WRONG_STATE, `move ${id} is ${move.state}; only a switched move can be finalized`);
      }
      return this.update(move, { state: 'finalizing', done_steps: [] });
    });
  }

  private async finishFinalize(move: MoveRecord): Promise<MoveRecord> {
    const ctx = await this.context(move);
    try {
      move = await this.step(move, 'drop-old', async () => {
        await this.dropTenant(ctx.source.db, ctx, ctx.source.appRole);
        return {};
      });
      return await this.close(move, 'finalized', 'tenant.move_finalized');
    } finally {
      await closeContext(ctx);
    }
  }

  // ── Steps ─────────────────────────────────────────────────────────────────────────────

  /**
   * Runs one step unless this attempt already did it, recording its start, end and figures.
   * A step whose work changes the platform itself (the switch) gets the control database's
   * transaction, so its end is recorded in the same commit as what it changed: nobody sees a
   * switched move whose switch step has not ended.
   */
  private async step(
    move: MoveRecord,
    name: string,
    work: (platform: Queryable) => Promise<Record<string, unknown> | void>,
    options: { atomic?: boolean } = {},
  ): Promise<MoveRecord> {
    if (move.doneSteps.includes(name)) return move;
    await this.options.observer?.step?.(move, name);
    await this.record(move.id, name, 'started', null, {});
    const started = Date.now();
    const finish = async (db: Queryable) => {
      const details = (await work(db)) ?? {};
      const ms = Date.now() - started;
      const { rows } = await db.query<MoveRow>(
        `UPDATE platform.tenant_moves SET done_steps = array_append(done_steps, $2), updated_at = now() WHERE id = $1 RETURNING ${MOVE_COLUMNS}`,
        [move.id, name],
      );
      await this.event(db, move.id, name, 'done', ms, details);
      return { updated: moveRecord(rows[0]!), ms, details };
    };
    try {
      const { updated, ms, details } = options.atomic ? await inTransaction(this.options.platform, finish) : await finish(this.options.platform);
      this.options.observer?.stepDone?.(updated, name, ms, details);
      return updated;
    } catch (error) {
      await this.record(move.id, name, 'failed', Date.now() - started, { reason: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      throw error;
    }
  }

  private async holdJobs(tenantId: string): Promise<Record<string, unknown>> {
    const jobs = this.options.jobs;
    if (jobs === undefined) return { jobs: 'no job service' };
    await jobs.hold(tenantId);
    const deadline = Date.now() + this.settings.jobsDrainTimeoutMs;
    let running = await jobs.running(tenantId);
    while (running > 0 && Date.now() < deadline) {
      await sleep(50);
      running = await jobs.running(tenantId);
    }
    return { stillRunning: running };
  }

  /** Sets or clears the gateways' hold on the tenant's requests, and tells them at once. */
  private async holdRequests(tenantId: string, slug: TenantSlug, hold: boolean): Promise<Record<string, unknown>> {
    await inTransaction(this.options.platform, async (tx) => {
      await tx.query(
        hold
          ? 'UPDATE platform.tenants SET held_since = coalesce(held_since, now()) WHERE id = $1'
          : 'UPDATE platform.tenants SET held_since = NULL WHERE id = $1',
        [tenantId],
      );
      await announceRoutingChange(tx, { kind: 'tenant', slug });
    });
    if (hold) await sleep(this.settings.holdSettleMs);
    return {};
  }

  /**
   * Routing flips to `pool` and the hold ends in one commit; the gateways hear of it at that
   * commit. A move's switch also records it `switched`; a rollback's switch back leaves it
   * `rolling_back` until the copy on the new pool is dropped too.
   */
  private async switchTo(tx: Queryable, move: MoveRecord, pool: string, direction: 'forward' | 'back', pauseMs?: number): Promise<Record<string, unknown>> {
    const { rows } = await tx.query<{ paused_ms: number | null }>(
      `UPDATE platform.tenants SET pool = $2, held_since = NULL, updated_at = now() WHERE id = $1
       RETURNING (extract(epoch FROM clock_timestamp() - (SELECT held_since FROM platform.tenants WHERE id = $1)) * 1000)::int AS paused_ms`,
      [move.tenantId, pool],
    );
    const pausedMs = pauseMs ?? rows[0]?.paused_ms ?? null;
    if (direction === 'forward') {
      await tx.query(
        `UPDATE platform.tenant_moves SET state = 'switched', updated_at = now(), error = NULL, cutover_pause_ms = $2, switched_at = now() WHERE id = $1`,
        [move.id, pausedMs],
      );
    }
    await announceRoutingChange(tx, { kind: 'tenant', slug: move.tenant });
    await audit(tx, direction === 'forward' ? 'tenant.moved' : 'tenant.moved_back', move.tenant, { move: move.id, pool, pauseMs: pausedMs });
    return { pool, pauseMs: pausedMs };
  }

  private async close(move: MoveRecord, state: 'finalized' | 'rolled_back', action: string): Promise<MoveRecord> {
    return inTransaction(this.options.platform, async (tx) => {
      await audit(tx, action, move.tenant, { move: move.id });
      return this.update(move, { state, finished_at: new Date() }, tx);
    });
  }

  // ── Schemas ───────────────────────────────────────────────────────────────────────────

  /**
   * An empty copy of the tenant's schema on the target: its role (shared when both pools are
   * on one cluster), granted to the target pool's app login, and exactly the migrations the
   * source schema has run, so the tables match column for column.
   */
  private async prepareTarget(ctx: MoveContext): Promise<string[]> {
    const { rows } = await ctx.source.db.query<{ id: string }>(`SELECT id FROM ${ident(ctx.schema)}.${ident(TENANT_MIGRATIONS_TABLE)}`);
    const appliedOnSource = new Set(rows.map((r) => r.id));
    const all = this.options.migrations(Number.MAX_SAFE_INTEGER);
    const unknown = [...appliedOnSource].filter((id) => !all.some((m) => m.id === id));
    if (unknown.length > 0) throw new Error(`the source schema has migrations this mover does not know (${unknown.join(', ')}); run a mover of a newer release`);
    const migrations = all.filter((m) => appliedOnSource.has(m.id));
    return inTransaction(ctx.target.db, async (client) => {
      await hardenPoolDatabase(client);
      await client.query(`DROP SCHEMA IF EXISTS ${ident(ctx.schema)} CASCADE`);
      const { rows: existing } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ctx.role]);
      if (existing.length === 0) await client.query(`CREATE ROLE ${ident(ctx.role)} NOLOGIN NOINHERIT`);
      await unfence(client, { role: ctx.role, appRole: ctx.target.appRole });
      if (!ctx.sameCluster) await setTenantStatementTimeout(client, ctx.slug, ctx.statementTimeoutMs);
      await client.query(`CREATE SCHEMA ${ident(ctx.schema)} AUTHORIZATION ${ident(ctx.role)}`);
      await client.query(`SET LOCAL ROLE ${ident(ctx.role)}`);
      await client.query(`SET LOCAL search_path TO ${ident(ctx.schema)}`);
      const ran = await applyMigrations(client, migrations, { table: TENANT_MIGRATIONS_TABLE, where: `schema ${ctx.schema} on ${ctx.target.name}` });
      await client.query('RESET ROLE');
      return ran;
    });
  }

  /** Runs the tenant migrations up to `release` on the schema in `db`, as the tenant's role. */
  private async migrateAs(db: Pool, ctx: MoveContext, release: number): Promise<string[]> {
    return inTransaction(db, async (client) => {
      await client.query(`SET LOCAL ROLE ${ident(ctx.role)}`);
      await client.query(`SET LOCAL search_path TO ${ident(ctx.schema)}`);
      return applyMigrations(client, this.options.migrations(release), { table: TENANT_MIGRATIONS_TABLE, where: `schema ${ctx.schema}` });
    });
  }

  /**
   * Copies every table of the schema from one server to the other in one transaction on each:
   * the source's opened by `begin` (a snapshot), the target's replacing what it held.
   */
  private async copyAll(from: Pool, to: Pool, schema: string, begin: (source: PoolClient) => Promise<void>): Promise<number> {
    const source = await from.connect();
    try {
      await begin(source);
      const tables: TenantTable[] = await tenantTables(source, schema);
      const rows = await inTransaction(to, (target) => copySchema(source, target, schema, tables));
      await source.query('COMMIT');
      return rows;
    } catch (error) {
      await source.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      source.release();
    }
  }

  /** Drops the tenant's schema on one server; its role too when no other pool of that cluster uses it. */
  private async dropTenant(db: Pool, ctx: MoveContext, appRole: string): Promise<void> {
    await inTransaction(db, async (client) => {
      await client.query(`DROP SCHEMA IF EXISTS ${ident(ctx.schema)} CASCADE`);
      if (ctx.sameCluster) {
        // The role is the one the other pool serves the tenant with; only this pool's grant goes.
        const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole]);
        if (rows.length > 0) await client.query(`REVOKE ${ident(ctx.role)} FROM ${ident(appRole)}`).catch(() => undefined);
        return;
      }
      const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ctx.role]);
      if (rows.length > 0) {
        await client.query(`DROP OWNED BY ${ident(ctx.role)}`);
        await client.query(`DROP ROLE ${ident(ctx.role)}`);
      }
    });
  }

  // ── Plumbing ──────────────────────────────────────────────────────────────────────────

  private async context(move: MoveRecord): Promise<MoveContext> {
    const [source, target] = [(await this.pool(move.from))!, (await this.pool(move.to))!];
    const tenant = await this.tenantRow(move.tenant);
    const connect = (pool: PoolInfo) => {
      const db = new Pool({ connectionString: pool.databaseUrl, max: 4, connectionTimeoutMillis: 5_000, application_name: 'mysaas-mover' });
      db.on('error', () => undefined);
      return { ...pool, db };
    };
    const ctx: MoveContext = {
      slug: move.tenant,
      schema: tenantSchemaName(move.tenant),
      role: tenantRoleName(move.tenant),
      replication: replicationName(move.id),
      statementTimeoutMs: tenant?.statement_timeout_ms ?? null,
      source: connect(source),
      target: connect(target),
      sameCluster: false,
    };
    try {
      const [sourceCluster, targetCluster] = await Promise.all([clusterId(ctx.source.db), clusterId(ctx.target.db)]);
      ctx.sameCluster = sourceCluster === targetCluster;
      if (ctx.sameCluster && (await databaseName(ctx.source.db)) === (await databaseName(ctx.target.db))) {
        throw new Error(`pools ${source.name} and ${target.name} use the same database; a move needs another database`);
      }
    } catch (error) {
      await closeContext(ctx);
      throw error;
    }
    return ctx;
  }

  private async locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    await this.get(id);
    const busy = () => new MoveException(MoveExceptionCode.BUSY, `a mover is working on move ${id} right now; wait for it (saas moves show ${id})`);
    return withRunnerLock(this.options.platform, MOVE_LOCK, id, busy, work);
  }

  private async update(move: MoveRecord, changes: Partial<Pick<MoveRow, 'state' | 'method' | 'done_steps' | 'error' | 'attempts' | 'copy_ms' | 'finished_at'>> & { rows_copied?: number }, db: Queryable = this.options.platform): Promise<MoveRecord> {
    const entries = Object.entries(changes);
    const sets = entries.map(([column], i) => `${ident(column)} = $${i + 2}`);
    const { rows } = await db.query<MoveRow>(
      `UPDATE platform.tenant_moves SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${MOVE_COLUMNS}`,
      [move.id, ...entries.map(([, value]) => value)],
    );
    return moveRecord(rows[0]!);
  }

  private async record(moveId: string, step: string, outcome: MoveEvent['outcome'], ms: number | null, details: Record<string, unknown>): Promise<void> {
    await this.event(this.options.platform, moveId, step, outcome, ms, details);
  }

  private async event(db: Queryable, moveId: string, step: string, outcome: MoveEvent['outcome'], ms: number | null, details: Record<string, unknown>): Promise<void> {
    await db.query('INSERT INTO platform.tenant_move_events (move_id, step, outcome, ms, details) VALUES ($1, $2, $3, $4, $5)', [moveId, step, outcome, ms, details]);
  }

  private async tenantRow(slug: TenantSlug) {
    const { rows } = await this.options.platform.query<{ id: string; slug: TenantSlug; status: string; pool: string; statement_timeout_ms: number | null }>(
      'SELECT id, slug, status, pool, statement_timeout_ms FROM platform.tenants WHERE slug = $1',
      [slug],
    );
    return rows[0];
  }

  private async pool(name: string): Promise<PoolInfo | undefined> {
    const { rows } = await this.options.platform.query<{ name: string; release: number; status: PoolStatus; database_url: string; app_role: string }>(
      'SELECT name, release, status, database_url, app_role FROM platform.pools WHERE name = $1',
      [name],
    );
    const row = rows[0];
    return row === undefined ? undefined : { name: row.name, release: row.release, status: row.status, databaseUrl: row.database_url, appRole: row.app_role };
  }

  private async openMove(tenantId: string): Promise<{ id: string; state: MoveState } | undefined> {
    const { rows } = await this.options.platform.query<{ id: string; state: MoveState }>(
      "SELECT id, state FROM platform.tenant_moves WHERE tenant_id = $1 AND state NOT IN ('finalized', 'rolled_back')",
      [tenantId],
    );
    return rows[0];
  }

  private async assertLogical(source: PoolInfo): Promise<void> {
    const db = new Pool({ connectionString: source.databaseUrl, max: 1, connectionTimeoutMillis: 5_000 });
    db.on('error', () => undefined);
    try {
      const level = await walLevel(db);
      if (level !== 'logical') {
        throw new MoveException(
          MoveExceptionCode.METHOD_UNAVAILABLE,
          `pool ${source.name}'s server has wal_level=${level}, so it cannot stream changes; set wal_level=logical there (a restart), or move with --method blocking (a longer hold)`,
        );
      }
    } finally {
      await db.end();
    }
  }

  /** Both servers answer, and the target has no schema of the tenant's name (nor is it the source's database). */
  private async assertTargetEmpty(source: PoolInfo, target: PoolInfo, slug: TenantSlug): Promise<void> {
    const probe = async (pool: PoolInfo, work: (db: Queryable) => Promise<boolean>) => {
      const db = new Pool({ connectionString: pool.databaseUrl, max: 1, connectionTimeoutMillis: 5_000 });
      db.on('error', () => undefined);
      try {
        return await work(db);
      } catch (error) {
        throw new MoveException(
          MoveExceptionCode.POOL_UNREACHABLE,
          `the database server of pool ${pool.name} is unreachable (${error instanceof Error ? error.message : String(error)}); nothing was changed`,
        );
      } finally {
        await db.end();
      }
    };
    await probe(source, async (db) => (await db.query('SELECT 1')).rows.length > 0);
    const taken = await probe(target, async (db) => (await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tenantSchemaName(slug)])).rows.length > 0);
    if (taken) {
      throw new MoveException(
        MoveExceptionCode.TARGET_NOT_EMPTY,
        `pool ${target.name}'s database already has a schema ${tenantSchemaName(slug)}; remove it (it is not this tenant's live data) or choose another pool`,
      );
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertSame(expected: readonly TableChecksum[], actual: readonly TableChecksum[], what: string): void {
  const differences = checksumDifferences(expected, actual);
  if (differences.length > 0) throw new Error(`${what} differs from its source: ${differences.join('; ')}`);
}

async function audit(db: Queryable, action: string, tenant: string, details: Record<string, unknown>): Promise<void> {
  await db.query('INSERT INTO platform.audit_log (actor, action, tenant_slug, details) VALUES ($1, $2, $3, $4)', ['mover', action, tenant, details]);
}

async function databaseName(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ name: string }>('SELECT current_database() AS name');
  return rows[0]!.name;
}

async function closeContext(ctx: MoveContext): Promise<void> {
  await Promise.all([ctx.source.db.end().catch(() => undefined), ctx.target.db.end().catch(() => undefined)]);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
