import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Mover } from '../../src';
import { createMoveFixture, MIGRATIONS, migrationsFor, type MoveFixture } from '../move-fixture';

/** Runs `operation` on the move in a process of its own that dies (SIGKILL) before `crashAt`. */
async function crashBefore(fixture: MoveFixture, moveId: string, operation: 'run' | 'rollback' | 'finalize', crashAt: string): Promise<string> {
  const child = spawn(process.execPath, [join(__dirname, '../fixtures/move-run.cjs')], {
    env: { ...process.env, MOVE_RUN: JSON.stringify({ controlUrl: fixture.control.url, moveId, operation, crashAt, migrations: MIGRATIONS }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  if (signal !== 'SIGKILL') throw new Error(`the mover was to die before ${crashAt} but did not:\n${output}`);
  return output;
}

const BLOCKING_STEPS = ['prepare', 'hold-jobs', 'hold-requests', 'write-block', 'copy', 'verify', 'sequences', 'migrate', 'switch'];
const ROLLBACK_STEPS = ['hold-jobs', 'hold-requests', 'write-block', 'upgrade-old', 'copy-back', 'verify', 'unblock-old', 'switch', 'drop-copy'];

/**
 * The mover killed (process exit, no cleanup) before each step in turn, then resumed by a
 * new mover: the tenant always ends moved (or back), with every row, once, and writable.
 */
describe('a mover killed at any step, then resumed', () => {
  let fixture: MoveFixture;
  let mover: Mover;

  beforeAll(async () => {
    fixture = await createMoveFixture('test-server');
    mover = new Mover({ platform: fixture.control.pool, migrations: migrationsFor });
  }, 60_000);
  afterAll(() => fixture?.cleanup());

  it.each(BLOCKING_STEPS)('a move killed before %s ends switched with every row once', async (step) => {
    const { slug } = await fixture.tenant('old', 200);
    await fixture.write('old', slug, 'written before the move');
    const before = await fixture.names('old', slug);
    const { id } = await mover.start({ tenant: slug, to: 'new', method: 'blocking' });

    await crashBefore(fixture, id, 'run', step);
    const resumed = await mover.run(id);

    expect(resumed).toMatchObject({ state: 'switched', error: null });
    expect(await fixture.names('new', slug)).toEqual(before);
    expect(await fixture.route(slug)).toEqual({ pool: 'new', held: false });
    await fixture.write('new', slug, 'after');
    await expect(fixture.write('old', slug, 'stale')).rejects.toThrow(/permission denied/);
  }, 30_000);

  it.each(ROLLBACK_STEPS)('a rollback killed before %s ends with the tenant back, new writes included', async (step) => {
    const { slug } = await fixture.tenant('old', 50);
    const { id } = await mover.start({ tenant: slug, to: 'new', method: 'blocking' });
    await mover.run(id);
    await fixture.write('new', slug, 'written on the new pool');
    await mover.beginRollback(id);

    await crashBefore(fixture, id, 'run', step);
    const resumed = await mover.run(id);

    expect(resumed.state).toBe('rolled_back');
    expect(await fixture.names('old', slug)).toContain('written on the new pool');
    await fixture.write('old', slug, 'back');
    expect(await fixture.route(slug)).toEqual({ pool: 'old', held: false });
    expect(await fixture.canServe('new', slug)).toBe(false);
  }, 30_000);

  it('a finalize killed before it drops the old schema finishes when run again', async () => {
    const { slug } = await fixture.tenant('old', 5);
    const { id } = await mover.start({ tenant: slug, to: 'new', method: 'blocking' });
    await mover.run(id);
    await mover.beginFinalize(id);
    await crashBefore(fixture, id, 'run', 'drop-old');
    expect((await mover.run(id)).state).toBe('finalized');
    const { rows } = await fixture.pools.old!.admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [`t_${slug}`]);
    expect(rows).toHaveLength(0);
  }, 30_000);
});
