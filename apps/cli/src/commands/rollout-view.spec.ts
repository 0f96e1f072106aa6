import { describePolicy, formatComparison, formatVerdict, formatWindow, moved, nextSteps, rolloutRests, type RolloutView } from './rollout-view';

const ID = 'r1';
const rollout = (overrides: Partial<RolloutView> = {}): RolloutView => ({
  id: ID,
  pool: 'v2',
  state: 'running',
  waves: [50, 100],
  canaries: [],
  plan: [['acme'], ['globex']],
  currentWave: 0,
  policy: { windowMs: 30_000, minRequests: 5, maxErrorRateIncrease: 0.05, maxLatencyRatio: 2, minLatencyIncreaseMs: 50 },
  report: {},
  error: null,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  finishedAt: null,
  ...overrides,
});
const win = (requests: number, errors: number, seconds: number) => ({ requests, errors, seconds, windowMs: 30_000 });
const commands = (r: RolloutView) => nextSteps(r).map(([command]) => command);

describe('rollout views', () => {
  it('a rollout rests when halted, done, failed or rolled back, and in a state this saas does not know', () => {
    expect(['halted', 'done', 'failed', 'rolled_back', 'paused_by_a_newer_control_plane'].filter(rolloutRests)).toHaveLength(5);
    expect(['running', 'rolling_back'].filter(rolloutRests)).toEqual([]);
  });

  it('says whether a tenant moved, from its report entry', () => {
    expect(moved(undefined)).toBe('no');
    expect(moved({ wave: 0, before: win(1, 0, 0) })).toBe('no');
    expect(moved({ wave: 0, moveId: 'm' })).toBe('moving');
    expect(moved({ wave: 0, moveId: 'm', moveState: 'switched' })).toBe('yes');
    expect(moved({ wave: 0, moveId: 'm', moveState: 'rolled_back' })).toBe('back');
    expect(moved({ wave: 0, moveId: 'm', moveState: 'failed' })).toBe('no (failed)');
    expect(moved({ wave: 0, error: 'pool v2 is unreachable' })).toBe('no (failed)');
  });

  it('reads health windows and verdicts: error rate, mean latency, requests, before → after', () => {
    expect(formatWindow(win(48, 12, 0.24))).toBe('48 requests, 25% errors, mean 5.0 ms');
    expect(formatWindow(win(0, 0, 0))).toBe('no requests in 30s');
    expect(formatComparison({ wave: 0, before: win(48, 0, 0.24), after: win(0, 0, 0) })).toBe('errors 0% → —, mean latency 5.0 ms → —, requests 48 → 0');
    expect(formatComparison({ wave: 0 })).toBe('errors —, mean latency —, requests —');
    expect(formatVerdict(undefined)).toBe('—');
    expect(formatVerdict({ regressed: false, judged: true, reasons: [] })).toBe('healthy');
    expect(formatVerdict({ regressed: true, judged: true, reasons: ['error rate 0.0% → 50.0%', 'mean latency 5.0 ms → 90.0 ms'] })).toBe(
      'regressed: error rate 0.0% → 50.0%; mean latency 5.0 ms → 90.0 ms',
    );
    expect(formatVerdict({ regressed: false, judged: false, reasons: ['too little traffic'] })).toBe('not judged: too little traffic');
  });

  it('says the policy in words', () => {
    expect(describePolicy(rollout().policy)).toBe(
      'window 30s before and after each move; judged from 5 requests; a regression: errors up more than 5% (points), or mean latency ×2 and +50 ms',
    );
  });

  it('offers to resume (accepting a judged wave, or trying a failed move again) or roll back a halted rollout', () => {
    const judged = rollout({ state: 'halted', report: { acme: { wave: 0, moveId: 'm', moveState: 'switched', verdict: { regressed: true, judged: true, reasons: ['x'] } } } });
    expect(nextSteps(judged)).toEqual([
      [`saas rollouts resume ${ID}`, 'accepts wave 1 of 2 as it is, and moves wave 2'],
      [`saas rollouts rollback ${ID}`, 'puts every tenant it moved back on its old pool'],
    ]);
    const lastWave = rollout({ ...judged, currentWave: 1, report: { ...judged.report, globex: { ...judged.report.acme!, wave: 1 } } });
    expect(nextSteps(lastWave)[0]).toEqual([`saas rollouts resume ${ID}`, 'accepts wave 2 of 2 as it is, and ends the rollout']);
    const failedMove = rollout({ state: 'halted', report: { acme: { wave: 0, moveId: 'm', moveState: 'failed' } } });
    expect(nextSteps(failedMove)[0]).toEqual([`saas rollouts resume ${ID}`, 'tries wave 1 of 2 again (its moved tenants stay moved)']);
  });

  it('offers only to roll back again when the halt came from rolling back', () => {
    const r = rollout({ state: 'halted', error: 'rolling back acme failed: boom; fix it and roll the rollout back again' });
    expect(commands(r)).toEqual([`saas rollouts rollback ${ID}`, `saas rollouts show ${ID}`]);
  });

  it('offers to finalize each move of a done rollout, as one pipeline beyond five, and to roll it back', () => {
    const tenants = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
    const report = Object.fromEntries(tenants.map((t) => [t, { wave: 0, moveId: `m-${t}`, moveState: 'switched' }]));
    const few = rollout({ state: 'done', plan: [tenants.slice(0, 2)], report });
    expect(commands(few)).toEqual(['saas moves finalize m-a1', 'saas moves finalize m-a2', `saas rollouts rollback ${ID}`]);
    const many = rollout({ state: 'done', plan: [tenants], report });
    expect(nextSteps(many)[0]).toEqual([`saas rollouts show ${ID} --json | jq -r '.report[].moveId // empty' | xargs -n1 saas moves finalize`, 'drops the 6 old schemas, for good']);
  });

  it('offers to look at a running rollout, and nothing for a rolled back one', () => {
    expect(commands(rollout())).toEqual([`saas rollouts show ${ID}`]);
    expect(commands(rollout({ state: 'rolling_back' }))).toEqual([`saas rollouts show ${ID}`]);
    expect(nextSteps(rollout({ state: 'rolled_back' }))).toEqual([]);
    expect(commands(rollout({ state: 'failed' }))).toEqual([`saas rollouts rollback ${ID}`, `saas rollouts show ${ID}`]);
  });
});
