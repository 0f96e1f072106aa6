import { ExitCode, run } from '@mysaas/cli';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { createTenant, createTestPlatform, eventually, type TestDatabase, type TestPlatform, type TestPool, type TestTenant } from '@mysaas/testing';

interface MoveView {
  id: string;
  tenant: string;
  from: string;
  to: string;
  state: string;
  method: string | null;
  rowsCopied: number | null;
  cutoverPauseMs: number | null;
  events?: Array<{ step: string; outcome: string; ms: number | null; details: Record<string, unknown> }>;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * `saas tenants move` and `saas moves …` through the real control plane, moving tenants between
 * two pools on real Postgres, with `--method blocking`. CI's test server has wal_level=replica,
 * where asking for a logical move is refused, saying so; an embedded test server (no
 * DATABASE_URL) streams changes, and that refusal is skipped there, saying so.
 */
describe('saas tenant moves, against the control plane', () => {
  let platform: TestPlatform;
  let v2: TestPool;
  let controlPlane: StartedControlPlane;
  let acme: TestTenant;
  let globex: TestTenant;
  let moveId: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    // A newer release: the move migrates the copy on its way.
    v2 = await platform.addPool('v2', { release: platform.pool.release + 1 });
    controlPlane = await startControlPlane(platform.controlPlaneConfig());
    acme = await createTenant(platform);
    globex = await createTenant(platform);
  }, 60_000);

  afterAll(async () => {
    await controlPlane?.close();
    await platform?.cleanup();
  });

  async function saas(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: __dirname,
      env: { SAAS_URL: controlPlane.url, SAAS_TOKEN: platform.secrets.adminToken },
    });
    expect(stdout + stderr).not.toContain(platform.secrets.adminToken);
    return { code, stdout, stderr };
  }

  async function saasJson<T>(...args: string[]): Promise<T> {
    const { code, stdout, stderr } = await saas(...args, '--json');
    expect({ args, code, stderr }).toEqual({ args, code: ExitCode.Ok, stderr: '' });
    return JSON.parse(stdout) as T;
  }

  const schemaOn = async (db: TestDatabase, schema: string) =>
    (await db.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;

  it('moves a tenant to another pool, printing each step as it happens, and exits 0 once switched', async () => {
    const { code, stdout, stderr } = await saas('tenants', 'move', acme.slug, '--to', 'v2', '--method', 'blocking');

    expect({ code, stderr }).toEqual({ code: ExitCode.Ok, stderr: expect.any(String) });
    const opening = new RegExp(`^Moving tenant ${acme.slug} from pool v1 to v2 \\(move (${UUID})\\)\\. Ctrl-C stops following, not the move\\.\\n`).exec(stderr);
    expect(opening).not.toBeNull();
    moveId = opening![1]!;
    expect(stderr).toMatch(/^ {2}requested +done +(from=v1 to=v2|to=v2 from=v1)$/m); // in the order jsonb keeps them
    expect(stderr).toMatch(/^ {2}write-block +done +[\d,]+ ms$/m);
    expect(stderr).toMatch(/^ {2}copy +done +[\d,]+ ms +rows=[1-9][\d,]*$/m);
    expect(stderr).toMatch(/^ {2}migrate +done +[\d,]+ ms +migrations=\["\d{4}_\w+"/m);
    expect(stderr).toMatch(/^ {2}switch +done +[\d,]+ ms/m);
    // Each step once: never printed again by a later read.
    expect(stderr.match(/^ {2}switch +done/gm)).toHaveLength(1);

    expect(stdout).toMatch(new RegExp(`^Tenant ${acme.slug} is on pool v2 now \\(move ${moveId}, switched\\); its old schema on v1 stays`));
    expect(stdout).toMatch(/^From: +v1 \(release 1\)$/m);
    expect(stdout).toMatch(/^To: +v2 \(release 2\)$/m);
    expect(stdout).toMatch(/^Method: +blocking$/m);
    expect(stdout).toMatch(/^Rows copied: +[1-9][\d,]*$/m);
    expect(stdout).toMatch(/^Copy time: +[\d,]+ ms/m);
    expect(stdout).toMatch(/^Cutover pause: +[\d,]+ ms/m);
    expect(stdout).toContain(`Next:\n  saas moves finalize ${moveId}   drops the old schema on v1, for good\n  saas moves rollback ${moveId}   puts ${acme.slug} back on v1\n`);

    expect(await saasJson<{ pool: string }>('tenants', 'show', acme.slug)).toMatchObject({ pool: 'v2' });
    expect(await schemaOn(v2.db, acme.schema)).toBe(true);
    expect(await schemaOn(platform.poolDb, acme.schema)).toBe(true); // kept until the move is finalized
  }, 60_000);

  it('lists the move, and shows it with each of its steps and their times', async () => {
    const { moves } = await saasJson<{ moves: MoveView[] }>('moves', 'list', '--tenant', acme.slug);
    expect(moves).toEqual([expect.objectContaining({ id: moveId, tenant: acme.slug, from: 'v1', to: 'v2', state: 'switched', method: 'blocking' })]);
    expect(moves[0]!.rowsCopied).toBeGreaterThan(0);
    expect((await saasJson<{ moves: MoveView[] }>('moves', 'list', '--state', 'failed')).moves).toEqual([]);

    const table = await saas('moves', 'list', '--state', 'switched');
    expect(table.code).toBe(ExitCode.Ok);
    expect(table.stdout).toMatch(/^ID +TENANT +FROM → TO +STATE +METHOD +ROWS +PAUSE MS +CREATED\n/);
    expect(table.stdout).toMatch(new RegExp(`^${moveId} +${acme.slug} +v1 → v2 +switched +blocking +[1-9][\\d,]* +[\\d,]+ +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`, 'm'));

    const shown = await saas('moves', 'show', moveId);
    expect(shown.code).toBe(ExitCode.Ok);
    expect(shown.stdout).toMatch(new RegExp(`^Move: +${moveId}$`, 'm'));
    expect(shown.stdout).toMatch(/^AT +STEP +OUTCOME +TIME +DETAILS$/m);
    expect(shown.stdout).toMatch(/^\S+Z +copy +done +[\d,]+ ms +rows=/m);
    expect(shown.stdout).toContain(`Next:\n  saas moves finalize ${moveId}`);

    const detail = await saasJson<MoveView>('moves', 'show', moveId);
    expect(detail.events!.find((e) => e.step === 'copy' && e.outcome === 'done')).toMatchObject({ ms: expect.any(Number), details: { rows: moves[0]!.rowsCopied } });
  });

  it("refuses a move to the tenant's own pool, to an unknown pool, or by logical replication the server cannot do, saying what to do", async () => {
    const samePool = await saas('tenants', 'move', acme.slug, '--to', 'v2');
    expect(samePool).toEqual({
      code: ExitCode.Failed,
      stdout: '',
      stderr: `error: tenant ${acme.slug} is already on pool v2 (MOVE_SAME_POOL)\nhint: \`saas tenants show ${acme.slug}\` shows its pool; \`saas pools list\` the others\n`,
    });

    const unknownPool = await saas('tenants', 'move', globex.slug, '--to', 'v404');
    expect(unknownPool.code).toBe(ExitCode.Failed);
    expect(unknownPool.stderr).toBe('error: pool "v404" does not exist (MOVE_POOL_UNKNOWN)\nhint: `saas pools list` shows the pools\n');

    const { rows } = await platform.poolDb.pool.query<{ wal_level: string }>('SHOW wal_level');
    if (rows[0]!.wal_level === 'logical') {
      // An embedded test server (no DATABASE_URL) streams changes: there is nothing to refuse.
      console.log('SKIPPED the --method logical refusal: the test server has wal_level=logical (CI runs it on a server with replica)');
    } else {
      const logical = await saas('tenants', 'move', globex.slug, '--to', 'v2', '--method', 'logical');
      expect(logical.code).toBe(ExitCode.Failed);
      expect(logical.stderr).toMatch(/^error: pool v1's server has wal_level=replica, .*\(MOVE_METHOD_UNAVAILABLE\)\nhint: move it with --method blocking/);
    }

    const mistyped = await saas('tenants', 'move', globex.slug, '--to', 'v2', '--method', 'fast');
    expect(mistyped.code).toBe(ExitCode.Usage);
    expect(mistyped.stderr).toContain('Allowed choices are logical, blocking.');
    expect((await saasJson<{ moves: MoveView[] }>('moves', 'list', '--tenant', globex.slug)).moves).toEqual([]);
  });

  it('finalizes the move: the old schema is dropped, and the move can no longer be rolled back', async () => {
    const { code, stdout, stderr } = await saas('moves', 'finalize', moveId);

    expect(code).toBe(ExitCode.Ok);
    expect(stderr).toMatch(/^ {2}drop-old +done +[\d,]+ ms/m);
    expect(stdout).toMatch(new RegExp(`^Move ${moveId} is finalized: tenant ${acme.slug} is on pool v2 for good; its old schema on v1 is dropped\\.\\n`));
    expect(await schemaOn(platform.poolDb, acme.schema)).toBe(false);
    expect(await schemaOn(v2.db, acme.schema)).toBe(true);

    const rollback = await saas('moves', 'rollback', moveId);
    expect(rollback.code).toBe(ExitCode.Failed);
    expect(rollback.stderr).toContain(`(MOVE_WRONG_STATE)\nhint: \`saas moves show ${moveId}\` shows its state and what can be done next\n`);
  }, 60_000);

  it('--json prints only the final move with its steps; a rollback then puts the tenant back', async () => {
    const moved = await saasJson<MoveView>('tenants', 'move', globex.slug, '--to', 'v2', '--method', 'blocking');
    expect(moved).toMatchObject({ tenant: globex.slug, state: 'switched', method: 'blocking' });
    expect(moved.events!.map((e) => `${e.step} ${e.outcome}`)).toContain('switch done');
    expect(await saasJson<{ pool: string }>('tenants', 'show', globex.slug)).toMatchObject({ pool: 'v2' });

    const { code, stdout, stderr } = await saas('moves', 'rollback', moved.id);

    expect(code).toBe(ExitCode.Ok);
    expect(stderr).toMatch(/^ {2}copy-back +done +[\d,]+ ms +rows=[1-9]/m);
    expect(stdout).toMatch(new RegExp(`^Move ${moved.id} is rolled back: tenant ${globex.slug} is on pool v1 again\\.\\n`));
    expect(await saasJson<{ pool: string }>('tenants', 'show', globex.slug)).toMatchObject({ pool: 'v1' });
    // The copy on v2 is dropped once the tenant is back (saas waits for that step when it sees it start).
    await eventually(async () => expect(await schemaOn(v2.db, globex.schema)).toBe(false), 10_000);
  }, 60_000);

  it('--no-wait returns as soon as the move is under way; the move goes on and can be seen with moves show', async () => {
    const started = await saasJson<MoveView>('tenants', 'move', globex.slug, '--to', 'v2', '--method', 'blocking', '--no-wait');
    expect(started).toMatchObject({ tenant: globex.slug, state: 'copying' });
    expect(started.events).toBeUndefined();

    await eventually(async () => expect((await saasJson<MoveView>('moves', 'show', started.id)).state).toBe('switched'), 30_000);

    const rolledBack = await saasJson<MoveView>('moves', 'rollback', started.id);
    expect(rolledBack.state).toBe('rolled_back');
    // Before the control plane stops: its last step drops the copy on v2.
    await eventually(async () => expect(await schemaOn(v2.db, globex.schema)).toBe(false), 10_000);
  }, 60_000);
});
