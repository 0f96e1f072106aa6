import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Mover } from '../../src';
import { replicationName } from '../../src/replication';
import { createMoveFixture, MIGRATIONS, migrationsFor, type MoveFixture } from '../move-fixture';
import { pgErrorCode, PgErrorCode } from '@mysaas/db';
import type { TenantSlug } from '@mysaas/tenancy';

/**
 * A live move from a server with wal_level=logical (an embedded Postgres of its own) to
 * another cluster: the copy runs while the tenant keeps writing, replication carries the
 * writes made meanwhile, and only the cutover holds the tenant.
 */
describe('tenant moves (logical replication, across two clusters)', () => {
  let fixture: MoveFixture;
  let mover: Mover;

  beforeAll(async () => {
    fixture = await createMoveFixture('logical-source');
    mover = new Mover({ platform: fixture.control.pool, migrations: migrationsFor });
  }, 120_000);
  afterAll(() => fixture?.cleanup());

  /** What is left of a move's replication on either server: its slot, its publication, its subscription. */
  const replicationLeft = async (moveId: string): Promise<string[]> => {
    const name = replicationName(moveId);
    const { rows: slots } = await fixture.pools.old!.admin.query<{ what: string }>("SELECT 'slot' AS what FROM pg_replication_slots WHERE slot_name = $1", [name]);
    const { rows: publications } = await fixture.pools.old!.admin.query<{ what: string }>("SELECT 'publication' AS what FROM pg_publication WHERE pubname = $1", [name]);
    const { rows: subscriptions } = await fixture.pools.new!.admin.query<{ what: string }>("SELECT 'subscription' AS what FROM pg_subscription WHERE subname = $1", [name]);
    return [...slots, ...publications, ...subscriptions].map((r) => r.what);
  };

  /**
   * Writes one row after another the way a gateway and an app server would: to the pool
   * routing names, waiting while the tenant is held. Returns the rows acknowledged.
   */
  function writeContinuously(slug: TenantSlug, stop: AbortSignal) {
    const acked: string[] = [];
    let refusedByWriteBlock = 0;
    const done = (async () => {
      for (let i = 0; !stop.aborted; i++) {
        const { rows } = await fixture.control.pool.query<{ pool: string; held: boolean }>('SELECT pool, held_since IS NOT NULL AS held FROM platform.tenants WHERE slug = $1', [slug]);
        if (rows[0]!.held) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        const name = `live write ${i}`;
        try {
          await fixture.write(rows[0]!.pool, slug, name);
          acked.push(name);
        } catch (error) {
          // A write that read routing just before the hold met the write block: it did not happen.
          if (pgErrorCode(error) !== PgErrorCode.InsufficientPrivilege) throw error;
          refusedByWriteBlock++;
        }
      }
    })();
    return { acked, done, refused: () => refusedByWriteBlock };
  }

  it('copies while the tenant writes, streams the rest, and holds it only for the cutover', async () => {
    const { slug } = await fixture.tenant('old', 20_000);
    const stop = new AbortController();
    const writer = writeContinuously(slug, stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const { id } = await mover.start({ tenant: slug, to: 'new' });
    const move = await mover.run(id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop.abort();
    await writer.done;

    expect(move).toMatchObject({ state: 'switched', method: 'logical', error: null });
    const names = await fixture.names('new', slug);
    expect(names.filter((n) => n.startsWith('thing '))).toHaveLength(20_000);
    const live = names.filter((n) => n.startsWith('live write'));
    expect(new Set(live).size).toBe(live.length);
    expect(live.sort()).toEqual([...writer.acked].sort());
    // Writes went on during the copy, on the old pool, and after the cutover, on the new one.
    const steps = await mover.events(id);
    expect(steps.filter((e) => e.outcome === 'done').map((e) => e.step)).toEqual([
      'requested', 'prepare', 'copy', 'sync', 'hold-jobs', 'hold-requests', 'write-block', 'catch-up', 'verify', 'sequences', 'unsubscribe', 'migrate', 'switch',
    ]);
    expect(writer.acked.length).toBeGreaterThan(10);
    console.log(`logical move: ${move.rowsCopied} rows copied in ${move.copyMs} ms, cutover pause ${move.cutoverPauseMs} ms, ${writer.acked.length} live writes, ${writer.refused()} met the write block`);

    // Nothing of the replication is left behind on either server.
    expect(await replicationLeft(id)).toEqual([]);
  }, 120_000);

  it('rolls a logical move back, and finalizing another drops the old schema and role on the old cluster', async () => {
    const { slug } = await fixture.tenant('old', 100);
    const { id } = await mover.start({ tenant: slug, to: 'new' });
    await mover.run(id);
    await fixture.write('new', slug, 'on the new cluster');
    expect((await mover.rollback(id)).state).toBe('rolled_back');
    expect(await fixture.names('old', slug)).toContain('on the new cluster');

    const second = await mover.run((await mover.start({ tenant: slug, to: 'new' })).id);
    expect(second.state).toBe('switched');
    await mover.finalize(second.id);
    const { rows } = await fixture.pools.old!.admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [`t_${slug}`]);
    expect(rows).toHaveLength(0);
    expect(await fixture.names('new', slug)).toContain('on the new cluster');
  }, 120_000);

  it('undoes a cutover that fails: the tenant writable on its old pool, no slot kept for it, and a resumed move goes through', async () => {
    const { slug } = await fixture.tenant('old', 500);
    const failing = new Mover({
      platform: fixture.control.pool,
      migrations: migrationsFor,
      observer: {
        step: (_move, step) => {
          if (step === 'verify') throw new Error('injected: the target server went away');
        },
      },
    });
    const { id } = await failing.start({ tenant: slug, to: 'new' });

    const failed = await failing.run(id);

    expect(failed).toMatchObject({ state: 'failed', method: 'logical', error: 'injected: the target server went away' });
    expect(await fixture.route(slug)).toEqual({ pool: 'old', held: false });
    await fixture.write('old', slug, 'after the failed cutover');
    expect(await replicationLeft(id)).toEqual([]);

    expect(await mover.run(id)).toMatchObject({ state: 'switched', error: null });
    expect(await fixture.names('new', slug)).toContain('after the failed cutover');
  }, 60_000);

  it.each(['copy', 'sync', 'hold-requests', 'catch-up', 'unsubscribe', 'migrate'])(
    'a logical move whose mover is killed before %s ends switched, with the writes made meanwhile',
    async (step) => {
      const { slug } = await fixture.tenant('old', 1_000);
      const { id } = await mover.start({ tenant: slug, to: 'new' });
      const child = spawn(process.execPath, [join(__dirname, '../fixtures/move-run.cjs')], {
        env: { ...process.env, MOVE_RUN: JSON.stringify({ controlUrl: fixture.control.url, moveId: id, operation: 'run', crashAt: step, migrations: MIGRATIONS }) },
        stdio: 'ignore',
      });
      expect(await new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)))).toBe('SIGKILL');
      // The tenant writes while its move lies half-done (unless the cutover held it).
      const { rows } = await fixture.control.pool.query<{ held: boolean }>('SELECT held_since IS NOT NULL AS held FROM platform.tenants WHERE slug = $1', [slug]);
      if (!rows[0]!.held) await fixture.write('old', slug, 'written while the mover was down');
      const before = await fixture.names('old', slug);

      const resumed = await mover.run(id);

      expect(resumed).toMatchObject({ state: 'switched', method: 'logical', error: null });
      expect(await fixture.names('new', slug)).toEqual(before);
      await fixture.write('new', slug, 'after');
      expect(await replicationLeft(id)).toEqual([]);
    },
    60_000,
  );
});
