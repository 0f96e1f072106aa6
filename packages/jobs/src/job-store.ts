import { Pool } from 'pg';
import type { ScopedTenant } from '@mysaas/tenant-runtime';

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

  constructor(
    url: string,
    private readonly schema = 'mysaas_jobs',
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`a job store schema is a plain lower-case name, not ${schema}`);
    this.pool = new Pool({ connectionString: url, max: 4, application_name: 'mysaas-jobs' });
    this.pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
    this.table = `${schema}.backlog`;
    this.pausedTable = `${schema}.paused_tenants`;
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
        enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        seen        boolean NOT NULL DEFAULT false
      );
      CREATE INDEX IF NOT EXISTS backlog_tenant ON ${this.table} (tenant_id, id);
      CREATE INDEX IF NOT EXISTS backlog_unseen ON ${this.table} (id) WHERE NOT seen;
      CREATE TABLE IF NOT EXISTS ${this.pausedTable} (
        tenant_id text PRIMARY KEY,
        paused_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  /** Stores a job unless its tenant already has `maxQueued` waiting (see `addMany`). */
  async add(job: Omit<StoredJob, 'id' | 'enqueuedAt'>, maxQueued: number): Promise<{ ok: true; id: string } | { ok: false; queued: number }> {
    const stored = await this.addMany(job.tenant, [job], maxQueued);
    return stored.ok ? { ok: true, id: stored.ids[0]! } : stored;
  }

  /**
   * Stores many jobs of one tenant at once, or none when they would take it past `maxQueued`
   * (then says how many wait already). A tenant's inserts take turns (an advisory lock on the
   * tenant for the transaction), so concurrent enqueues cannot overshoot the limit.
   */
  async addMany(
    tenant: ScopedTenant,
    jobs: ReadonlyArray<{ name: string; data: unknown; opts: Record<string, unknown>; cost: number }>,
    maxQueued: number,
  ): Promise<{ ok: true; ids: string[] } | { ok: false; queued: number }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schema}:${tenant.id}`]);
      const { rows: counted } = await client.query<{ queued: string }>(
        `SELECT count(*) AS queued FROM (SELECT 1 FROM ${this.table} WHERE tenant_id = $1 LIMIT $2) w`,
        [tenant.id, maxQueued],
      );
      const queued = Number(counted[0]!.queued);
      if (queued + jobs.length > maxQueued) {
        await client.query('ROLLBACK');
        return { ok: false, queued };
      }
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO ${this.table} (tenant_id, tenant, name, data, opts, cost)
         SELECT $1, $2, j.name, j.data, j.opts, j.cost
           FROM unnest($3::text[], $4::jsonb[], $5::jsonb[], $6::float8[]) WITH ORDINALITY AS j(name, data, opts, cost, n)
          ORDER BY j.n
         RETURNING id`,
        [tenant.id, JSON.stringify(tenant), jobs.map((j) => j.name), jobs.map((j) => JSON.stringify(j.data)), jobs.map((j) => JSON.stringify(j.opts)), jobs.map((j) => j.cost)],
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
   * Stored jobs oldest first, without their payloads, marked read: the ones not read yet, or,
   * with `after`, every one past that id (a starting dispatcher reads them all again, page by
   * page). Not an id cursor alone: ids are taken in insert order but committed in any order, and
   * a row that commits late must still be read.
   */
  async readHeads(limit: number, after?: string): Promise<StoredJobHead[]> {
    const { rows } = await this.pool.query<{ id: string; tenant_id: string; cost: number; enqueued_at: Date }>(
      `UPDATE ${this.table} b SET seen = true
         FROM (SELECT id FROM ${this.table} WHERE ${after === undefined ? 'NOT seen' : 'id > $2'} ORDER BY id LIMIT $1) picked
        WHERE b.id = picked.id
        RETURNING b.id, b.tenant_id, b.cost, b.enqueued_at`,
      after === undefined ? [limit] : [limit, after],
    );
    return rows
      .map((r) => ({ id: r.id, tenantId: r.tenant_id, cost: r.cost, enqueuedAt: r.enqueued_at }))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  async take(ids: string[]): Promise<StoredJob[]> {
    const { rows } = await this.pool.query<{ id: string; tenant: ScopedTenant; name: string; data: unknown; opts: Record<string, unknown>; cost: number; enqueued_at: Date }>(
      `SELECT id, tenant, name, data, opts, cost, enqueued_at FROM ${this.table} WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, name: r.name, data: r.data, opts: r.opts, cost: r.cost, enqueuedAt: r.enqueued_at }));
  }

  async remove(ids: string[]): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async queued(tenantId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE tenant_id = $1`, [tenantId]);
    return Number(rows[0]!.n);
  }

  async pause(tenantId: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.pausedTable} (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING`, [tenantId]);
  }

  async resume(tenantId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.pausedTable} WHERE tenant_id = $1`, [tenantId]);
  }

  async pausedTenants(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(`SELECT tenant_id FROM ${this.pausedTable}`);
    return new Set(rows.map((r) => r.tenant_id));
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
