import { Pool } from 'pg';
import type { ScopedTenant } from '@mysaas/tenant-runtime';
import type { TenantJobPolicy } from './fair-scheduler';

/** A job accepted and not yet handed to the queue. */
export interface StoredJob {
  id: string;
  tenant: ScopedTenant;
  name: string;
  data: unknown;
  opts: Record<string, unknown>;
  cost: number;
  enqueuedAt: Date;
}

/** What the dispatcher needs to schedule a stored job, without its payload. */
export interface StoredJobHead {
  id: string;
  tenantId: string;
  cost: number;
  enqueuedAt: Date;
}

/** Why a tenant's jobs wait: each reason holds them until it is lifted, whatever the others do. */
export type PauseReason = 'operator' | 'suspended' | 'move';
export const PAUSE_REASONS: readonly PauseReason[] = ['operator', 'suspended', 'move'];

/** A named set of job limits (weight, cap, rate, backlog): what a tenant's plan buys. */
export interface JobPlan {
  name: string;
  weight: number;
  maxRunning: number;
  ratePerSecond: number | null;
  burst: number | null;
  maxQueued: number;
  isDefault: boolean;
}

export const PLAN_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** What the dispatcher last reported of a tenant (the store's `activity`). */
export interface TenantActivity {
  tenantId: string;
  running: number;
  startedLastMinute: number;
  updatedAt: Date;
}

/** The job service's view of one tenant, for the control plane and the metrics. */
export interface TenantJobSummary {
  tenantId: string;
  plan: string;
  pausedFor: PauseReason[];
  queued: number;
  /** Handed to the workers and not ended (running, waiting for a free worker, or between retries). */
  running: number;
  oldestQueuedAt: Date | null;
  startedLastMinute: number;
}

/**
 * The durable backlog in front of the queue (ADR 16): a job is acknowledged once it is a row
 * here, and leaves only after the dispatcher has handed it to BullMQ (same id, so handing it
 * over twice queues it once). Also the paused tenants, which every dispatcher obeys. Postgres,
 * whichever backend BullMQ uses: the job service's system of record.
 */
export class PostgresJobStore {
  private readonly pool: Pool;
  private readonly table: string;
  private readonly pausedTable: string;
  private readonly countsTable: string;
  private readonly insertsLock: string;

  constructor(
    url: string,
    private readonly schema = 'mysaas_jobs',
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`a job store schema is a plain lower-case name, not ${schema}`);
    this.pool = new Pool({ connectionString: url, max: 4, application_name: 'mysaas-jobs' });
    this.pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
    this.table = `${schema}.backlog`;
    this.pausedTable = `${schema}.pauses`;
    this.countsTable = `${schema}.backlog_counts`;
    this.insertsLock = `${schema}:inserts`;
  }

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS ${this.schema};
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id          bigserial PRIMARY KEY,
        tenant_id   text NOT NULL,
        tenant      jsonb NOT NULL,
        name        text NOT NULL,
        data        jsonb NOT NULL,
        opts        jsonb NOT NULL,
        cost        double precision NOT NULL DEFAULT 1,
        enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX IF NOT EXISTS backlog_tenant ON ${this.table} (tenant_id, id);
      -- Read by an id cursor now (readNew): no "seen" write per job.
      DROP INDEX IF EXISTS ${this.schema}.backlog_unseen;
      ALTER TABLE ${this.table} DROP COLUMN IF EXISTS seen;
      -- Each tenant's rows in backlog, kept by addMany and the deletes (readNew, remove): the
      -- backlog limit reads one row instead of counting the tenant's backlog at every enqueue.
      CREATE TABLE IF NOT EXISTS ${this.countsTable} (
        tenant_id text PRIMARY KEY,
        queued    bigint NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${this.pausedTable} (
        tenant_id text NOT NULL,
        reason    text NOT NULL CHECK (reason IN ('operator', 'suspended', 'move')),
        paused_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, reason)
      );
      CREATE TABLE IF NOT EXISTS ${this.schema}.plans (
        name            text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,30}$'),
        weight          double precision NOT NULL CHECK (weight > 0 AND weight <= 1000),
        max_running     integer NOT NULL CHECK (max_running BETWEEN 1 AND 100000),
        rate_per_second double precision CHECK (rate_per_second > 0),
        burst           double precision CHECK (burst >= 1),
        max_queued      integer NOT NULL CHECK (max_queued BETWEEN 1 AND 100000000),
        is_default      boolean NOT NULL DEFAULT false
      );
      CREATE UNIQUE INDEX IF NOT EXISTS plans_one_default ON ${this.schema}.plans (is_default) WHERE is_default;
      INSERT INTO ${this.schema}.plans (name, weight, max_running, rate_per_second, burst, max_queued, is_default) VALUES
        ('free', 1, 4, 10, 20, 20000, false),
        ('standard', 2, 32, NULL, NULL, 200000, true),
        ('business', 4, 128, NULL, NULL, 2000000, false)
      ON CONFLICT (name) DO NOTHING;
    `);
    // Counted again from the rows at each start, with no insert or read under way (the inserts
    // lock, taken alone): a store written by a version without counts starts right.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.insertsLock]);
      await client.query(`DELETE FROM ${this.countsTable}`);
      await client.query(`INSERT INTO ${this.countsTable} (tenant_id, queued) SELECT tenant_id, count(*) FROM ${this.table} GROUP BY tenant_id`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS ${this.schema}.tenant_plans (
        tenant_id text PRIMARY KEY,
        plan      text NOT NULL REFERENCES ${this.schema}.plans (name) ON UPDATE CASCADE
      );
      CREATE TABLE IF NOT EXISTS ${this.schema}.activity (
        tenant_id           text PRIMARY KEY,
        running             integer NOT NULL,
        started_last_minute integer NOT NULL,
        updated_at          timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  /** Stores a job unless its tenant already has `maxQueued` waiting (see `addMany`). */
  async add(job: Omit<StoredJob, 'id' | 'enqueuedAt'>, maxQueued?: number): Promise<{ ok: true; id: string } | { ok: false; queued: number; limit: number }> {
    const stored = await this.addMany(job.tenant, [job], maxQueued);
    return stored.ok ? { ok: true, id: stored.ids[0]! } : stored;
  }

  /**
   * Stores many jobs of one tenant at once, or none when they would take it past `maxQueued`
   * (default: its plan's; then says how many wait already and the limit). A tenant's inserts
   * take turns (an advisory lock on the tenant for the transaction), so concurrent enqueues
   * cannot overshoot the limit. What waits is the tenant's row in `backlog_counts` (one read,
   * not a count of its backlog); a batch it would refuse is checked against a count of the rows
   * first (and the counter set right), so a counter that drifted never refuses wrongly.
   */
  async addMany(
    tenant: ScopedTenant,
    jobs: ReadonlyArray<{ name: string; data: unknown; opts: Record<string, unknown>; cost: number }>,
    maxQueued?: number,
  ): Promise<{ ok: true; ids: string[] } | { ok: false; queued: number; limit: number }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schema}:${tenant.id}`]);
      // Shared among inserters; a reader takes it alone, so it sees every insert that took an id before it read (readNew).
      await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [this.insertsLock]);
      const limit = maxQueued ?? (await this.planOf(tenant.id, client)).maxQueued;
      const { rows: kept } = await client.query<{ queued: string }>(`SELECT queued FROM ${this.countsTable} WHERE tenant_id = $1`, [tenant.id]);
      let queued = Number(kept[0]?.queued ?? 0);
      if (queued + jobs.length > limit) {
        // Refused by the counter: counted for sure before saying no (and the counter set right).
        const { rows: counted } = await client.query<{ queued: string }>(
          `SELECT count(*) AS queued FROM (SELECT 1 FROM ${this.table} WHERE tenant_id = $1 LIMIT $2) w`,
          [tenant.id, limit],
        );
        queued = Number(counted[0]!.queued);
        if (queued + jobs.length > limit) {
          await client.query('ROLLBACK');
          return { ok: false, queued, limit };
        }
        const { rows: all } = await client.query<{ queued: string }>(`SELECT count(*) AS queued FROM ${this.table} WHERE tenant_id = $1`, [tenant.id]);
        await this.setCount(client, tenant.id, Number(all[0]!.queued));
      }
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO ${this.table} (tenant_id, tenant, name, data, opts, cost)
         SELECT $1, $2, j.name, j.data, j.opts, j.cost
           FROM unnest($3::text[], $4::jsonb[], $5::jsonb[], $6::float8[]) WITH ORDINALITY AS j(name, data, opts, cost, n)
          ORDER BY j.n
         RETURNING id`,
        [tenant.id, JSON.stringify(tenant), jobs.map((j) => j.name), jobs.map((j) => JSON.stringify(j.data)), jobs.map((j) => JSON.stringify(j.opts)), jobs.map((j) => j.cost)],
      );
      await client.query(
        `INSERT INTO ${this.countsTable} (tenant_id, queued) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET queued = ${this.countsTable}.queued + excluded.queued`,
        [tenant.id, rows.length],
      );
      await client.query('COMMIT');
      return { ok: true, ids: rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Stored jobs past the id `after`, oldest first, `limit` at most; the first `withPayloadUpTo`
   * come with the jobs themselves (the dispatcher keeps them in memory up to a budget, and
   * `take`s the rest at their turn), and the rows of jobs already handed to the queue
   * (`handedOver`) are deleted in the same transaction.
   *
   * An id cursor is safe only because of a lock: ids are taken in insert order but committed in
   * any order, so a row could commit after a read that had already moved past its id. Inserts
   * hold a shared advisory lock from before they take ids until they commit; this read takes it
   * exclusively first, so every insert that took an id has committed when it looks, and every
   * later one takes a higher id. The cost is a few milliseconds of waiting for inserts, once per
   * poll, instead of a write per job to mark it read.
   */
  async readNew(options: { limit: number; after: string; withPayloadUpTo: number; handedOver: readonly string[] }): Promise<Array<StoredJobHead & { job?: StoredJob }>> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.insertsLock]);
      // A statement of its own: its snapshot is taken after the lock (READ COMMITTED).
      const { rows } = await client.query<{
        id: string;
        tenant_id: string;
        tenant: ScopedTenant | null;
        name: string;
        data: unknown;
        opts: Record<string, unknown> | null;
        cost: number;
        enqueued_at: Date;
      }>(
        `WITH gone AS (
           DELETE FROM ${this.table} WHERE id = ANY($2::bigint[]) RETURNING tenant_id
         ), counted AS (
           UPDATE ${this.countsTable} c SET queued = greatest(0, c.queued - g.n)
             FROM (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id) g WHERE c.tenant_id = g.tenant_id
         ), picked AS (
           SELECT b.*, row_number() OVER (ORDER BY b.id) AS n FROM ${this.table} b WHERE b.id > $4 ORDER BY b.id LIMIT $1
         )
         SELECT id, tenant_id, cost, enqueued_at, name,
                CASE WHEN n <= $3 THEN tenant END AS tenant,
                CASE WHEN n <= $3 THEN data END AS data,
                CASE WHEN n <= $3 THEN opts END AS opts
           FROM picked ORDER BY id`,
        [options.limit, options.handedOver, options.withPayloadUpTo, options.after],
      );
      await client.query('COMMIT');
      return rows.map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
        cost: r.cost,
        enqueuedAt: r.enqueued_at,
        ...(r.opts === null ? {} : { job: { id: r.id, tenant: r.tenant!, name: r.name, data: r.data, opts: r.opts, cost: r.cost, enqueuedAt: r.enqueued_at } }),
      }));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async take(ids: string[]): Promise<StoredJob[]> {
    const { rows } = await this.pool.query<{ id: string; tenant: ScopedTenant; name: string; data: unknown; opts: Record<string, unknown>; cost: number; enqueued_at: Date }>(
      `SELECT id, tenant, name, data, opts, cost, enqueued_at FROM ${this.table} WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, name: r.name, data: r.data, opts: r.opts, cost: r.cost, enqueuedAt: r.enqueued_at }));
  }

  /** Deletes rows (handed over, or removed by hand), and takes them off their tenants' counts. */
  async remove(ids: string[]): Promise<void> {
    await this.pool.query(
      `WITH gone AS (
         DELETE FROM ${this.table} WHERE id = ANY($1::bigint[]) RETURNING tenant_id
       )
       UPDATE ${this.countsTable} c SET queued = greatest(0, c.queued - g.n)
         FROM (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id) g WHERE c.tenant_id = g.tenant_id`,
      [ids],
    );
  }

  private async setCount(client: Pick<Pool, 'query'>, tenantId: string, queued: number): Promise<void> {
    await client.query(
      `INSERT INTO ${this.countsTable} (tenant_id, queued) VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET queued = excluded.queued`,
      [tenantId, queued],
    );
  }

  async queued(tenantId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE tenant_id = $1`, [tenantId]);
    return Number(rows[0]!.n);
  }

  /** Holds the tenant's jobs for `reason` (idempotent); jobs already handed to the workers finish. */
  async pause(tenantId: string, reason: PauseReason = 'operator'): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.pausedTable} (tenant_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [tenantId, reason]);
  }

  /** Lifts `reason`'s hold (idempotent); the jobs go on, in order, once no reason holds them. */
  async resume(tenantId: string, reason: PauseReason = 'operator'): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.pausedTable} WHERE tenant_id = $1 AND reason = $2`, [tenantId, reason]);
  }

  /** The tenants something holds. */
  async pausedTenants(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM ${this.pausedTable}`);
    return new Set(rows.map((r) => r.tenant_id));
  }

  async plans(): Promise<JobPlan[]> {
    const { rows } = await this.pool.query<PlanRow>(`SELECT * FROM ${this.schema}.plans ORDER BY weight, name`);
    return rows.map(planOfRow);
  }

  /** Creates or changes a plan; `isDefault` moves the default to it. */
  async savePlan(plan: Omit<JobPlan, 'isDefault'> & { isDefault?: boolean }): Promise<JobPlan> {
    if (!PLAN_NAME.test(plan.name)) throw new RangeError(`a plan name is lower-case letters, digits and hyphens, starting with a letter (up to 31), not "${plan.name}"`);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (plan.isDefault === true) await client.query(`UPDATE ${this.schema}.plans SET is_default = false WHERE is_default AND name <> $1`, [plan.name]);
      const { rows } = await client.query<PlanRow>(
        `INSERT INTO ${this.schema}.plans (name, weight, max_running, rate_per_second, burst, max_queued, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, false))
         ON CONFLICT (name) DO UPDATE SET weight = $2, max_running = $3, rate_per_second = $4, burst = $5, max_queued = $6,
           is_default = coalesce($7, ${this.schema}.plans.is_default)
         RETURNING *`,
        [plan.name, plan.weight, plan.maxRunning, plan.ratePerSecond, plan.burst, plan.maxQueued, plan.isDefault ?? null],
      );
      await client.query('COMMIT');
      return planOfRow(rows[0]!);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Puts a tenant on a plan; false when no plan has that name. */
  async setTenantPlan(tenantId: string, plan: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${this.schema}.tenant_plans (tenant_id, plan) SELECT $1, name FROM ${this.schema}.plans WHERE name = $2
       ON CONFLICT (tenant_id) DO UPDATE SET plan = excluded.plan`,
      [tenantId, plan],
    );
    return rowCount === 1;
  }

  /** The tenant's plan, or the default plan. */
  async planOf(tenantId: string, db: Pick<Pool, 'query'> = this.pool): Promise<JobPlan> {
    const { rows } = await db.query<PlanRow>(
      `SELECT p.* FROM ${this.schema}.plans p
        WHERE p.name = (SELECT plan FROM ${this.schema}.tenant_plans WHERE tenant_id = $1) OR p.is_default
        ORDER BY p.is_default LIMIT 1`,
      [tenantId],
    );
    if (rows[0] === undefined) throw new Error(`no plan for tenant ${tenantId}, and no default plan (one plan must have is_default)`);
    return planOfRow(rows[0]);
  }

  /** The policy of every tenant with a plan of its own, and the default's: what the dispatcher obeys. */
  async policies(): Promise<{ byTenant: Map<string, TenantJobPolicy>; defaultPolicy: TenantJobPolicy }> {
    const plans = await this.plans();
    const fallback = plans.find((p) => p.isDefault);
    if (fallback === undefined) throw new Error('no default job plan (one plan must have is_default)');
    const byName = new Map(plans.map((p) => [p.name, policyOf(p)]));
    const { rows } = await this.pool.query<{ tenant_id: string; plan: string }>(`SELECT tenant_id, plan FROM ${this.schema}.tenant_plans`);
    return { byTenant: new Map(rows.map((r) => [r.tenant_id, byName.get(r.plan)!])), defaultPolicy: policyOf(fallback) };
  }

  /** The dispatcher's report: each listed tenant's jobs in flight and started in the last minute. */
  async reportActivity(activity: ReadonlyArray<Omit<TenantActivity, 'updatedAt'>>): Promise<void> {
    if (activity.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${this.schema}.activity (tenant_id, running, started_last_minute, updated_at)
       SELECT * , now() FROM unnest($1::text[], $2::int[], $3::int[])
       ON CONFLICT (tenant_id) DO UPDATE SET running = excluded.running, started_last_minute = excluded.started_last_minute, updated_at = now()`,
      [activity.map((a) => a.tenantId), activity.map((a) => a.running), activity.map((a) => a.startedLastMinute)],
    );
    await this.pool.query(`DELETE FROM ${this.schema}.activity WHERE running = 0 AND started_last_minute = 0`);
  }

  /**
   * Each tenant's jobs as the service sees them: those with something queued, in flight,
   * started lately or paused (or just `tenantIds`, each reported even when idle). The
   * dispatcher's figures older than `staleAfterMs` count as zero (no dispatcher runs).
   */
  async summaries(tenantIds?: readonly string[], staleAfterMs = 10_000): Promise<TenantJobSummary[]> {
    const { rows } = await this.pool.query<{
      tenant_id: string;
      plan: string;
      paused_for: PauseReason[] | null;
      queued: string | null;
      oldest: Date | null;
      running: number | null;
      started_last_minute: number | null;
    }>(
      `WITH wanted AS (
         SELECT unnest($1::text[]) AS tenant_id WHERE $1 IS NOT NULL
         UNION
         SELECT tenant_id FROM (
           SELECT tenant_id FROM ${this.table}
           UNION SELECT tenant_id FROM ${this.schema}.activity
           UNION SELECT tenant_id FROM ${this.pausedTable}
         ) known WHERE $1 IS NULL
       ), backlog AS (
         SELECT tenant_id, count(*) AS queued, min(enqueued_at) AS oldest FROM ${this.table}
          WHERE tenant_id IN (SELECT tenant_id FROM wanted) GROUP BY tenant_id
       ), fresh AS (
         SELECT * FROM ${this.schema}.activity WHERE updated_at > now() - make_interval(secs => $2::float8 / 1000)
       )
       SELECT w.tenant_id,
              coalesce(tp.plan, (SELECT name FROM ${this.schema}.plans WHERE is_default)) AS plan,
              (SELECT array_agg(reason ORDER BY reason) FROM ${this.pausedTable} p WHERE p.tenant_id = w.tenant_id) AS paused_for,
              b.queued, b.oldest, f.running, f.started_last_minute
         FROM wanted w
         LEFT JOIN backlog b USING (tenant_id)
         LEFT JOIN fresh f USING (tenant_id)
         LEFT JOIN ${this.schema}.tenant_plans tp USING (tenant_id)
        ORDER BY w.tenant_id`,
      [tenantIds === undefined ? null : [...tenantIds], staleAfterMs],
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      plan: r.plan,
      pausedFor: r.paused_for ?? [],
      queued: Number(r.queued ?? 0),
      running: r.running ?? 0,
      oldestQueuedAt: r.oldest,
      startedLastMinute: r.started_last_minute ?? 0,
    }));
  }

  /**
   * The dispatcher's lock, held on a connection of its own until released: one dispatcher per
   * store at a time. Undefined when another holds it.
   */
  async lead(): Promise<{ release(): Promise<void> } | undefined> {
    const key = `${this.schema}:dispatcher`;
    const client = await this.pool.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
    if (!rows[0]!.ok) {
      client.release();
      return undefined;
    }
    return {
      release: async () => {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
        client.release();
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface PlanRow {
  name: string;
  weight: number;
  max_running: number;
  rate_per_second: number | null;
  burst: number | null;
  max_queued: number;
  is_default: boolean;
}

function planOfRow(row: PlanRow): JobPlan {
  return {
    name: row.name,
    weight: row.weight,
    maxRunning: row.max_running,
    ratePerSecond: row.rate_per_second,
    burst: row.burst,
    maxQueued: row.max_queued,
    isDefault: row.is_default,
  };
}

function policyOf(plan: JobPlan): TenantJobPolicy {
  return {
    weight: plan.weight,
    maxRunning: plan.maxRunning,
    maxQueued: plan.maxQueued,
    ...(plan.ratePerSecond === null ? {} : { ratePerSecond: plan.ratePerSecond }),
    ...(plan.burst === null ? {} : { burst: plan.burst }),
  };
}
