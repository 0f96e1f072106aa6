import { EventEmitter } from 'node:events';
import { CliError } from '../cli-error';
import { CliSession } from '../cli-session';
import type { MoveDetail, MoveEvent } from './move-view';
import { followRollout, RolloutNarrator } from './rollout-follow';
import type { RolloutView, TenantReport } from './rollout-view';

const ID = '7c2e4b18-93d5-4f0a-b6e1-5a8d9c3f2e71';
const FAST = { pollMs: 5 };

const rollout = (state: string, report: Record<string, TenantReport>, overrides: Partial<RolloutView> = {}): RolloutView => ({
  id: ID,
  pool: 'v2',
  state,
  waves: [100],
  canaries: ['acme'],
  plan: [['acme'], ['globex']],
  currentWave: 0,
  policy: { windowMs: 2000, minRequests: 5, maxErrorRateIncrease: 0.05, maxLatencyRatio: 2, minLatencyIncreaseMs: 50 },
  report,
  error: null,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  finishedAt: null,
  ...overrides,
});
const event = (step: string, outcome: string, ms: number | null = null): MoveEvent => ({ at: '2026-11-26T12:00:01.000Z', step, outcome, ms, details: {} });
const win = (requests: number, errors: number) => ({ requests, errors, seconds: requests * 0.01, windowMs: 2000 });
const healthy = { regressed: false, judged: true, reasons: [] };
const moveOf = (events: MoveEvent[]) => ({ events }) as unknown as MoveDetail;

describe('RolloutNarrator', () => {
  it("takes the command's answer as known: a resumed rollout's earlier waves, moves and verdicts are not news", () => {
    const acme = { wave: 0, before: win(10, 0), moveId: 'm-acme', moveState: 'switched', after: win(10, 5), verdict: { regressed: true, judged: true, reasons: ['error rate up'] } };
    const narrator = new RolloutNarrator(rollout('running', { acme }, { currentWave: 1 }));

    expect(narrator.movesToRead(rollout('running', { acme }, { currentWave: 1 }))).toEqual([]);
    expect(narrator.news(rollout('running', { acme }, { currentWave: 1 }), new Map())).toEqual([
      'Wave 2 of 2: globex (2 of 2 tenants moved by its end)',
      '  watching their traffic for 2s, then moving them one at a time',
    ]);
    expect(narrator.news(rollout('running', { acme, globex: { wave: 1, before: win(3, 0) } }, { currentWave: 1 }), new Map())).toEqual(['  globex  before: 3 requests, 0% errors, mean 10.0 ms']);
  });

  it("shows a move's steps once each, reads it until the report has its state, then no more", () => {
    const narrator = new RolloutNarrator(rollout('running', {}));
    narrator.news(rollout('running', {}), new Map());
    const moving = rollout('running', { acme: { wave: 0, before: win(1, 0), moveId: 'm1' } });
    expect(narrator.movesToRead(moving)).toEqual(['m1']);
    expect(narrator.news(moving, new Map([['m1', [event('copy', 'started')]]]))).toEqual([
      '  acme    before: 1 requests, 0% errors, mean 10.0 ms',
      '  acme    moving to v2 (move m1)',
      '    copy           started',
    ]);
    const switched = rollout('running', { acme: { wave: 0, before: win(1, 0), moveId: 'm1', moveState: 'switched' } });
    expect(narrator.movesToRead(switched)).toEqual(['m1']);
    expect(narrator.news(switched, new Map([['m1', [event('copy', 'started'), event('copy', 'done', 20)]]]))).toEqual([
      '    copy           done         20 ms',
      '  acme    on v2 now (move switched)',
      '  all moved; watching their traffic for 2s to judge them',
    ]);
    expect(narrator.movesToRead(switched)).toEqual([]);
    // A move read that failed (no steps this time) is no news, and is tried again.
    const other = rollout('running', { ...switched.report, globex: { wave: 1, before: win(2, 0), moveId: 'm2' } }, { currentWave: 1 });
    expect(narrator.news(other, new Map())).toEqual([
      'Wave 2 of 2: globex (2 of 2 tenants moved by its end)',
      '  globex  before: 2 requests, 0% errors, mean 10.0 ms',
      '  globex  moving to v2 (move m2)',
    ]);
    expect(narrator.movesToRead(other)).toEqual(['m2']);
  });

  it('says a wave passed once, and tells a failed move', () => {
    const narrator = new RolloutNarrator(rollout('running', {}));
    const passed = { wave: 0, moveId: 'm1', moveState: 'switched', before: win(9, 0), after: win(9, 0), verdict: healthy };
    narrator.news(rollout('running', { acme: passed }), new Map());
    expect(narrator.news(rollout('running', { acme: passed }, { currentWave: 1 }), new Map())).toEqual(['Wave 2 of 2: globex (2 of 2 tenants moved by its end)', '  watching their traffic for 2s, then moving them one at a time']);
    const failed = { wave: 1, before: win(1, 0), moveId: 'm2', moveState: 'failed' };
    expect(narrator.news(rollout('halted', { acme: passed, globex: failed }, { currentWave: 1 }), new Map())).toEqual([
      '  globex  before: 1 requests, 0% errors, mean 10.0 ms',
      '  globex  moving to v2 (move m2)',
      '  globex  move failed; it stays on its old pool',
    ]);
  });

  it('while rolling back, reads no moves and tells each tenant as it is back, with no wave news', () => {
    const moved = { acme: { wave: 0, moveId: 'm1', moveState: 'switched' }, globex: { wave: 1, moveId: 'm2', moveState: 'switched' } };
    const narrator = new RolloutNarrator(rollout('halted', moved, { currentWave: 1 }));
    const back = rollout('rolling_back', { ...moved, globex: { ...moved.globex, moveState: 'rolled_back' } }, { currentWave: 1 });
    expect(narrator.movesToRead(back)).toEqual([]);
    expect(narrator.news(back, new Map())).toEqual(['Rolling back: every tenant it moved goes back to its old pool.', '  globex  back on its old pool (move rolled back)']);
    const done = rollout('rolled_back', { acme: { ...moved.acme, moveState: 'rolled_back' }, globex: back.report.globex! }, { currentWave: 1 });
    expect(narrator.news(done, new Map())).toEqual(['  acme    back on its old pool (move rolled back)']);
  });
});

/** A session writing to strings, Ctrl-C from `signals`, and a control plane answering each rollout read with the next (the last again and again). */
function harness(answers: Array<RolloutView | Error>, moves: Record<string, MoveEvent[] | Error> = {}, options: { tty?: boolean } = {}) {
  const output = { stdout: '', stderr: '' };
  const signals = new EventEmitter();
  const session = new CliSession({
    stdout: { write: (text: string) => (output.stdout += text) },
    stderr: { write: (text: string) => (output.stderr += text), isTTY: options.tty ?? false },
    cwd: '/',
    env: {},
    signals,
  });
  const queue = [...answers];
  const paths: string[] = [];
  const client = {
    get: async (path: string) => {
      paths.push(path);
      const move = /^\/platform\/moves\/(.+)$/.exec(path);
      if (move !== null) {
        const answer = moves[move[1]!];
        if (answer === undefined || answer instanceof Error) throw answer ?? new CliError('no such move');
        return moveOf(answer);
      }
      const next = queue.length > 1 ? queue.shift()! : queue[0]!;
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as Parameters<typeof followRollout>[1];
  const follow = (started: RolloutView, show = true) => followRollout(session, client, { started, show, timings: FAST });
  return { output, signals, follow, paths };
}

describe('followRollout', () => {
  it('ends when the rollout rests, having told what happened, and hands Ctrl-C back', async () => {
    const moving = rollout('running', { acme: { wave: 0, moveId: 'm1' } });
    const halted = rollout('halted', { acme: { wave: 0, moveId: 'm1', moveState: 'failed' } }, { error: 'the move of acme failed' });
    const { follow, output, signals } = harness([moving, halted], { m1: [event('copy', 'failed', 5)] });

    const end = await follow(rollout('running', {}));

    expect(end).toMatchObject({ how: 'rested', rollout: { state: 'halted' } });
    expect(output.stderr).toBe(
      [
        'Wave 1 of 2 (canaries): acme (1 of 2 tenants moved by its end)',
        '  watching their traffic for 2s, then moving them one at a time',
        '  acme    moving to v2 (move m1)',
        '    copy           failed        5 ms',
        '  acme    move failed; it stays on its old pool',
        '',
      ].join('\n'),
    );
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('reads no move and prints nothing when not showing (--json)', async () => {
    const { follow, output, paths } = harness([rollout('running', { acme: { wave: 0, moveId: 'm1' } }), rollout('done', {})], { m1: [] });
    expect((await follow(rollout('running', {}), false)).how).toBe('rested');
    expect(output.stderr).toBe('');
    expect(paths.every((p) => p.startsWith('/platform/rollouts/'))).toBe(true);
  });

  it("goes on when a move cannot be read: the rollout's own state is what counts", async () => {
    const { follow, output } = harness([rollout('running', { acme: { wave: 0, moveId: 'm1' } }), rollout('running', { acme: { wave: 0, moveId: 'm1', moveState: 'switched' } }), rollout('done', {})], {
      m1: new CliError('no move has id m1 (MOVE_NOT_FOUND)'),
    });
    expect((await follow(rollout('running', {}))).how).toBe('rested');
    expect(output.stderr).toContain('  acme    on v2 now (move switched)\n');
  });

  it('ends on Ctrl-C with the rollout as last read', async () => {
    const { follow, signals } = harness([rollout('running', {})]);
    const following = follow(rollout('running', {}));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(signals.listenerCount('SIGINT')).toBe(1);
    signals.emit('SIGINT');

    expect(await following).toMatchObject({ how: 'interrupted', rollout: { state: 'running' } });
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('says the rollout goes on when the control plane stops answering', async () => {
    const { follow } = harness([rollout('running', {}), new CliError('cannot reach the control plane at http://127.0.0.1:1 (connection refused)', { hint: 'is the control plane running?' })]);

    const failure = await follow(rollout('running', {})).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CliError);
    expect((failure as CliError).message).toBe(`cannot reach the control plane at http://127.0.0.1:1 (connection refused), while following rollout ${ID}`);
    expect((failure as CliError).hint).toBe(`is the control plane running?; the rollout goes on in the control plane: \`saas rollouts show ${ID}\` shows where it is`);
  });

  it('on a terminal, redraws a line saying what the rollout is doing, and clears it before news', async () => {
    const watching = rollout('running', {});
    const { follow, output } = harness([watching, watching, watching, rollout('running', { acme: { wave: 0, before: win(4, 0), moveId: 'm1' } }), rollout('done', {})], { m1: [] }, { tty: true });

    await follow(watching);

    const clearLine = '\r\u001b[2K';
    const drawn = output.stderr.split(clearLine).filter((part) => part.startsWith('  … '));
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn[0]).toMatch(/^ {2}… watching wave 1's traffic before its moves, \d+ms \(Ctrl-C stops following, not the rollout\)$/);
    expect(drawn.at(-1)).toMatch(/^ {2}… moving acme, \d+ms /);
    expect(output.stderr).toContain(`${clearLine}  acme    before: 4 requests`);
  });
});
