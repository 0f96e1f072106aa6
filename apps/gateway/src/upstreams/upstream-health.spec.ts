import { parseUpstream } from '@mysaas/tenancy';
import { UpstreamHealth } from './upstream-health';

const settings = { failuresToEject: 3, ejectMs: 10_000, ejectMaxMs: 120_000 };
const member = () => new UpstreamHealth('v1', parseUpstream('http://10.0.0.5:3201'), settings);

/** Fails it until it is ejected at `now`; returns how many failures that took. */
function eject(health: UpstreamHealth, now: number): number {
  for (let n = 1; n <= settings.failuresToEject; n++) if (health.failed(now, 'ECONNREFUSED')) return n;
  throw new Error('never ejected');
}

/** Lets the trial go at `now` and fails it. */
function failTrial(health: UpstreamHealth, now: number): void {
  expect(health.sent(now)).toBe(true);
  expect(health.failed(now, 'ECONNREFUSED')).toBe(true);
}

describe('UpstreamHealth', () => {
  it('ejects on the Nth failure in a row, not on failures a success separates', () => {
    const health = member();
    expect(health.failed(0, 'ECONNREFUSED')).toBe(false);
    expect(health.failed(1, 'ECONNRESET')).toBe(false);
    expect(health.succeeded(2)).toBe(false);
    expect(health.failed(3, 'ECONNREFUSED')).toBe(false);
    expect(health.failed(4, 'ECONNREFUSED')).toBe(false);
    expect(health.state).toBe('healthy');
    expect(health.failed(5, 'status 502')).toBe(true);
    expect(health).toMatchObject({ state: 'ejected', cooldownMs: 10_000, lastFailure: 'status 502', lastFailureAt: 5 });
  });

  it('keeps an ejected upstream out for its cool-down, then lets exactly one trial through', () => {
    const health = member();
    eject(health, 1_000);
    expect(health.available(1_000)).toBe(false);
    expect(health.available(10_999)).toBe(false);
    expect(health.available(11_000)).toBe(true);
    expect(health.sent(11_000)).toBe(true);
    expect(health.state).toBe('half_open');
    // While the trial is on its way, nothing else is sent its way by the rotation.
    expect(health.available(11_001)).toBe(false);
    expect(health.available(500_000)).toBe(false);
  });

  it('closes on a successful trial: back in the rotation, the next failures counted from zero', () => {
    const health = member();
    eject(health, 0);
    health.sent(10_000);
    expect(health.succeeded(10_050)).toBe(true);
    expect(health.state).toBe('healthy');
    expect(health.available(10_051)).toBe(true);
    expect(health.failed(10_100, 'ECONNREFUSED')).toBe(false);
    expect(health.failed(10_200, 'ECONNREFUSED')).toBe(false);
    expect(health.failed(10_300, 'ECONNREFUSED')).toBe(true);
  });

  it('re-ejects on a failed trial, doubling the cool-down each time up to the cap', () => {
    const health = member();
    eject(health, 0);
    let now = 0;
    const cooldowns = [health.cooldownMs];
    for (let i = 0; i < 6; i++) {
      now += health.cooldownMs;
      expect(health.available(now - 1)).toBe(false);
      failTrial(health, now);
      cooldowns.push(health.cooldownMs);
    }
    expect(cooldowns).toEqual([10_000, 20_000, 40_000, 80_000, 120_000, 120_000, 120_000]);
    expect(health.state).toBe('ejected');
  });

  it('gives the trial to the next request when the one sent ended with no verdict', () => {
    const health = member();
    eject(health, 0);
    health.sent(10_000);
    expect(health.abandoned()).toBe(true);
    expect(health.state).toBe('ejected');
    expect(health.available(10_001)).toBe(true);
    expect(health.sent(10_001)).toBe(true);
    // An abandoned request to a healthy upstream changes nothing.
    expect(member().abandoned()).toBe(false);
  });

  it('neither extends nor doubles the cool-down for failures of requests sent while it is out anyway', () => {
    const health = member();
    eject(health, 0);
    expect(health.sent(5_000)).toBe(false); // sent while out: every member was out
    expect(health.failed(5_000, 'ECONNREFUSED')).toBe(false);
    expect(health).toMatchObject({ state: 'ejected', cooldownMs: 10_000, lastFailureAt: 5_000 });
    expect(health.available(10_000)).toBe(true);
  });

  it('comes back on any answer, even one to a request sent while it was out', () => {
    const health = member();
    eject(health, 0);
    expect(health.succeeded(2_000)).toBe(true);
    expect(health.state).toBe('healthy');
  });

  it('keeps the longer cool-down of one that flaps, and starts over once it stayed healthy for the longest cool-down', () => {
    const health = member();
    eject(health, 0);
    failTrial(health, 10_000); // out for 20 s
    health.sent(30_000);
    health.succeeded(30_000);
    eject(health, 31_000); // back only a second: it flaps
    expect(health.cooldownMs).toBe(40_000);
    health.sent(71_000);
    health.succeeded(71_000);
    eject(health, 71_000 + 120_000); // healthy for two minutes
    expect(health.cooldownMs).toBe(10_000);
  });
});
