import { parseUpstream } from '@mysaas/tenancy';
import type { UpstreamHealthObserver } from '../observe/upstream-health-observer';
import { PoolMembers } from './pool-members';
import type { UpstreamHealth } from './upstream-health';

const [a, b, c] = ['http://10.0.0.1:3201', 'http://10.0.0.2:3201', 'http://10.0.0.3:3201'].map(parseUpstream) as [
  ReturnType<typeof parseUpstream>,
  ReturnType<typeof parseUpstream>,
  ReturnType<typeof parseUpstream>,
];
const settings = { failuresToEject: 3, ejectMs: 10_000, ejectMaxMs: 120_000 };

describe('PoolMembers', () => {
  let now: number;
  let events: string[];
  let members: PoolMembers;

  const observer: UpstreamHealthObserver = {
    state: (pool, upstream, state) => events.push(`${pool} ${upstream} ${state}`),
    ejected: (pool, upstream, e) => events.push(`${pool} ${upstream} ejected after ${e.failures} (${e.reason}) for ${e.cooldownMs}${e.afterTrial ? ' after trial' : ''}`),
    restored: (pool, upstream, outMs) => events.push(`${pool} ${upstream} restored after ${outMs}`),
    forgotten: (pool, upstream) => events.push(`${pool} ${upstream} forgotten`),
  };

  beforeEach(() => {
    now = 0;
    events = [];
    members = new PoolMembers(settings, observer, () => now);
  });

  /** The origins `count` requests of pool v1 go to, each answered 200. */
  const spread = (count: number, upstreams = [a, b, c]) =>
    Array.from({ length: count }, () => {
      const member = members.pick('v1', upstreams, true)!;
      members.answered(member, 200);
      return member.upstream.origin;
    });

  /** Sends requests until `target` has failed `failuresToEject` times with `reason`. */
  function eject(target: string, upstreams = [a, b, c]): void {
    for (let failures = 0; failures < settings.failuresToEject; ) {
      const member = members.pick('v1', upstreams, true)!;
      if (member.upstream.origin === target) {
        members.failed(member, 'ECONNREFUSED');
        failures++;
      } else members.answered(member, 200);
    }
  }

  it('spreads requests round-robin over every member, one rotation per pool', () => {
    expect(spread(6)).toEqual([a.origin, b.origin, c.origin, a.origin, b.origin, c.origin]);
    expect(members.pick('v2', [a, b], true)!.upstream.origin).toBe(a.origin);
    expect(spread(1)).toEqual([a.origin]);
    expect(events).toEqual([`v1 ${a.origin} healthy`, `v1 ${b.origin} healthy`, `v1 ${c.origin} healthy`, `v2 ${a.origin} healthy`]);
  });

  it('takes a member out after failures in a row, spreads over the others, and gives it one trial after the cool-down', () => {
    eject(b.origin);
    expect(events.slice(-2)).toEqual([`v1 ${b.origin} ejected`, `v1 ${b.origin} ejected after 3 (ECONNREFUSED) for 10000`]);
    expect(new Set(spread(10))).toEqual(new Set([a.origin, c.origin]));

    now = 10_000;
    const trial = pickUntil(b.origin);
    expect(trial.state).toBe('half_open');
    // One trial at a time: while it is out, the others take every request.
    expect(new Set(spread(4))).toEqual(new Set([a.origin, c.origin]));
    now = 10_040;
    members.answered(trial, 200);
    expect(events.slice(-3)).toEqual([`v1 ${b.origin} half_open`, `v1 ${b.origin} healthy`, `v1 ${b.origin} restored after 10040`]);
    expect(new Set(spread(3))).toEqual(new Set([a.origin, b.origin, c.origin]));
  });

  it('re-ejects a member whose trial fails, for twice as long', () => {
    eject(b.origin);
    now = 10_000;
    members.failed(pickUntil(b.origin), 'UND_ERR_CONNECT_TIMEOUT');
    expect(events.at(-1)).toBe(`v1 ${b.origin} ejected after 1 (UND_ERR_CONNECT_TIMEOUT) for 20000 after trial`);
    now = 29_999;
    expect(spread(6)).not.toContain(b.origin);
    now = 30_000;
    expect(pickUntil(b.origin).state).toBe('half_open');
  });

  it('gives the trial only to a request that can be sent again, while another member answers', () => {
    eject(b.origin);
    now = 10_000;
    const writes = Array.from({ length: 6 }, () => {
      const member = members.pick('v1', [a, b, c], false)!;
      members.answered(member, 201);
      return member.upstream.origin;
    });
    expect(new Set(writes)).toEqual(new Set([a.origin, c.origin]));
    expect(pickUntil(b.origin).state).toBe('half_open');
    // With no member in the rotation, a write goes to one that is out all the same.
    eject(a.origin, [a]);
    expect(members.pick('v1', [a], false)!.upstream.origin).toBe(a.origin);
  });

  it('gives the trial to a later request when the client of the first left before an answer', () => {
    eject(b.origin);
    now = 10_000;
    members.abandoned(pickUntil(b.origin));
    expect(events.at(-1)).toBe(`v1 ${b.origin} ejected`);
    expect(pickUntil(b.origin).state).toBe('half_open');
  });

  it('counts 502 and 504 from a member as failures, and a 503 (its own deliberate answer) as an answer', () => {
    const answering = (status: number) => {
      for (let i = 0; i < 9; i++) {
        const member = members.pick('v1', [a, b, c], true)!;
        members.answered(member, member.upstream.origin === c.origin ? status : 200);
      }
      return members.pick('v1', [c], true)!.state;
    };
    expect(answering(503)).toBe('healthy');
    expect(answering(504)).toBe('ejected');
    now = 10_000;
    members.answered(pickUntil(c.origin), 200);
    expect(answering(502)).toBe('ejected');
    expect(events.filter((e) => e.includes('ejected after')).map((e) => e.split(' (')[1]?.split(')')[0])).toEqual(['status 504', 'status 502']);
  });

  it('never leaves a pool with nothing to try: with every member out, the least recently failed is tried', () => {
    eject(a.origin, [a, b]);
    now = 1_000;
    eject(b.origin, [a, b]);
    now = 2_000;
    // a failed longest ago: it goes first, and is still tried after it fails again.
    const first = members.pick('v1', [a, b], true)!;
    expect(first.upstream.origin).toBe(a.origin);
    members.failed(first, 'ECONNREFUSED');
    expect(members.pick('v1', [a, b], true)!.upstream.origin).toBe(b.origin);
    // Neither cool-down moved: the first trial goes at 10 s, to a.
    now = 10_000;
    expect(members.pick('v1', [a, b], true)).toMatchObject({ upstream: a, state: 'half_open' });
    // A single member that is out is still tried, and comes back when it answers.
    eject(c.origin, [c]);
    const only = members.pick('v1', [c], true)!;
    expect(only.state).toBe('ejected');
    members.answered(only, 200);
    expect(members.pick('v1', [c], true)!.state).toBe('healthy');
  });

  it('passes over the members a retry already tried, and has none left once all were', () => {
    const first = members.pick('v1', [a, b], true)!;
    const second = members.pick('v1', [a, b], true, [first])!;
    expect(second.upstream.origin).not.toBe(first.upstream.origin);
    expect(members.pick('v1', [a, b], true, [first, second])).toBeUndefined();
    expect(members.pick('v1', [], true)).toBeUndefined();
  });

  it('forgets members nothing was sent to for ten minutes, so a removed upstream leaves the metrics', () => {
    spread(3);
    now = 5 * 60_000;
    spread(2, [a, b]); // c is no longer in the pool
    now = 10 * 60_000 + 1;
    spread(1, [a, b]);
    expect(events.filter((e) => e.endsWith('forgotten'))).toEqual([`v1 ${c.origin} forgotten`]);
    // Were it to come back, it starts healthy.
    expect(members.pick('v1', [c], true)!.state).toBe('healthy');
  });

  /** Picks until `origin` comes up (answering the others 200); fails the test if it never does. */
  function pickUntil(origin: string): UpstreamHealth {
    for (let i = 0; i < 10; i++) {
      const member = members.pick('v1', [a, b, c], true)!;
      if (member.upstream.origin === origin) return member;
      members.answered(member, 200);
    }
    throw new Error(`${origin} was never picked`);
  }
});
