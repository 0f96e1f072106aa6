import { EventEmitter } from 'node:events';
import { FakeControlPlane, refusal } from '../../test/fake-control-plane';
import { runSaas } from '../../test/run-saas';

const TOKEN = 'test-admin-token-0123456789abcdef';
const ID = '7c2e4b18-93d5-4f0a-b6e1-5a8d9c3f2e71';
const OTHER_ID = '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b';
const MOVE_ACME = '3f0c9a52-7b1e-4d2a-9c61-0e8f5b2d4a17';
const MOVE_GLOBEX = '9d1e2f30-4a5b-4c6d-8e7f-a0b1c2d3e4f5';
const MOVE_INITECH = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

type Report = Record<string, Record<string, unknown>>;

const POLICY = { windowMs: 1000, minRequests: 5, maxErrorRateIncrease: 0.05, maxLatencyRatio: 2, minLatencyIncreaseMs: 50 };
const rollout = (overrides: Record<string, unknown> = {}) => ({
  id: ID,
  pool: 'v2',
  state: 'running',
  waves: [50, 100],
  canaries: ['acme'],
  plan: [['acme'], ['globex', 'initech']],
  currentWave: 0,
  policy: POLICY,
  report: {} as Report,
  error: null,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  finishedAt: null,
  ...overrides,
});
const win = (requests: number, errors: number, seconds: number) => ({ requests, errors, seconds, windowMs: 1000 });
const healthy = { regressed: false, judged: true, reasons: [] };
const REGRESSED = { regressed: true, judged: true, reasons: ['error rate 0.0% → 100.0% (50 of 50 requests answered 5xx)'] };
const HALT = `regression in wave 1: acme (${REGRESSED.reasons[0]})`;

const event = (step: string, outcome: string, ms: number | null = null, details: Record<string, unknown> = {}) => ({ at: '2026-11-26T12:00:01.000Z', step, outcome, ms, details });
const move = (id: string, tenant: string, state: string, events: unknown[]) => ({
  id,
  tenant,
  from: 'v1',
  to: 'v2',
  fromRelease: 1,
  toRelease: 2,
  state,
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
  events,
});
const STEPS = [event('requested', 'done', null, { from: 'v1', to: 'v2' }), event('copy', 'started'), event('copy', 'done', 1234, { rows: 10_000 }), event('switch', 'done', 12, { pool: 'v2', pauseMs: 40 })];

// The canary's report as the rollout goes: health before, its move, its move switched, its verdict.
const ACME_BEFORE = { acme: { wave: 0, before: win(48, 0, 0.25) } };
const ACME_MOVING = { acme: { ...ACME_BEFORE.acme, moveId: MOVE_ACME } };
const ACME_SWITCHED = { acme: { ...ACME_MOVING.acme, moveState: 'switched' } };
const ACME_REGRESSED = { acme: { ...ACME_SWITCHED.acme, after: win(50, 50, 0.055), verdict: REGRESSED } };
const HALTED = rollout({ state: 'halted', report: ACME_REGRESSED, error: HALT, updatedAt: '2026-11-26T12:00:05.000Z' });

describe('saas rollout and saas rollouts', () => {
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

  describe('rollout', () => {
    it('starts the rollout, tells each wave, move step and verdict as it happens, and exits 1 with the report when it halts', async () => {
      controlPlane.answer('POST /platform/rollouts', { status: 202, body: rollout() });
      controlPlane.answerInTurn(`GET /platform/rollouts/${ID}`, [
        { body: rollout() },
        { body: rollout({ report: ACME_BEFORE }) },
        { body: rollout({ report: ACME_MOVING }) },
        { body: rollout({ report: ACME_SWITCHED }) },
        { body: HALTED },
      ]);
      controlPlane.answerInTurn(`GET /platform/moves/${MOVE_ACME}`, [{ body: move(MOVE_ACME, 'acme', 'copying', STEPS.slice(0, 2)) }, { body: move(MOVE_ACME, 'acme', 'switched', STEPS) }]);

      const { code, stdout, stderr } = await saas(
        'rollout', 'v2', '--canary', 'acme', '--waves', '50%,100', '--window', '1s', '--max-error-increase', '5%', '--max-latency-ratio', '1.5', '--min-requests', '5',
      );

      expect(code).toBe(1);
      expect(controlPlane.requests[0]).toMatchObject({
        method: 'POST',
        url: '/platform/rollouts',
        body: { pool: 'v2', canaries: ['acme'], waves: [50, 100], windowSeconds: 1, maxErrorRateIncrease: 0.05, maxLatencyRatio: 1.5, minRequests: 5 },
      });
      expect(routes().filter((r) => r.startsWith('POST'))).toEqual(['POST /platform/rollouts']);
      expect(stderr).toBe(
        [
          `Rolling out to pool v2 (rollout ${ID}): 3 tenants in 2 waves, canaries first (acme). Ctrl-C stops following, not the rollout.`,
          'Wave 1 of 2 (canaries): acme (1 of 3 tenants moved by its end)',
          '  watching their traffic for 1s, then moving them one at a time',
          '  acme     before: 48 requests, 0% errors, mean 5.2 ms',
          `  acme     moving to v2 (move ${MOVE_ACME})`,
          '    requested      done                from=v1 to=v2',
          '    copy           started',
          '    copy           done      1,234 ms  rows=10,000',
          '    switch         done         12 ms  pool=v2 pauseMs=40',
          '  acme     on v2 now (move switched)',
          '  all moved; watching their traffic for 1s to judge them',
          `  acme     regressed: ${REGRESSED.reasons[0]} (errors 0% → 100%, mean latency 5.2 ms → 1.1 ms, requests 48 → 50)`,
          `error: rollout ${ID} halted in wave 1 of 2: ${HALT}`,
          `hint: \`saas rollouts resume ${ID}\` goes on (accepting wave 1), \`saas rollouts rollback ${ID}\` puts every tenant it moved back`,
          '',
        ].join('\n'),
      );
      expect(stdout).toBe(
        [
          `Rollout ${ID} to pool v2 halted in wave 1 of 2: ${HALT}.`,
          `Rollout:   ${ID}`,
          'Pool:      v2',
          'State:     halted',
          'Plan:      3 tenants in 2 waves, canaries first (acme)',
          'Waves:     50%, 100%',
          'Wave:      1 of 2',
          'Policy:    window 1s before and after each move; judged from 5 requests; a regression: errors up more than 5% (points), or mean latency ×2 and +50 ms',
          `Error:     ${HALT}`,
          'Created:   2026-11-26T12:00:00Z',
          'Updated:   2026-11-26T12:00:05Z',
          'Finished:  —',
          '',
          'WAVE  TENANT   MOVED  MOVE                                  ERRORS     MEAN LATENCY     REQUESTS  VERDICT',
          `   1  acme     yes    ${MOVE_ACME}  0% → 100%  5.2 ms → 1.1 ms  48 → 50   regressed: ${REGRESSED.reasons[0]}`,
          '   2  globex   no     —                                     —          —                —         —',
          '   2  initech  no     —                                     —          —                —         —',
          '',
          'Next:',
          `  saas rollouts resume ${ID}     accepts wave 1 of 2 as it is, and moves wave 2`,
          `  saas rollouts rollback ${ID}   puts every tenant it moved back on its old pool`,
          '',
        ].join('\n'),
      );
    });

    it('ends 0 once every wave has moved, telling a wave that passed before the next one starts, with finalize commands to run next', async () => {
      const acme = { ...ACME_SWITCHED.acme, after: win(52, 0, 0.3), verdict: healthy };
      const wave2 = { globex: { wave: 1, before: win(30, 0, 0.3) }, initech: { wave: 1, before: win(2, 0, 0.01) } };
      const done = {
        acme,
        globex: { ...wave2.globex, moveId: MOVE_GLOBEX, moveState: 'switched', after: win(31, 0, 0.31), verdict: healthy },
        initech: { ...wave2.initech, moveId: MOVE_INITECH, moveState: 'switched', after: win(1, 0, 0.01), verdict: { regressed: false, judged: false, reasons: ['too little traffic to judge (1 requests after the move, 5 needed)'] } },
      };
      controlPlane.answer('POST /platform/rollouts', { status: 202, body: rollout() });
      controlPlane.answerInTurn(`GET /platform/rollouts/${ID}`, [
        { body: rollout({ report: { acme, ...wave2 }, currentWave: 1 }) },
        { body: rollout({ state: 'done', report: done, currentWave: 2, finishedAt: '2026-11-26T12:01:00.000Z' }) },
      ]);
      controlPlane.answer(`GET /platform/moves/${MOVE_ACME}`, { body: move(MOVE_ACME, 'acme', 'switched', STEPS) });
      controlPlane.answer(`GET /platform/moves/${MOVE_GLOBEX}`, { body: move(MOVE_GLOBEX, 'globex', 'switched', STEPS.slice(-1)) });
      controlPlane.answer(`GET /platform/moves/${MOVE_INITECH}`, { body: move(MOVE_INITECH, 'initech', 'switched', STEPS.slice(-1)) });

      const { code, stdout, stderr } = await saas('rollout', 'v2', '--canary', 'acme');

      expect({ code }).toEqual({ code: 0 });
      expect(controlPlane.requests[0]?.body).toEqual({ pool: 'v2', canaries: ['acme'] });
      const lines = stderr.split('\n');
      const at = (line: string) => {
        const index = lines.indexOf(line);
        expect({ line, found: index >= 0 }).toEqual({ line, found: true });
        return index;
      };
      const order = [
        // Wave 1 went by between two reads: announced all the same, before its news.
        'Wave 1 of 2 (canaries): acme (1 of 3 tenants moved by its end)',
        '  acme     before: 48 requests, 0% errors, mean 5.2 ms',
        `  acme     moving to v2 (move ${MOVE_ACME})`,
        '  acme     on v2 now (move switched)',
        '  acme     healthy (errors 0% → 0%, mean latency 5.2 ms → 5.8 ms, requests 48 → 52)',
        '  wave 1 passed: no regression',
        'Wave 2 of 2: globex, initech (3 of 3 tenants moved by its end)',
        '  globex   before: 30 requests, 0% errors, mean 10.0 ms',
        '  initech  before: 2 requests, 0% errors, mean 5.0 ms',
        `  globex   moving to v2 (move ${MOVE_GLOBEX})`,
        '  globex   healthy (errors 0% → 0%, mean latency 10.0 ms → 10.0 ms, requests 30 → 31)',
        `  initech  not judged: too little traffic to judge (1 requests after the move, 5 needed) (errors 0% → 0%, mean latency 5.0 ms → 10.0 ms, requests 2 → 1)`,
        '  wave 2 passed: no regression (1 not judged: too little traffic)',
      ].map(at);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      // Each step once, under its tenant, though its move was read twice.
      expect(stderr.match(/copy +done/g)).toHaveLength(1);
      expect(stdout).toMatch(new RegExp(`^Rollout ${ID} is done: all 3 of its tenants are on pool v2; their old schemas stay, write-protected, until their moves are finalized\\.\\n`));
      expect(stdout).toMatch(/^Wave: +all 2 done$/m);
      expect(stdout).toMatch(/^ +2 +initech +yes +\S+ +0% → 0% +5\.0 ms → 10\.0 ms +2 → 1 +not judged: too little traffic/m);
      expect(stdout).toContain(
        [
          'Next:',
          `  saas moves finalize ${MOVE_ACME}      drops acme's old schema, for good`,
          `  saas moves finalize ${MOVE_GLOBEX}      drops globex's old schema, for good`,
          `  saas moves finalize ${MOVE_INITECH}      drops initech's old schema, for good`,
          `  saas rollouts rollback ${ID}   puts every tenant it moved back on its old pool`,
          '',
        ].join('\n'),
      );
    });

    it('--json prints only the rollout once it rests, reading no moves; the halt goes to stderr', async () => {
      controlPlane.answer('POST /platform/rollouts', { status: 202, body: rollout() });
      controlPlane.answerInTurn(`GET /platform/rollouts/${ID}`, [{ body: rollout({ report: ACME_MOVING }) }, { body: HALTED }]);

      const { code, stdout, stderr } = await saas('rollout', 'v2', '--json');

      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual(HALTED);
      expect(stderr).toMatch(new RegExp(`^error: rollout ${ID} halted in wave 1 of 2: .*\\nhint: \`saas rollouts resume ${ID}\``));
      expect(routes().filter((r) => r.includes('/moves/'))).toEqual([]);
    });

    it('--no-wait returns once the rollout has started, saying how to see it', async () => {
      controlPlane.answer('POST /platform/rollouts', { status: 202, body: rollout() });

      const table = await saas('rollout', 'v2', '--no-wait');
      const json = await saas('rollout', 'v2', '--no-wait', '--json');

      expect(routes()).toEqual(['POST /platform/rollouts', 'POST /platform/rollouts']);
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toMatch(new RegExp(`^Rollout ${ID} to pool v2 is running: wave 1 of 2\\.\\n`));
      expect(table.stdout).toContain(`Next:\n  saas rollouts show ${ID}   shows where it is (it goes on in the control plane)\n`);
      expect(JSON.parse(json.stdout)).toEqual(rollout());
    });

    it('Ctrl-C stops following, not the rollout: exit 130, and how to see it', async () => {
      controlPlane.answer('POST /platform/rollouts', { status: 202, body: rollout() });
      controlPlane.answer(`GET /platform/rollouts/${ID}`, { body: rollout({ report: ACME_BEFORE }) });
      const gets = () => controlPlane.requests.filter((r) => r.method === 'GET').length;
      const pressCtrlC = setInterval(() => {
        if (gets() >= 2) {
          clearInterval(pressCtrlC);
          signals.emit('SIGINT');
        }
      }, 10);

      const { code, stdout, stderr } = await saas('rollout', 'v2');

      expect(code).toBe(130);
      expect(stdout).toBe('');
      expect(stderr).toContain('  acme     before: 48 requests, 0% errors, mean 5.2 ms\n');
      expect(stderr.endsWith(`stopped: no longer following rollout ${ID}; it goes on in the control plane\nhint: \`saas rollouts show ${ID}\` shows where it is\n`)).toBe(true);
      expect(routes().filter((r) => r.startsWith('POST'))).toEqual(['POST /platform/rollouts']);
    });

    it.each([
      [['v2', '--waves', '10%,50%,abc'], '"abc" is not a whole percentage: give rising percentages, comma-separated (e.g. 10%,50%,100%).'],
      [['v2', '--waves', '50%,10%'], 'Waves must rise: 10% comes after 50%'],
      [['v2', '--waves', '0,100'], '0% is not between 1% and 100%.'],
      [['v2', '--waves', '10,150'], '150% is not between 1% and 100%.'],
      [['v2', '--window', '30'], 'Expected a duration with its unit, e.g. 500ms, 30s or 2m (30 what? say 30s or 30ms).'],
      [['v2', '--window', '10ms'], 'Expected a window from 100ms to 1h, not 10ms.'],
      [['v2', '--max-error-increase', '5'], 'did you mean 5%?'],
      [['v2', '--max-error-increase', '150%'], 'Expected a percentage from 0% to 100%, not 150%.'],
      [['v2', '--max-latency-ratio', '0.5'], 'Expected a factor of 1 or more'],
      [['v2', '--min-requests', '-1'], 'Expected a whole number'],
      [['v2', '--canary', 'Acme'], 'slug "Acme" is invalid'],
      [['v2', '--canary', ','], 'Expected tenant slugs, comma-separated'],
      [['V 2'], 'pool name "V 2" is invalid'],
      [['v2', '--from', 'V1'], '--from: pool name "V1" is invalid'],
      [[], "missing required argument 'pool'"],
    ])('is a usage error (2), before any request: %j', async (args, message) => {
      const { code, stderr } = await saas('rollout', ...args);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(controlPlane.requests).toEqual([]);
    });

    it('sends each canary once, however given, and every threshold as the control plane takes it', async () => {
      controlPlane.answer('POST /platform/rollouts', { status: 202, body: rollout() });

      await saas('rollout', 'v2', '--canary', 'acme,globex', '--canary', 'acme', '--from', 'v1', '--window', '2m', '--max-error-increase', '0.02', '--min-requests', '0', '--no-wait');
      await saas('rollout', 'v2', '--window', '500ms', '--max-error-increase', '.5%', '--no-wait');

      expect(controlPlane.requests.map((r) => r.body)).toEqual([
        { pool: 'v2', canaries: ['acme', 'globex'], from: 'v1', windowSeconds: 120, maxErrorRateIncrease: 0.02, minRequests: 0 },
        { pool: 'v2', windowSeconds: 0.5, maxErrorRateIncrease: 0.005 },
      ]);
    });

    it.each([
      ['MOVE_POOL_UNKNOWN', 400, 'pool "v404" does not exist', '`saas pools list` shows the pools'],
      ['MOVE_POOL_NOT_ACCEPTING', 409, 'pool v2 is draining and takes no tenants', 'only an active pool takes tenants: `saas pools list` shows each status'],
      ['ROLLOUT_INVALID', 400, 'canaries nobody are not among the tenants this rollout moves', "`saas tenants list` shows the tenants and their pools; `saas pools list` each pool's release"],
      [
        'ROLLOUT_NO_METRICS',
        409,
        'this control plane reads no metrics',
        "start the control plane with ROLLOUT_METRICS_URLS set to the gateways' /metrics endpoints, comma-separated (`npm start` sets it for the dev stack)",
      ],
    ])("exits 1 with the control plane's refusal (%s) and what to do next", async (errorCode, status, message, hint) => {
      controlPlane.answer('POST /platform/rollouts', refusal(status, errorCode, message));

      const { code, stdout, stderr } = await saas('rollout', 'v2');

      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toBe(`error: ${message} (${errorCode})\nhint: ${hint}\n`);
    });

    it('names the open rollout of the pool when the control plane says there is one', async () => {
      const message = 'pool v2 already has a rollout that is not finished; resume or roll it back first (saas rollouts list)';
      controlPlane.answer('POST /platform/rollouts', refusal(409, 'ROLLOUT_OPEN', message));
      controlPlane.answer('GET /platform/rollouts?limit=500', {
        body: { rollouts: [rollout({ id: OTHER_ID, pool: 'v3', state: 'halted' }), rollout({ state: 'halted', report: ACME_REGRESSED, error: HALT })] },
      });

      const { code, stderr } = await saas('rollout', 'v2');

      expect(code).toBe(1);
      expect(stderr).toBe(
        `error: ${message} (ROLLOUT_OPEN)\nhint: it is rollout ${ID} (halted): \`saas rollouts show ${ID}\`, then \`saas rollouts resume ${ID}\` or \`saas rollouts rollback ${ID}\`\n`,
      );
    });
  });

  describe('rollouts list', () => {
    it('asks GET /platform/rollouts and prints a line per rollout; --json as given; none says so', async () => {
      const LIST = { rollouts: [HALTED, rollout({ id: OTHER_ID, pool: 'v3', state: 'done', canaries: [], currentWave: 2, report: { acme: { wave: 0, moveId: MOVE_ACME, moveState: 'switched' } } })] };
      controlPlane.answer('GET /platform/rollouts?limit=5', { body: LIST });

      const { code, stdout, stderr } = await saas('rollouts', 'list', '--limit', '5');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toBe(
        [
          'ID                                    POOL  STATE   WAVE  MOVED  CANARIES  CREATED',
          `${ID}  v2    halted   1/2    1/3  acme      2026-11-26T12:00:00Z`,
          `${OTHER_ID}  v3    done     2/2    1/3  —         2026-11-26T12:00:00Z`,
          '',
        ].join('\n'),
      );

      controlPlane.answer('GET /platform/rollouts', { body: LIST });
      expect(JSON.parse((await saas('rollouts', 'list', '--json')).stdout)).toEqual(LIST);
      controlPlane.answer('GET /platform/rollouts', { body: { rollouts: [] } });
      expect((await saas('rollouts', 'list')).stdout).toBe('No rollouts.\n');
    });

    it('refuses a --limit the control plane would, before any request', async () => {
      for (const limit of ['0', '501']) {
        const { code, stderr } = await saas('rollouts', 'list', '--limit', limit);
        expect({ limit, code }).toEqual({ limit, code: 2 });
        expect(stderr).toMatch(/Expected a positive integer|more than the control plane lists at once \(500\)/);
      }
      expect(controlPlane.requests).toEqual([]);
    });
  });

  describe('rollouts show', () => {
    it('prints the rollout, its plan with a line per tenant, and what can come next', async () => {
      controlPlane.answer(`GET /platform/rollouts/${ID}`, { body: HALTED });

      const { code, stdout } = await saas('rollouts', 'show', ID);

      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Rollout ${ID} to pool v2 halted in wave 1 of 2: regression in wave 1: acme`));
      expect(stdout).toMatch(/^Plan: +3 tenants in 2 waves, canaries first \(acme\)$/m);
      expect(stdout).toMatch(/^WAVE +TENANT +MOVED +MOVE +ERRORS +MEAN LATENCY +REQUESTS +VERDICT$/m);
      expect(stdout).toMatch(/^ +1 +acme +yes .* +regressed: error rate/m);
      expect(stdout).toContain(`Next:\n  saas rollouts resume ${ID}     accepts wave 1 of 2 as it is, and moves wave 2\n`);
    });

    it('--json prints the rollout as given', async () => {
      const answer = { ...HALTED, addedLater: 'kept' };
      controlPlane.answer(`GET /platform/rollouts/${ID}`, { body: answer });
      expect(JSON.parse((await saas('rollouts', 'show', ID, '--json')).stdout)).toEqual(answer);
    });

    it('refuses what is not a rollout id before asking, and says how to find one for a rollout that does not exist', async () => {
      const mistyped = await saas('rollouts', 'show', 'latest');
      expect(mistyped.code).toBe(2);
      expect(mistyped.stderr).toBe(`error: "latest" is not a rollout id (one looks like ${ID})\nhint: \`saas rollouts list\` shows the rollouts and their ids\n`);
      expect(controlPlane.requests).toEqual([]);

      controlPlane.answer(`GET /platform/rollouts/${OTHER_ID}`, refusal(404, 'ROLLOUT_NOT_FOUND', `no rollout has id "${OTHER_ID}"`));
      const unknown = await saas('rollouts', 'show', OTHER_ID);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe(`error: no rollout has id "${OTHER_ID}" (ROLLOUT_NOT_FOUND)\nhint: \`saas rollouts list\` shows the rollouts\n`);
    });
  });

  describe('rollouts resume and rollback', () => {
    it('resume: reads, posts, announces the next wave, and ends 0 once done; the old verdicts are not news', async () => {
      const accepted = { ...ACME_REGRESSED };
      const wave2Done = {
        globex: { wave: 1, before: win(30, 0, 0.3), moveId: MOVE_GLOBEX, moveState: 'switched', after: win(31, 0, 0.31), verdict: healthy },
        initech: { wave: 1, before: win(30, 0, 0.3), moveId: MOVE_INITECH, moveState: 'switched', after: win(31, 0, 0.31), verdict: healthy },
      };
      controlPlane.answer(`POST /platform/rollouts/${ID}/resume`, { status: 202, body: rollout({ report: accepted, currentWave: 1 }) });
      controlPlane.answerInTurn(`GET /platform/rollouts/${ID}`, [
        { body: HALTED },
        { body: rollout({ report: accepted, currentWave: 1 }) },
        { body: rollout({ state: 'done', report: { ...accepted, ...wave2Done }, currentWave: 2 }) },
      ]);

      const { code, stdout, stderr } = await saas('rollouts', 'resume', ID);

      expect(code).toBe(0);
      expect(routes().slice(0, 2)).toEqual([`GET /platform/rollouts/${ID}`, `POST /platform/rollouts/${ID}/resume`]);
      expect(stderr).toMatch(new RegExp(`^Resuming rollout ${ID} to pool v2\\. Ctrl-C stops following, not the rollout\\.\\nWave 2 of 2: globex, initech \\(3 of 3 tenants moved by its end\\)\\n`));
      expect(stderr).not.toContain('acme ');
      expect(stderr).toContain('  wave 2 passed: no regression\n');
      expect(stdout).toMatch(/^State: +done$/m);
      // Three moves to finalize (acme regressed, but the wave was accepted: it stays switched), then the rollback.
      expect(stdout.match(/saas moves finalize/g)).toHaveLength(3);
    });

    it('rollback: tells each tenant as it is back, and ends 0 once rolled back', async () => {
      controlPlane.answer(`POST /platform/rollouts/${ID}/rollback`, { status: 202, body: { ...HALTED, state: 'rolling_back' } });
      controlPlane.answerInTurn(`GET /platform/rollouts/${ID}`, [
        { body: HALTED },
        { body: { ...HALTED, state: 'rolling_back' } },
        { body: { ...HALTED, state: 'rolled_back', report: { acme: { ...ACME_REGRESSED.acme, moveState: 'rolled_back' } }, finishedAt: '2026-11-26T12:02:00.000Z' } },
      ]);

      const { code, stdout, stderr } = await saas('rollouts', 'rollback', ID);

      expect(code).toBe(0);
      expect(stderr).toBe(
        `Rolling back rollout ${ID}: every tenant it moved to pool v2 goes back to its old pool. Ctrl-C stops following, not the rollout.\n` +
          '  acme     back on its old pool (move rolled back)\n',
      );
      expect(stdout).toMatch(new RegExp(`^Rollout ${ID} is rolled back: every tenant it moved to pool v2 is on its old pool again\\.\\n`));
      expect(stdout).toMatch(/^ +1 +acme +back +/m);
      expect(stdout).not.toContain('Next:');
      expect(routes().filter((r) => r.includes('/moves/'))).toEqual([]);
    });

    it('rollback: exits 1 when a tenant could not go back, saying to run it again', async () => {
      const error = 'rolling back acme failed: the copy back differs; fix it and roll the rollout back again';
      controlPlane.answer(`POST /platform/rollouts/${ID}/rollback`, { status: 202, body: { ...HALTED, state: 'rolling_back' } });
      controlPlane.answerInTurn(`GET /platform/rollouts/${ID}`, [{ body: HALTED }, { body: { ...HALTED, error } }]);

      const { code, stdout, stderr } = await saas('rollouts', 'rollback', ID);

      expect(code).toBe(1);
      expect(stderr).toContain(`error: rollout ${ID} could not roll back: ${error}\nhint: \`saas rollouts show ${ID}\` shows which tenants are back; \`saas rollouts rollback ${ID}\` tries again\n`);
      expect(stdout).toContain(`Next:\n  saas rollouts rollback ${ID}   tries the rollback again\n`);
    });

    it('tries again for a moment while the control plane is still busy with a rollout that has just halted', async () => {
      controlPlane.answerInTurn(`POST /platform/rollouts/${ID}/rollback`, [
        refusal(409, 'MOVE_BUSY', `rollout ${ID} is running a wave right now; wait until it halts or ends (saas rollouts show ${ID})`),
        { status: 202, body: { ...HALTED, state: 'rolling_back' } },
      ]);
      controlPlane.answerInTurn(`GET /platform/rollouts/${ID}`, [{ body: HALTED }, { body: { ...HALTED, state: 'rolled_back' } }]);

      const { code, stdout } = await saas('rollouts', 'rollback', ID, '--json');

      expect(code).toBe(0);
      expect(routes().filter((r) => r.startsWith('POST'))).toHaveLength(2);
      expect(JSON.parse(stdout)).toMatchObject({ state: 'rolled_back' });
    });

    it('says at once that a running rollout is busy, and what a refusal means, naming rollout commands', async () => {
      controlPlane.answer(`GET /platform/rollouts/${ID}`, { body: rollout({ report: ACME_MOVING }) });
      controlPlane.answer(`POST /platform/rollouts/${ID}/rollback`, refusal(409, 'MOVE_BUSY', `rollout ${ID} is running a wave right now`));
      controlPlane.answer(`POST /platform/rollouts/${ID}/resume`, refusal(409, 'MOVE_WRONG_STATE', `rollout ${ID} is running; only a halted rollout can be resumed`));

      const busy = await saas('rollouts', 'rollback', ID);
      const wrongState = await saas('rollouts', 'resume', ID);

      expect(busy.code).toBe(1);
      expect(busy.stderr).toBe(
        `error: rollout ${ID} is running a wave right now (MOVE_BUSY)\nhint: it is running a wave: \`saas rollouts show ${ID}\` shows where it is; resume or roll it back once it halts\n`,
      );
      expect(routes().filter((r) => r === `POST /platform/rollouts/${ID}/rollback`)).toHaveLength(1);
      expect(wrongState.code).toBe(1);
      expect(wrongState.stderr).toContain(`hint: \`saas rollouts show ${ID}\` shows its state and what can be done next\n`);
    });

    it.each(['resume', 'rollback'])('%s --no-wait posts and prints the rollout as the control plane took it', async (action) => {
      const taken = action === 'resume' ? rollout({ report: ACME_REGRESSED, currentWave: 1 }) : { ...HALTED, state: 'rolling_back' };
      controlPlane.answer(`POST /platform/rollouts/${ID}/${action}`, { status: 202, body: taken });

      const table = await saas('rollouts', action, ID, '--no-wait');
      const json = await saas('rollouts', action, ID, '--no-wait', '--json');

      expect(routes()).toEqual([`POST /platform/rollouts/${ID}/${action}`, `POST /platform/rollouts/${ID}/${action}`]);
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toContain(`Next:\n  saas rollouts show ${ID}   shows where it is (it goes on in the control plane)\n`);
      expect(JSON.parse(json.stdout)).toEqual(taken);
    });

    it('refuses what is not a rollout id before any request', async () => {
      for (const action of ['resume', 'rollback']) {
        const { code, stderr } = await saas('rollouts', action, 'v2');
        expect({ action, code }).toEqual({ action, code: 2 });
        expect(stderr).toContain('error: "v2" is not a rollout id');
      }
      expect(controlPlane.requests).toEqual([]);
    });
  });
});
