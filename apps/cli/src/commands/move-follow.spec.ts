import { EventEmitter } from 'node:events';
import { CliError } from '../cli-error';
import { CliSession } from '../cli-session';
import { followMove, type FollowOptions } from './move-follow';
import type { MoveDetail, MoveEvent } from './move-view';

const ID = '3f0c9a52-7b1e-4d2a-9c61-0e8f5b2d4a17';
const FAST = { pollMs: 5, stallMs: 60, unchangedMs: 60 };

const move = (state: string, events: MoveEvent[], overrides: Partial<MoveDetail> = {}): MoveDetail => ({
  id: ID,
  tenant: 'acme',
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
  ...overrides,
});
const event = (step: string, outcome: string, ms: number | null = null, details: Record<string, unknown> = {}): MoveEvent => ({ at: '2026-11-26T12:00:01.000Z', step, outcome, ms, details });

/** A session writing to strings, Ctrl-C from `signals`, and a control plane answering each read with the next move (the last again and again). */
function harness(answers: Array<MoveDetail | Error>, options: { tty?: boolean } = {}) {
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
  let reads = 0;
  const client = {
    get: async () => {
      reads += 1;
      const next = queue.length > 1 ? queue.shift()! : queue[0]!;
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as Parameters<typeof followMove>[1];
  const follow = (options: Omit<FollowOptions, 'show' | 'timings'> & Partial<Pick<FollowOptions, 'show'>>) =>
    followMove(session, client, { show: true, timings: FAST, ...options });
  return { output, signals, follow, reads: () => reads };
}

describe('followMove', () => {
  it('ends when the move rests, having printed each step once', async () => {
    const steps = [event('requested', 'done'), event('copy', 'started'), event('copy', 'done', 1234, { rows: 10_000 })];
    const { output, follow, signals } = harness([move('copying', steps.slice(0, 2)), move('copying', steps.slice(0, 2)), move('switched', steps)]);

    const end = await follow({ started: move('copying', []), goal: 'switched' });

    expect(end).toMatchObject({ how: 'rested', move: { state: 'switched' } });
    expect(output.stderr).toBe('  requested      done\n  copy           started\n  copy           done      1,234 ms  rows=10,000\n');
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('waits for a step still under way when the move already rests (a rollback drops the copy after the switch back)', async () => {
    const back = [event('switch', 'done', 3), event('drop-copy', 'started')];
    const { output, follow } = harness([move('rolled_back', back), move('rolled_back', back), move('rolled_back', [...back, event('drop-copy', 'done', 9)])]);

    const end = await follow({ started: move('rolling_back', []), goal: 'rolled_back' });

    expect(end).toMatchObject({ how: 'rested', move: { events: [{}, {}, { step: 'drop-copy', outcome: 'done' }] } });
    expect(output.stderr).toMatch(/drop-copy +done +9 ms\n$/);
  });

  it('does not wait for ever for a step under way on a resting move that no longer moves', async () => {
    const { follow } = harness([move('switched', [event('drop-copy', 'started')])]);
    expect(await follow({ started: move('rolling_back', []), goal: 'rolled_back' })).toMatchObject({ how: 'rested', move: { state: 'switched' } });
  });

  it('prints nothing when not showing (--json)', async () => {
    const { output, follow } = harness([move('switched', [event('switch', 'done', 3)])]);
    await follow({ started: move('copying', []), goal: 'switched', show: false });
    expect(output).toEqual({ stdout: '', stderr: '' });
  });

  it('stops at a running move whose last step failed when no step gets done after it (the control plane retries it by itself)', async () => {
    const failing = [event('drop-old', 'started'), event('drop-old', 'failed', 4, { reason: 'permission denied' })];
    const { follow } = harness([move('finalizing', failing), move('finalizing', [...failing, ...failing])]);

    const end = await follow({ started: move('finalizing', []), goal: 'finalized' });

    expect(end).toMatchObject({ how: 'stalled', move: { state: 'finalizing' }, failure: { step: 'drop-old', outcome: 'failed' } });
  });

  it('does not take a long step for a stall', async () => {
    const copying = move('cutover', [event('copy', 'started')]);
    const { follow, reads } = harness([copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, copying, move('switched', [event('copy', 'started'), event('copy', 'done', 200)])]);

    const end = await follow({ started: move('copying', []), goal: 'switched' });

    expect(end.how).toBe('rested');
    expect(reads()).toBeGreaterThan(20);
  });

  it('waits for a resting move it was asked to change to change, and gives up when it does not', async () => {
    const failed = move('failed', [event('failed', 'failed')], { error: 'boom' });
    const { follow, output } = harness([failed]);

    const end = await follow({ before: failed, started: failed, goal: 'switched' });

    expect(end.how).toBe('unchanged');
    expect(output.stderr).toBe('');
  });

  it('takes a resting move already where the command drives it as the end (a switched move resumed)', async () => {
    const switched = move('switched', [event('switch', 'done', 3)]);
    const { follow, reads } = harness([switched]);
    expect(await follow({ before: switched, started: switched, goal: 'switched' })).toMatchObject({ how: 'rested' });
    expect(reads()).toBe(1);
  });

  it('ends on Ctrl-C with the move as last read, and hands Ctrl-C back', async () => {
    const { follow, signals } = harness([move('copying', [event('copy', 'started')])]);
    const following = follow({ started: move('copying', []), goal: 'switched' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(signals.listenerCount('SIGINT')).toBe(1);
    signals.emit('SIGINT');

    expect(await following).toMatchObject({ how: 'interrupted', move: { state: 'copying' } });
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('says the move goes on when the control plane stops answering', async () => {
    const { follow } = harness([move('copying', []), new CliError('cannot reach the control plane at http://127.0.0.1:1 (connection refused)', { hint: 'is the control plane running?' })]);

    const failure = await follow({ started: move('copying', []), goal: 'switched' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CliError);
    expect((failure as CliError).message).toBe(`cannot reach the control plane at http://127.0.0.1:1 (connection refused), while following move ${ID}`);
    expect((failure as CliError).hint).toBe(`is the control plane running?; the move goes on in the control plane: \`saas moves show ${ID}\` shows where it is`);
  });

  it('on a terminal, redraws a line saying how long the step under way has run, and clears it before the next step', async () => {
    const started = [event('copy', 'started')];
    const { follow, output } = harness([move('cutover', started), move('cutover', started), move('switched', [...started, event('copy', 'done', 20)])], { tty: true });

    await follow({ started: move('copying', []), goal: 'switched' });

    const clearLine = '\r\u001b[2K';
    const drawn = output.stderr.split(clearLine).filter((part) => part.startsWith('  … '));
    expect(drawn.length).toBeGreaterThan(0);
    for (const line of drawn) expect(line).toMatch(/^ {2}… copy, \d+ms \(Ctrl-C stops following, not the move\)$/);
    expect(output.stderr.endsWith(`${clearLine}  copy           done         20 ms\n`)).toBe(true);
  });
});
