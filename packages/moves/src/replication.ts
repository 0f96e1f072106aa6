import { Client, type Pool, type PoolClient } from 'pg';
import { ident, literal, pgErrorCode, type Queryable } from '@mysaas/db';

const OBJECT_IN_USE = '55006';

/**
 * The logical replication of one move: a publication of the tenant's schema and a slot on
 * the source server, a subscription on the target server. All three share one name, derived
 * from the move id, so a resumed mover finds (and can drop) what an earlier run made.
 */
export function replicationName(moveId: string): string {
  return `mysaas_move_${moveId.replace(/-/g, '').slice(0, 16)}`;
}

export async function walLevel(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ wal_level: string }>('SHOW wal_level');
  return rows[0]!.wal_level;
}

/** The server's identity: two pools on one Postgres cluster share roles, so this matters. */
export async function clusterId(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
  return rows[0]!.id;
}

export interface SnapshotSlot {
  /** Name of the snapshot the slot exported: import it with SET TRANSACTION SNAPSHOT. */
  snapshot: string;
  /** Ends the replication connection, and with it the exported snapshot. */
  close(): Promise<void>;
}

/**
 * Creates the publication (first: pgoutput reads publications as of each change) and then a
 * logical slot on the source that exports its starting snapshot. A copy made in that snapshot
 * plus the changes the slot streams afterwards is exactly the source: nothing missed,
 * nothing twice. The snapshot lives while the returned connection stays open and idle.
 */
export async function createSlotWithSnapshot(source: Pool, sourceUrl: string, name: string, schema: string): Promise<SnapshotSlot> {
  await source.query(`CREATE PUBLICATION ${ident(name)} FOR TABLES IN SCHEMA ${ident(schema)}`);
  const replication = new Client({ connectionString: sourceUrl, replication: 'database', application_name: 'mysaas-mover' } as ConstructorParameters<typeof Client>[0]);
  replication.on('error', () => undefined);
  await replication.connect();
  try {
    const { rows } = await replication.query<{ snapshot_name: string }>(`CREATE_REPLICATION_SLOT ${ident(name)} LOGICAL pgoutput (SNAPSHOT 'export')`);
    return { snapshot: rows[0]!.snapshot_name, close: () => replication.end() };
  } catch (error) {
    await replication.end().catch(() => undefined);
    throw error;
  }
}

/** Opens a read-only transaction on `client` that sees exactly the slot's exported snapshot. */
export async function beginInSnapshot(client: PoolClient, snapshot: string): Promise<void> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await client.query(`SET TRANSACTION SNAPSHOT ${literal(snapshot)}`);
}

/**
 * Starts streaming the changes made since the snapshot into the target: a subscription that
 * uses the slot made above and copies nothing itself (the mover copied already).
 */
export async function subscribe(target: Queryable, name: string, sourceUrl: string): Promise<void> {
  await target.query(
    `CREATE SUBSCRIPTION ${ident(name)} CONNECTION ${literal(sourceUrl)} PUBLICATION ${ident(name)}
       WITH (create_slot = false, slot_name = ${literal(name)}, copy_data = false, enabled = true)`,
  );
}

export async function subscriptionExists(target: Queryable, name: string): Promise<boolean> {
  const { rows } = await target.query('SELECT 1 FROM pg_subscription WHERE subname = $1', [name]);
  return rows.length > 0;
}

/** True once the subscription's apply worker runs (it has connected to the source). */
export async function subscriptionStreaming(target: Queryable, name: string): Promise<boolean> {
  const { rows } = await target.query<{ streaming: boolean }>(
    'SELECT bool_or(pid IS NOT NULL AND relid IS NULL) AS streaming FROM pg_stat_subscription WHERE subname = $1',
    [name],
  );
  return rows[0]?.streaming === true;
}

/** The subscription's last error as Postgres reports it, if its worker keeps failing. */
export async function subscriptionErrors(target: Queryable, name: string): Promise<number> {
  const { rows } = await target.query<{ errors: string }>(
    'SELECT (apply_error_count + sync_error_count)::text AS errors FROM pg_stat_subscription_stats WHERE subname = $1',
    [name],
  );
  return Number(rows[0]?.errors ?? 0);
}

/**
 * Drops whatever exists of the move's replication, on both servers (idempotent). The
 * subscription is detached from its slot before it is dropped, since the slot may live on
 * the same cluster (where DROP SUBSCRIPTION would wait on itself); the slot is dropped once
 * its walsender has let go of it.
 */
export async function dropReplication(source: Queryable, target: Queryable, name: string): Promise<void> {
  if (await subscriptionExists(target, name)) {
    await target.query(`ALTER SUBSCRIPTION ${ident(name)} DISABLE`);
    await target.query(`ALTER SUBSCRIPTION ${ident(name)} SET (slot_name = NONE)`);
    await target.query(`DROP SUBSCRIPTION ${ident(name)}`);
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await source.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [name]);
    if (rows.length === 0) break;
    if (!rows[0]!.active) {
      // Its walsender may take it again between the two statements: then wait and retry.
      const dropped = await source.query('SELECT pg_drop_replication_slot($1)', [name]).then(
        () => true,
        (error: unknown) => {
          if (pgErrorCode(error) === OBJECT_IN_USE) return false;
          throw error;
        },
      );
      if (dropped) break;
    }
    if (Date.now() > deadline) throw new Error(`replication slot ${name} on the source is still in use after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await source.query(`DROP PUBLICATION IF EXISTS ${ident(name)}`);
}
