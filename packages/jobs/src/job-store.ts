import { Pool } from 'pg';
import { listenForNotifications, type NotificationListener } from '@mysaas/db';
import type { ScopedTenant } from '@mysaas/tenant-runtime';
import type { TenantJobPolicy } from './fair-scheduler';

/**
 * Jobs a tenant enqueued together (one `enqueueMany`) with the same name, options and cost,
 * accepted and not all handed to the queue yet: one row in the store, however many jobs.
 */
export interface StoredBatch {
  id: string;
  tenant: ScopedTenant;
  name: string;
  /** Each job's data, in enqueue order: job `i` of the batch is `datas[i]`. */
  datas: unknown[];
  opts: Record<string, unknown>;
  cost: number;
  enqueuedAt: Date;
}

/** A job to store: its handler's name, its data and queue options, and its cost in turns. */
export interface NewJob {
  name: string;
  data: unknown;
  opts: Record<string, unknown>;
  cost: number;
}

/** What the dispatcher needs to schedule a stored batch's jobs, without their data. */
export interface StoredBatchHead {
  id: string;
  tenantId: string;
  cost: number;
  /** Its jobs, and how many of them (from the first) were handed to the queue already. */
  size: number;
  taken: number;
  enqueuedAt: Date;
}

/** How far into a batch the dispatcher has handed jobs over: its first `taken` are in the queue. */
export interface HandedOver {
  batch: string;
  taken: number;
}

/**
 * The queue's id for job `index` of stored batch `batch`: `b<batch>` for the first,
 * `b<batch>.<index>` for the others. The same job always gets the same id, so handing it over
 * twice queues it once (ADR 16); the first job keeps the id a store of one row per job gave it.
 */
export function storedJobId(batch: string, index: number): string {
  return index === 0 ? `b${batch}` : `b${batch}.${index}`;
}

/** The batch and index of a job id `storedJobId` made; undefined for any other id. */
export function parseStoredJobId(jobId: string): { batch: string; index: number } | undefined {
  const match = /^b(\d+)(?:\.(\d+))?$/.exec(jobId);
  return match === null ? undefined : { batch: match[1]!, index: match[2] === undefined ? 0 : Number(match[2]) };
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
* The durable backlog in front of the queue (ADR 16): a job is acknowledged once it is in a
 * row here, and leaves only after the dispatcher has handed it to BullMQ (the same id, so handing
 * it over twice queues it once). A row is a batch: the jobs one `enqueueMany` accepted together,
 * so a burst of a million jobs is a thousand rows, written, read and deleted as such, not a
 * million (ADR 16, "one row per batch"). Also the paused tenants, which every dispatcher
 * obeys. Postgres, whichever backend BullMQ uses: the job service's system of record.
 */
export class PostgresJobStore {
  private readonly pool: Pool;
  private readonly table: string;
  private readonly pausedTable: string;
  private readonly countsTable: string;
  private readonly insertsLock: string;
  /** Told of every commit that stores jobs or changes a pause (NOTIFY), so a dispatcher reads the store when there is news, not on a timer. */
  private readonly channel: string;

  constructor(
    private readonly url: string,
    private readonly schema = 'mysaas_jobs',
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`a job store schema is a plain lower-case name, not ${schema}`);
    this.pool = new Pool({ connectionString: url, max: 4, application_name: 'mysaas-jobs' });
    this.pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
    this.table = `${schema}.batches`;
    this.pausedTable = `${schema}.pauses`;
    this.countsTable = `${schema}.backlog_counts`;
    this.insertsLock = `${schema}:inserts`;
    this.channel = `${schema}_news`;
  }

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS ${this.schema};
      -- datas and opts are json (kept as written), not jsonb: the store only keeps them, and a
      -- batch of thousands would be parsed into jsonb and printed back for nothing.
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id          bigserial PRIMARY KEY,
        tenant_id   text NOT NULL,
        tenant      json NOT NULL,
        name        text NOT NULL,
        datas       json NOT NULL,
        opts        json NOT NULL,
        cost        double precision NOT NULL DEFAULT 1,
        size        integer NOT NULL CHECK (size > 0),
        taken       integer NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken < size),
        enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX IF NOT EXISTS batches_tenant ON ${this.table} (tenant_id, id);
      -- Each tenant's jobs in the store (not rows: jobs), kept by addMany and the hand-overs
      -- (readNew, handOver): the backlog limit reads one row instead of adding up the tenant's.
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
    // With no insert or read under way (the inserts lock, taken alone): the jobs of a store
    // that kept one row per job (the table "backlog") become batches of one, with the same ids,
    // so a job an earlier dispatcher handed over keeps its queue id; then every tenant's count
    // is taken again from the rows, so a store written without counts starts right.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.insertsLock]);
      const { rows: old } = await client.query<{ found: string | null }>(`SELECT to_regclass($1)::text AS found`, [`${this.schema}.backlog`]);
      if (old[0]!.found !== null) {
        await client.query(`
          INSERT INTO ${this.table} (id, tenant_id, tenant, name, datas, opts, cost, size, enqueued_at)
          SELECT id, tenant_id, tenant::json, name, json_build_array(data), opts::json, cost, 1, enqueued_at FROM ${this.schema}.backlog ORDER BY id;
          SELECT setval(pg_get_serial_sequence('${this.table}', 'id'),
                        greatest((SELECT max(id) FROM ${this.table}), (SELECT last_value FROM ${this.schema}.backlog_id_seq), 1));
          DROP TABLE ${this.schema}.backlog;
        `);
      }
      await client.query(`DELETE FROM ${this.countsTable}`);
      await client.query(`INSERT INTO ${this.countsTable} (tenant_id, queued) SELECT tenant_id, sum(size - taken) FROM ${this.table} GROUP BY tenant_id`);
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

  /** Stores a job unless its tenant already has `maxQueued` waiting (see `addMany`); its queue id. */
  async add(
    job: NewJob & { tenant: ScopedTenant },
    maxQueued?: number,
  ): Promise<{ ok: true; id: string } | { ok: false; queued: number; limit: number }> {
    const stored = await this.addMany(job.tenant, [job], maxQueued);
    return stored.ok ? { ok: true, id: stored.ids[0]! } : stored;
  }

  /**
   * Stores many jobs of one tenant at once, or none when they would take it past `maxQueued`
   * (default: its plan's; then says how many wait already and the limit); resolves with their
   * queue ids, in order. Jobs in a row with the same name, options and cost are one batch (one
   * row): an `enqueueMany` is one. A tenant's inserts take turns (an advisory lock on the
   * tenant for the transaction), so concurrent enqueues cannot overshoot the limit. What waits
   * is the tenant's row in `backlog_counts` (one read, not a sum over its backlog); a batch it
   * would refuse is checked against the rows first (and the counter set right), so a counter
   * that drifted never refuses wrongly.
   */
  async addMany(
    tenant: ScopedTenant,
    jobs: readonly NewJob[],
    maxQueued?: number,
  ): Promise<{ ok: true; ids: string[] } | { ok: false; queued: number; limit: number }> {
    if (jobs.length === 0) return { ok: true, ids: [] };
    const batches = batchesOf(jobs);
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
        queued = await this.queued(tenant.id, client);
        await this.setCount(client, tenant.id, queued);
        if (queued + jobs.length > limit) {
          await client.query('COMMIT'); // keeps the corrected count
          return { ok: false, queued, limit };
        }
      }
      // The NOTIFY rides in the same statement (sent at commit): no round trip of its own.
      const { rows } = await client.query<{ id: string; size: number }>(
        `WITH stored AS (
           INSERT INTO ${this.table} (tenant_id, tenant, name, datas, opts, cost, size)
           SELECT $1, $2, b.name, b.datas, b.opts, b.cost, b.size
             FROM unnest($3::text[], $4::json[], $5::json[], $6::float8[], $7::int[]) WITH ORDINALITY AS b(name, datas, opts, cost, size, n)
            ORDER BY b.n
           RETURNING id, size
         )
         SELECT stored.id, stored.size FROM stored, (SELECT pg_notify($8, '')) told`,
        [
          tenant.id,
          JSON.stringify(tenant),
          batches.map((b) => b.name),
          batches.map((b) => JSON.stringify(b.datas)),
          batches.map((b) => b.opts),
          batches.map((b) => b.cost),
          batches.map((b) => b.datas.length),
          this.channel,
        ],
      );
      await client.query(
        `INSERT INTO ${this.countsTable} (tenant_id, queued) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET queued = ${this.countsTable}.queued + excluded.queued`,
        [tenant.id, jobs.length],
      );
      await client.query('COMMIT');
      // Ids are taken in the order of the rows (ORDER BY b.n); RETURNING's order is not promised.
      const ordered = rows.map((r) => ({ id: r.id, size: r.size })).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      return { ok: true, ids: ordered.flatMap(({ id, size }) => Array.from({ length: size }, (_, i) => storedJobId(id, i))) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Stored batches past the id `after`, oldest first, `limit` at most; those within the first
   * `withPayloadUpTo` jobs come with their jobs' data (the dispatcher keeps them in memory up to
   * a budget, and `take`s the rest at their turn). The hand-overs since the last read
   * (`handedOver`) are recorded in the same transaction (see `handOver`).
   *
   * An id cursor is safe only because of a lock: ids are taken in insert order but committed in
   * any order, so a row could commit after a read that had already moved past its id. Inserts
   * hold a shared advisory lock from before they take ids until they commit; this read takes it
   * exclusively first, so every insert that took an id has committed when it looks, and every
   * later one takes a higher id. The cost is a few milliseconds of waiting for inserts, once per
   * poll, instead of a write per job to mark it read.
   */
  async readNew(options: { limit: number; after: string; withPayloadUpTo: number; handedOver: readonly HandedOver[] }): Promise<Array<StoredBatchHead & { batch?: StoredBatch }>> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.insertsLock]);
      if (options.handedOver.length > 0) await this.recordHandOver(client, options.handedOver);
      // A statement of its own: its snapshot is taken after the lock (READ COMMITTED).
      const { rows } = await client.query<BatchRow & { tenant: ScopedTenant | null; datas: unknown[] | null; opts: Record<string, unknown> | null }>(
        `WITH picked AS (
           SELECT b.*, sum(b.size - b.taken) OVER (ORDER BY b.id) AS upto FROM ${this.table} b WHERE b.id > $3 ORDER BY b.id LIMIT $1
         )
         SELECT id, tenant_id, cost, size, taken, enqueued_at, name,
                CASE WHEN upto <= $2 THEN tenant END AS tenant,
                CASE WHEN upto <= $2 THEN datas END AS datas,
                CASE WHEN upto <= $2 THEN opts END AS opts
           FROM picked ORDER BY id`,
        [options.limit, options.withPayloadUpTo, options.after],
      );
      await client.query('COMMIT');
      return rows.map((r) => ({
        ...headOf(r),
        ...(r.datas === null ? {} : { batch: { id: r.id, tenant: r.tenant!, name: r.name, datas: r.datas, opts: r.opts!, cost: r.cost, enqueuedAt: r.enqueued_at } }),
      }));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The batches with these ids, with their jobs' data (those gone are left out). */
  async take(ids: readonly string[]): Promise<StoredBatch[]> {
    const { rows } = await this.pool.query<BatchRow & { tenant: ScopedTenant; datas: unknown[]; opts: Record<string, unknown> }>(
      `SELECT id, tenant_id, tenant, name, datas, opts, cost, size, taken, enqueued_at FROM ${this.table} WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, name: r.name, datas: r.datas, opts: r.opts, cost: r.cost, enqueuedAt: r.enqueued_at }));
  }

  /**
   * Records that the first `taken` jobs of each batch are in the queue: a batch whose jobs all
   * are leaves the store, the others keep the jobs still to go; each tenant's count drops by the
   * jobs newly handed over. Idempotent: a batch already recorded further is left as it is.
   */
  async handOver(progress: readonly HandedOver[]): Promise<void> {
    if (progress.length === 0) return;
    await this.recordHandOver(this.pool, progress);
  }

  private async recordHandOver(db: Pick<Pool, 'query'>, progress: readonly HandedOver[]): Promise<void> {
    await db.query(
      `WITH wanted AS (
         SELECT b.id, b.tenant_id, b.taken AS was, least(w.taken, b.size) AS now, b.size
           FROM unnest($1::bigint[], $2::int[]) AS w(id, taken) JOIN ${this.table} b ON b.id = w.id
          WHERE w.taken > b.taken
       ), gone AS (
         DELETE FROM ${this.table} b USING wanted w WHERE b.id = w.id AND w.now >= w.size RETURNING w.tenant_id, w.now - w.was AS n
       ), moved AS (
         UPDATE ${this.table} b SET taken = w.now FROM wanted w WHERE b.id = w.id AND w.now < w.size RETURNING w.tenant_id, w.now - w.was AS n
       ), counted AS (
         SELECT tenant_id, sum(n) AS n FROM (SELECT * FROM gone UNION ALL SELECT * FROM moved) d GROUP BY tenant_id
       )
       UPDATE ${this.countsTable} c SET queued = greatest(0, c.queued - counted.n) FROM counted WHERE c.tenant_id = counted.tenant_id`,
      [progress.map((p) => p.batch), progress.map((p) => p.taken)],
    );
  }

  private async setCount(client: Pick<Pool, 'query'>, tenantId: string, queued: number): Promise<void> {
    await client.query(
      `INSERT INTO ${this.countsTable} (tenant_id, queued) VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET queued = excluded.queued`,
      [tenantId, queued],
    );
  }

  /** The tenant's jobs in the store, counted from its rows. */
  async queued(tenantId: string, db: Pick<Pool, 'query'> = this.pool): Promise<number> {
    const { rows } = await db.query<{ n: string | null }>(`SELECT sum(size - taken) AS n FROM ${this.table} WHERE tenant_id = $1`, [tenantId]);
    return Number(rows[0]!.n ?? 0);
  }

  /** Holds the tenant's jobs for `reason` (idempotent); jobs already handed to the workers finish. */
  async pause(tenantId: string, reason: PauseReason = 'operator'): Promise<void> {
    await this.pool.query(
      `WITH held AS (INSERT INTO ${this.pausedTable} (tenant_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING) SELECT pg_notify($3, '')`,
      [tenantId, reason, this.channel],
    );
  }

  /** Lifts `reason`'s hold (idempotent); the jobs go on, in order, once no reason holds them. */
  async resume(tenantId: string, reason: PauseReason = 'operator'): Promise<void> {
    await this.pool.query(`WITH lifted AS (DELETE FROM ${this.pausedTable} WHERE tenant_id = $1 AND reason = $2) SELECT pg_notify($3, '')`, [
      tenantId,
      reason,
      this.channel,
    ]);
  }

  /**
   * Calls `onNews` after every commit that stored jobs or changed a pause, and each time it
   * starts listening (a notification sent while it was not is lost; `onError` is told of the
   * loss, and it reconnects), on a connection of its own, until closed. A reader still reads
   * now and then without news.
   */
  listen(onNews: () => void, onError: (error: unknown) => void): NotificationListener {
    return listenForNotifications({
      url: this.url,
      channel: this.channel,
      applicationName: 'mysaas-jobs-listen',
      onNotification: onNews,
      onListening: onNews,
      onLost: (error) => onError(error ?? new Error('the job store\'s notification connection ended')),
    });
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
         SELECT tenant_id, sum(size - taken) AS queued, min(enqueued_at) AS oldest FROM ${this.table}
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

interface BatchRow {
  id: string;
  tenant_id: string;
  name: string;
  cost: number;
  size: number;
  taken: number;
  enqueued_at: Date;
}

function headOf(row: BatchRow): StoredBatchHead {
  return { id: row.id, tenantId: row.tenant_id, cost: row.cost, size: row.size, taken: row.taken, enqueuedAt: row.enqueued_at };
}

/** Runs of jobs with the same name, options and cost: one row each. */
function batchesOf(jobs: readonly NewJob[]): Array<{ name: string; opts: string; cost: number; datas: unknown[] }> {
  const batches: ReturnType<typeof batchesOf> = [];
  for (const job of jobs) {
    const opts = JSON.stringify(job.opts);
    const last = batches[batches.length - 1];
    if (last !== undefined && last.name === job.name && last.opts === opts && last.cost === job.cost) last.datas.push(job.data);
    else batches.push({ name: job.name, opts, cost: job.cost, datas: [job.data] });
  }
  return batches;
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
