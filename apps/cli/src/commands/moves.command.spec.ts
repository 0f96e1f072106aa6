import { EventEmitter } from 'node:events';
import { FakeControlPlane, refusal } from '../../test/fake-control-plane';
import { runSaas } from '../../test/run-saas';

const TOKEN = 'test-admin-token-0123456789abcdef';
const ID = '3f0c9a52-7b1e-4d2a-9c61-0e8f5b2d4a17';
const OTHER_ID = '9d1e2f30-4a5b-4c6d-8e7f-a0b1c2d3e4f5';

type Event = { at: string; step: string; outcome: string; ms: number | null; details: Record<string, unknown> };

const moveView = (overrides: Record<string, unknown> = {}) => ({
  id: ID,
  tenant: 'acme',
  from: 'v1',
  to: 'v2',
  fromRelease: 1,
  toRelease: 2,
  state: 'copying',
  method: 'blocking',
  rowsCopied: null,
  copyMs: null,
  cutoverPauseMs: null,
  attempts: 1,
  error: null,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  switchedAt: null,
  finishedAt: null,
  ...overrides,
});
const detail = (events: Event[], overrides: Record<string, unknown> = {}) => ({ ...moveView(overrides), events });
const event = (step: string, outcome: string, ms: number | null = null, details: Record<string, unknown> = {}): Event => ({
  at: '2026-11-26T12:00:01.000Z',
  step,
  outcome,
  ms,
  details,
});

// A blocking move's steps, as the mover records them.
const REQUESTED = event('requested', 'done', null, { from: 'v1', to: 'v2' });
const PREPARE = [event('prepare', 'started'), event('prepare', 'done', 42, { method: 'blocking', migrations: 3 })];
const CUTOVER = [
  event('hold-jobs', 'started'),
  event('hold-jobs', 'done', 5, {}),
  event('copy', 'started'),
  event('copy', 'done', 1234, { rows: 10_000, ms: 1230 }),
  event('switch', 'done', 12, { pool: 'v2', pauseMs: 1340 }),
];
const SWITCHED = {
  state: 'switched',
  rowsCopied: 10_000,
  copyMs: 1230,
  cutoverPauseMs: 1340,
  updatedAt: '2026-11-26T12:00:03.000Z',
  switchedAt: '2026-11-26T12:00:03.000Z',
};
const ALL_STEPS = [REQUESTED, ...PREPARE, ...CUTOVER];

describe('saas tenants move and saas moves', () => {
  let controlPlane: FakeControlPlane;
  let signals: EventEmitter;
  const saas = (...args: string[]) => runSaas(args, { env: { SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN }, signals });
  const routes = () => controlPlane.requests.map((r) => `${r.method} ${r.url}`);

  beforeAll(async () => {
    controlPlane = await FakeControlPlane.start();
  });
  beforeEach(() => {
    signals = new EventEmitter();
  });
  afterEach(() => {
    controlPlane.reset();
    // Following gives Ctrl-C back once it ends, however it ends.
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
  afterAll(() => controlPlane.close());

  describe('tenants move', () => {
    it('starts the move, prints each step once as it happens, and sums it up once switched, with what to run next', async () => {
      controlPlane.answer('POST /platform/moves', { status: 202, body: moveView() });
      controlPlane.answerInTurn(`GET /platform/moves/${ID}`, [
        { body: detail([REQUESTED]) },
        { body: detail([REQUESTED, ...PREPARE], { state: 'cutover' }) },
        { body: detail(ALL_STEPS, SWITCHED) },
      ]);

      const { code, stdout, stderr } = await saas('tenants', 'move', 'acme', '--to', 'v2', '--method', 'blocking');

      expect({ code }).toEqual({ code: 0 });
      expect(controlPlane.requests[0]).toMatchObject({ method: 'POST', url: '/platform/moves', body: { tenant: 'acme', to: 'v2', method: 'blocking' } });
      expect(routes().slice(1)).toEqual([`GET /platform/moves/${ID}`, `GET /platform/moves/${ID}`, `GET /platform/moves/${ID}`]);
      expect(stderr).toBe(
        [
          `Moving tenant acme from pool v1 to v2 (move ${ID}). Ctrl-C stops following, not the move.`,
          '  requested      done                from=v1 to=v2',
          '  prepare        started',
          '  prepare        done         42 ms  method=blocking migrations=3',
          '  hold-jobs      started',
          '  hold-jobs      done          5 ms',
          '  copy           started',
          '  copy           done      1,234 ms  rows=10,000',
          '  switch         done         12 ms  pool=v2 pauseMs=1,340',
          '',
        ].join('\n'),
      );
      expect(stdout).toBe(
        [
          `Tenant acme is on pool v2 now (move ${ID}, switched); its old schema on v1 stays, write-protected, until the move is finalized or rolled back.`,
          `Move:           ${ID}`,
          'Tenant:         acme',
          'From:           v1 (release 1)',
          'To:             v2 (release 2)',
          'State:          switched',
          'Method:         blocking',
          'Rows copied:    10,000',
          'Copy time:      1,230 ms',
          'Cutover pause:  1,340 ms',
          'Attempts:       1',
          'Created:        2026-11-26T12:00:00Z',
          'Switched:       2026-11-26T12:00:03Z',
          'Finished:       —',
          'Next:',
          `  saas moves finalize ${ID}   drops the old schema on v1, for good`,
          `  saas moves rollback ${ID}   puts acme back on v1`,
          '',
        ].join('\n'),
      );
    });

    it('leaves the method to the control plane when none is given; --json prints only the final move with its steps', async () => {
      controlPlane.answer('POST /platform/moves', { status: 202, body: moveView({ method: null }) });
      const final = detail(ALL_STEPS, { ...SWITCHED, addedLater: 'kept' });
      controlPlane.answerInTurn(`GET /platform/moves/${ID}`, [{ body: detail([REQUESTED], { method: null }) }, { body: final }]);

      const { code, stdout, stderr } = await saas('tenants', 'move', 'acme', '--to', 'v2', '--json');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(controlPlane.requests[0]?.body).toEqual({ tenant: 'acme', to: 'v2' });
      expect(JSON.parse(stdout)).toEqual(final);
    });

    it('exits 1 when the move fails, saying why, that the tenant is untouched, and how to resume or roll back', async () => {
      controlPlane.answer('POST /platform/moves', { status: 202, body: moveView() });
      const reason = 'the copy on the target differs from its source: things has 10 rows, not 11';
      controlPlane.answerInTurn(`GET /platform/moves/${ID}`, [
        { body: detail([REQUESTED, ...PREPARE]) },
        {
          body: detail([REQUESTED, ...PREPARE, event('verify', 'failed', 8, { reason }), event('failed', 'failed', null, { reason, during: 'cutover' })], {
            state: 'failed',
            error: reason,
            updatedAt: '2026-11-26T12:00:02.000Z',
          }),
        },
      ]);

      const { code, stdout, stderr } = await saas('tenants', 'move', 'acme', '--to', 'v2');

      expect(code).toBe(1);
      expect(stderr).toContain(`  verify         failed        8 ms  reason="${reason}"\n`);
      expect(stderr).toContain(
        `error: move ${ID} failed: ${reason}\n` +
          `hint: the tenant is still on v1, untouched: \`saas moves resume ${ID}\` tries again, \`saas moves rollback ${ID}\` gives the move up\n`,
      );
      expect(stdout).toMatch(new RegExp(`^Move ${ID} of tenant acme to pool v2 failed; the tenant is still on v1, untouched\\.\\n`));
      expect(stdout).toMatch(/^State: +failed$/m);
      expect(stdout).toContain(`Error:          ${reason}\n`);
    });

    it('prints the failed move as JSON on stdout with --json, the error on stderr', async () => {
      controlPlane.answer('POST /platform/moves', { status: 202, body: moveView() });
      const failed = detail([REQUESTED, event('failed', 'failed', null, { reason: 'boom' })], { state: 'failed', error: 'boom' });
      controlPlane.answer(`GET /platform/moves/${ID}`, { body: failed });

      const { code, stdout, stderr } = await saas('tenants', 'move', 'acme', '--to', 'v2', '--json');

      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual(failed);
      expect(stderr).toMatch(new RegExp(`^error: move ${ID} failed: boom\\nhint: `));
    });

    it('--no-wait returns once the move has started, saying how to see it', async () => {
      controlPlane.answer('POST /platform/moves', { status: 202, body: moveView() });

      const { code, stdout, stderr } = await saas('tenants', 'move', 'acme', '--to', 'v2', '--no-wait');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(routes()).toEqual(['POST /platform/moves']);
      expect(stdout).toMatch(new RegExp(`^Move ${ID} of tenant acme from pool v1 to v2 is copying\\.\\n`));
      expect(stdout).toContain(`Next:\n  saas moves show ${ID}   shows where it is (it goes on in the control plane)\n`);

      const json = await saas('tenants', 'move', 'acme', '--to', 'v2', '--no-wait', '--json');
      expect(JSON.parse(json.stdout)).toEqual(moveView());
    });

    it('Ctrl-C stops following, not the move: exit 130, and how to see it', async () => {
      controlPlane.answer('POST /platform/moves', { status: 202, body: moveView() });
      controlPlane.answer(`GET /platform/moves/${ID}`, { body: detail([REQUESTED, PREPARE[0]!]) });
      const gets = () => controlPlane.requests.filter((r) => r.method === 'GET').length;
      const pressCtrlC = setInterval(() => {
        if (gets() >= 2) {
          clearInterval(pressCtrlC);
          signals.emit('SIGINT');
        }
      }, 10);

      const { code, stdout, stderr } = await saas('tenants', 'move', 'acme', '--to', 'v2');

      expect(code).toBe(130);
      expect(stdout).toBe('');
      expect(stderr).toContain('  prepare        started\n');
      expect(stderr.endsWith(`stopped: no longer following move ${ID}; it goes on in the control plane\nhint: \`saas moves show ${ID}\` shows where it is\n`)).toBe(true);
      expect(routes().filter((r) => r.startsWith('POST'))).toEqual(['POST /platform/moves']);
    });

    it.each([
      [['Acme', '--to', 'v2'], 'slug "Acme" is invalid'],
      [['acme', '--to', 'V 2'], 'pool name "V 2" is invalid'],
      [['acme', '--to', 'v2', '--method', 'fast'], "option '--method <method>' argument 'fast' is invalid. Allowed choices are logical, blocking."],
      [['acme'], "required option '--to <pool>' not specified"],
    ])('is a usage error (2), before any request: %j', async (args, message) => {
      const { code, stderr } = await saas('tenants', 'move', ...args);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(controlPlane.requests).toEqual([]);
    });

    it.each([
      ['MOVE_SAME_POOL', 409, 'tenant acme is already on pool v2', '`saas tenants show acme` shows its pool; `saas pools list` the others'],
      ['MOVE_TENANT_SUSPENDED', 409, 'tenant acme is suspended; resume it before moving it', '`saas tenants resume acme`, then move it'],
      ['MOVE_POOL_UNKNOWN', 400, 'pool "v2" does not exist', '`saas pools list` shows the pools'],
      ['MOVE_ALREADY_OPEN', 409, `tenant acme already has move ${OTHER_ID} (switched)`, '`saas moves list --tenant acme` shows it: finish it with `saas moves finalize <id>` or `saas moves rollback <id>`'],
      ['MOVE_METHOD_UNAVAILABLE', 409, "pool v1's server has wal_level=replica", 'move it with --method blocking (its requests wait for the whole copy), or leave --method out'],
    ])("exits 1 with the control plane's refusal (%s) and what to type next", async (errorCode, status, message, hint) => {
      controlPlane.answer('POST /platform/moves', refusal(status, errorCode, message));

      const { code, stdout, stderr } = await saas('tenants', 'move', 'acme', '--to', 'v2');

      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toBe(`error: ${message} (${errorCode})\nhint: ${hint}\n`);
    });
  });

  describe('moves list', () => {
    const LIST = {
      moves: [
        moveView({ ...SWITCHED }),
        moveView({ id: OTHER_ID, tenant: 'globex', from: 'v2', to: 'v3', state: 'rolled_back', method: null, createdAt: '2026-11-25T08:30:00.123Z' }),
      ],
    };

    it('asks GET /platform/moves with the filters and prints a line per move', async () => {
      controlPlane.answer('GET /platform/moves?tenant=acme&state=switched&limit=5', { body: LIST });

      const { code, stdout, stderr } = await saas('moves', 'list', '--tenant', 'acme', '--state', 'switched', '--limit', '5');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(controlPlane.onlyRequest().headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(stdout).toBe(
        [
          'ID                                    TENANT  FROM → TO  STATE        METHOD      ROWS  PAUSE MS  CREATED',
          `${ID}  acme    v1 → v2    switched     blocking  10,000     1,340  2026-11-26T12:00:00Z`,
          `${OTHER_ID}  globex  v2 → v3    rolled_back  —              —         —  2026-11-25T08:30:00Z`,
          '',
        ].join('\n'),
      );
    });

    it('--json prints the answer as given; an empty list says so', async () => {
      controlPlane.answer('GET /platform/moves', { body: LIST });
      expect(JSON.parse((await saas('moves', 'list', '--json')).stdout)).toEqual(LIST);

      controlPlane.answer('GET /platform/moves?tenant=acme&state=failed', { body: { moves: [] } });
      expect((await saas('moves', 'list', '--tenant', 'acme', '--state', 'failed')).stdout).toBe('No moves of tenant acme in state failed.\n');
    });

    it('refuses an unknown --state, listing the states, and a --limit that is not a positive integer, before any request', async () => {
      const state = await saas('moves', 'list', '--state', 'done');
      const limit = await saas('moves', 'list', '--limit', '0');

      expect(state.code).toBe(2);
      expect(state.stderr).toContain(
        "error: option '--state <state>' argument 'done' is invalid. Allowed choices are copying, syncing, cutover, switched, finalizing, finalized, failed, rolling_back, rolled_back.",
      );
      expect(limit.code).toBe(2);
      expect(limit.stderr).toContain('Expected a positive integer');
      expect(controlPlane.requests).toEqual([]);
    });
  });

  describe('moves show', () => {
    it('prints the move, its steps with their times, and what can come next', async () => {
      controlPlane.answer(`GET /platform/moves/${ID}`, { body: detail([REQUESTED, ...PREPARE], { state: 'failed', error: 'boom', attempts: 2 }) });

      const { code, stdout } = await saas('moves', 'show', ID);

      expect(code).toBe(0);
      expect(stdout).toContain(`Move ${ID} of tenant acme to pool v2 failed; the tenant is still on v1, untouched.\nMove:           ${ID}\n`);
      expect(stdout).toContain('Attempts:       2\nError:          boom\n');
      expect(stdout).toContain(
        [
          'AT                    STEP       OUTCOME   TIME  DETAILS',
          '2026-11-26T12:00:01Z  requested  done            from=v1 to=v2',
          '2026-11-26T12:00:01Z  prepare    started',
          '2026-11-26T12:00:01Z  prepare    done     42 ms  method=blocking migrations=3',
          '',
          'Next:',
          `  saas moves resume ${ID}     tries again (the copy starts over)`,
          `  saas moves rollback ${ID}   gives the move up (drops what it made on v2)`,
          '',
        ].join('\n'),
      );
    });

    it('--json prints the move and its steps as given', async () => {
      const answer = detail(ALL_STEPS, SWITCHED);
      controlPlane.answer(`GET /platform/moves/${ID}`, { body: answer });
      expect(JSON.parse((await saas('moves', 'show', ID, '--json')).stdout)).toEqual(answer);
    });

    it('does not offer a rollback the new pool is too many releases ahead for', async () => {
      controlPlane.answer(`GET /platform/moves/${ID}`, { body: detail(ALL_STEPS, { ...SWITCHED, toRelease: 3 }) });
      const { stdout } = await saas('moves', 'show', ID);
      expect(stdout).toContain(`Next:\n  saas moves finalize ${ID}   drops the old schema on v1, for good\n`);
      expect(stdout).not.toContain('rollback');
    });

    it('refuses what is not a move id before asking, and says how to find one for a move that does not exist', async () => {
      const mistyped = await saas('moves', 'show', 'acme');
      expect(mistyped.code).toBe(2);
      expect(mistyped.stderr).toBe(`error: "acme" is not a move id (one looks like ${ID})\nhint: \`saas moves list\` shows the moves and their ids\n`);
      expect(controlPlane.requests).toEqual([]);

      controlPlane.answer(`GET /platform/moves/${OTHER_ID}`, refusal(404, 'MOVE_NOT_FOUND', `no move has id "${OTHER_ID}"`));
      const unknown = await saas('moves', 'show', OTHER_ID);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe(`error: no move has id "${OTHER_ID}" (MOVE_NOT_FOUND)\nhint: \`saas moves list\` shows the moves\n`);
    });
  });

  describe('moves finalize, rollback and resume', () => {
    const switched = detail(ALL_STEPS, SWITCHED);

    it('finalize: posts, then prints only the steps that follow, and ends 0 once finalized', async () => {
      controlPlane.answer(`POST /platform/moves/${ID}/finalize`, { status: 202, body: moveView({ ...SWITCHED, state: 'finalizing' }) });
      controlPlane.answerInTurn(`GET /platform/moves/${ID}`, [
        { body: switched },
        { body: detail([...ALL_STEPS, event('drop-old', 'started')], { ...SWITCHED, state: 'finalizing' }) },
        {
          body: detail([...ALL_STEPS, event('drop-old', 'started'), event('drop-old', 'done', 80, {})], {
            ...SWITCHED,
            state: 'finalized',
            finishedAt: '2026-11-26T12:05:00.000Z',
          }),
        },
      ]);

      const { code, stdout, stderr } = await saas('moves', 'finalize', ID);

      expect(code).toBe(0);
      expect(routes()).toEqual([`GET /platform/moves/${ID}`, `POST /platform/moves/${ID}/finalize`, `GET /platform/moves/${ID}`, `GET /platform/moves/${ID}`]);
      expect(stderr).toBe(
        `Finalizing move ${ID}: dropping tenant acme's old schema on pool v1. Ctrl-C stops following, not the move.\n` +
          '  drop-old       started\n' +
          '  drop-old       done         80 ms\n',
      );
      expect(stdout).toMatch(new RegExp(`^Move ${ID} is finalized: tenant acme is on pool v2 for good; its old schema on v1 is dropped\\.\\n`));
      expect(stdout).toContain('Finished:       2026-11-26T12:05:00Z\n');
      expect(stdout).not.toContain('Next:');
    });

    it('rollback: exits 1 when the rollback fails and the tenant stays switched, with the reason', async () => {
      const error = 'rollback failed, the tenant stays on v2: the copy back on the old pool differs from its source';
      controlPlane.answer(`POST /platform/moves/${ID}/rollback`, { status: 202, body: moveView({ ...SWITCHED, state: 'rolling_back' }) });
      controlPlane.answerInTurn(`GET /platform/moves/${ID}`, [
        { body: switched },
        { body: detail([...ALL_STEPS, event('verify', 'failed', 3, { reason: 'differs' }), event('rollback', 'failed', null, { reason: 'differs' })], { ...SWITCHED, error, updatedAt: '2026-11-26T12:06:00.000Z' }) },
      ]);

      const { code, stderr } = await saas('moves', 'rollback', ID);

      expect(code).toBe(1);
      expect(stderr).toContain(`Rolling back move ${ID}: tenant acme goes back to pool v1.`);
      expect(stderr).toContain('  rollback       failed              reason=differs\n');
      expect(stderr).toContain(`error: ${error}\nhint: acme is served from v2 meanwhile: \`saas moves rollback ${ID}\` tries again; \`saas moves show ${ID}\` shows its steps\n`);
    });

    it('resume: waits for a failed move to start again rather than taking its old failure for the end', async () => {
      const failed = detail([REQUESTED, event('failed', 'failed', null, { reason: 'boom' })], { state: 'failed', error: 'boom' });
      controlPlane.answer(`POST /platform/moves/${ID}/resume`, { status: 202, body: moveView({ state: 'failed', error: 'boom' }) });
      controlPlane.answerInTurn(`GET /platform/moves/${ID}`, [
        { body: failed },
        { body: failed },
        { body: detail([...failed.events, ...PREPARE], { state: 'copying', attempts: 2, updatedAt: '2026-11-26T12:10:00.000Z' }) },
        { body: detail([...failed.events, ...PREPARE, ...CUTOVER], { ...SWITCHED, attempts: 2, updatedAt: '2026-11-26T12:10:05.000Z' }) },
      ]);

      const { code, stdout, stderr } = await saas('moves', 'resume', ID);

      expect(code).toBe(0);
      expect(stderr).not.toContain('  failed ');
      expect(stderr).toContain('  switch         done         12 ms');
      expect(stdout).toMatch(/^State: +switched$/m);
      expect(stdout).toMatch(/^Attempts: +2$/m);
    });

    it('tries again for a moment while the control plane is still busy with a move that has just come to rest', async () => {
      controlPlane.answerInTurn(`POST /platform/moves/${ID}/finalize`, [
        refusal(409, 'MOVE_BUSY', `move ${ID} is being worked on right now; wait until it rests (saas moves show ${ID})`),
        { status: 202, body: moveView({ ...SWITCHED, state: 'finalizing' }) },
      ]);
      controlPlane.answerInTurn(`GET /platform/moves/${ID}`, [
        { body: switched },
        { body: detail([...ALL_STEPS, event('drop-old', 'done', 80, {})], { ...SWITCHED, state: 'finalized', finishedAt: '2026-11-26T12:05:00.000Z' }) },
      ]);

      const { code, stdout } = await saas('moves', 'finalize', ID, '--json');

      expect(code).toBe(0);
      expect(routes().filter((r) => r.startsWith('POST'))).toHaveLength(2);
      expect(JSON.parse(stdout)).toMatchObject({ state: 'finalized' });
    });

    it("says at once that a move at work is busy, and what a refusal means for the move", async () => {
      controlPlane.answer(`GET /platform/moves/${ID}`, { body: detail([REQUESTED], { state: 'copying' }) });
      controlPlane.answer(`POST /platform/moves/${ID}/rollback`, refusal(409, 'MOVE_BUSY', `a mover is working on move ${ID} right now; wait for it (saas moves show ${ID})`));
      controlPlane.answer(`POST /platform/moves/${ID}/finalize`, refusal(409, 'MOVE_WRONG_STATE', `move ${ID} is copying; only a switched move can be finalized`));

      const busy = await saas('moves', 'rollback', ID);
      const wrongState = await saas('moves', 'finalize', ID);

      expect(busy.code).toBe(1);
      expect(busy.stderr).toBe(`error: a mover is working on move ${ID} right now; wait for it (saas moves show ${ID}) (MOVE_BUSY)\nhint: it goes on by itself: \`saas moves show ${ID}\` shows where it is\n`);
      expect(routes().filter((r) => r === `POST /platform/moves/${ID}/rollback`)).toHaveLength(1);
      expect(wrongState.code).toBe(1);
      expect(wrongState.stderr).toContain(`hint: \`saas moves show ${ID}\` shows its state and what can be done next\n`);
    });

    it.each(['finalize', 'rollback', 'resume'])('%s --no-wait posts and prints the move as the control plane took it', async (action) => {
      const taken = moveView({ ...SWITCHED, state: action === 'finalize' ? 'finalizing' : action === 'rollback' ? 'rolling_back' : 'copying' });
      controlPlane.answer(`POST /platform/moves/${ID}/${action}`, { status: 202, body: taken });

      const table = await saas('moves', action, ID, '--no-wait');
      const json = await saas('moves', action, ID, '--no-wait', '--json');

      expect(routes()).toEqual([`POST /platform/moves/${ID}/${action}`, `POST /platform/moves/${ID}/${action}`]);
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toContain(`Next:\n  saas moves show ${ID}   shows where it is (it goes on in the control plane)\n`);
      expect(JSON.parse(json.stdout)).toEqual(taken);
    });

    it('refuses what is not a move id before any request', async () => {
      for (const action of ['finalize', 'rollback', 'resume']) {
        const { code, stderr } = await saas('moves', action, 'latest');
        expect({ action, code }).toEqual({ action, code: 2 });
        expect(stderr).toContain('error: "latest" is not a move id');
      }
      expect(controlPlane.requests).toEqual([]);
    });
  });
});
