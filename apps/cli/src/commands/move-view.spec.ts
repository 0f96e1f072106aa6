import { formatDetails, formatEventLine, formatNextSteps, moveRests, nextSteps, type MoveView } from './move-view';

const move = (state: string, overrides: Partial<MoveView> = {}): MoveView => ({
  id: 'm1',
  tenant: 'acme',
  from: 'v1',
  to: 'v2',
  fromRelease: 1,
  toRelease: 2,
  state,
  method: null,
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

describe('move views', () => {
  it('a move rests in switched, failed, finalized and rolled_back, and in a state this saas does not know', () => {
    expect(['switched', 'failed', 'finalized', 'rolled_back', 'paused_by_a_newer_control_plane'].filter(moveRests)).toHaveLength(5);
    expect(['copying', 'syncing', 'cutover', 'finalizing', 'rolling_back'].filter(moveRests)).toEqual([]);
  });

  it('prints a step as it happens: name, outcome, time, figures with thousands grouped', () => {
    expect(formatEventLine({ at: '', step: 'copy', outcome: 'done', ms: 1234, details: { rows: 10_000, rowsPerSecond: 8130 } })).toBe(
      '  copy           done      1,234 ms  rows=10,000 rowsPerSecond=8,130',
    );
    expect(formatEventLine({ at: '', step: 'hold-requests', outcome: 'started', ms: null, details: {} })).toBe('  hold-requests  started');
  });

  it("leaves out a step's own ms figure (its time is shown), quotes text with spaces, and shows the rest as JSON", () => {
    expect(formatDetails({ ms: 12, details: { ms: 11, method: 'logical', reason: 'no "x" here', tables: ['a', 'b'], ok: true, none: null } })).toBe(
      'method=logical reason="no \\"x\\" here" tables=["a","b"] ok=true none=null',
    );
    expect(formatDetails({ ms: null, details: { ms: 11 } })).toBe('ms=11');
  });

  it('offers the commands that can come next, for each resting state', () => {
    expect(nextSteps(move('switched')).map(([command]) => command)).toEqual(['saas moves finalize m1', 'saas moves rollback m1']);
    expect(nextSteps(move('switched', { toRelease: 3 })).map(([command]) => command)).toEqual(['saas moves finalize m1']);
    expect(nextSteps(move('failed')).map(([command]) => command)).toEqual(['saas moves resume m1', 'saas moves rollback m1']);
    expect(nextSteps(move('copying')).map(([command]) => command)).toEqual(['saas moves show m1']);
    expect(nextSteps(move('finalized'))).toEqual([]);
    expect(formatNextSteps([])).toBe('');
    expect(formatNextSteps(nextSteps(move('failed')))).toBe(
      'Next:\n  saas moves resume m1     tries again (the copy starts over)\n  saas moves rollback m1   gives the move up (drops what it made on v2)\n',
    );
  });
});
