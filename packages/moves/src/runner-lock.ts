import type { Pool } from 'pg';

/** How long to wait for a lock a runner that just died may still hold (until its server notices). */
const LOCK_WAIT_MS = 2_000;

/**
 * Runs `work` holding a session advisory lock on (`kind`, `id`) in the control database, so one
 * runner at a time works on a move or a rollout; Postgres lets go of it when the runner's
 * connection dies. Gives up with `busy()` after a short wait.
 */
export async function withRunnerLock<T>(platform: Pool, kind: number, id: string, busy: () => Error, work: () => Promise<T>): Promise<T> {
  const client = await platform.connect();
  try {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [kind, id]);
      if (rows[0]!.ok) break;
      if (Date.now() >= deadline) throw busy();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [kind, id]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
