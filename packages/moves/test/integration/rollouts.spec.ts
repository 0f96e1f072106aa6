import { Mover, planWaves, Rollouts, type HealthCounters, type HealthSource } from '../../src';
import { createMoveFixture, migrationsFor, type MoveFixture } from '../move-fixture';

describe('planning waves', () => {
  const tenants = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);

  it('puts the canaries first, then each wave up to its share of all the tenants', () => {
    const plan = planWaves(tenants, ['t07'], [10, 50, 100]);
    expect(plan.map((w) => w.length)).toEqual([1, 1, 8, 10]);
    expect(plan[0]).toEqual(['t07']);
    expect(plan.flat().sort()).toEqual(tenants);
  });

  it('drops empty waves and moves the rest last when the waves stop short of 100%', () => {
    expect(planWaves(['a', 'b'], ['a', 'b'], [10, 50])).toEqual([['a', 'b']]);
    expect(planWaves(['a', 'b', 'c', 'd'], [], [50])).toEqual([['a', 'b'], ['c', 'd']]);
  });
});

/** Request counters a test controls: each sample adds what `traffic` says happened since. */
class ScriptedHealth implements HealthSource {
  private readonly totals = new Map<string, HealthCounters>();
  constructor(private readonly traffic: (tenant: string) => HealthCounters) {}
  async sample(tenants: readonly string[]) {
    for (const tenant of tenants) {
      const total = this.totals.get(tenant) ?? { requests: 0, errors: 0, seconds: 0 };
      const more = this.traffic(tenant);
      this.totals.set(tenant, { requests: total.requests + more.requests, errors: total.errors + more.errors, seconds: total.seconds + more.seconds });
    }
    return new Map(tenants.map((t) => [t, { ...this.totals.get(t)! }]));
  }
}

describe('staged rollouts', () => {
  let fixture: MoveFixture;
  let mover: Mover;

  beforeAll(async () => {
    fixture = await createMoveFixture('test-server');
    mover = new Mover({ platform: fixture.control.pool, migrations: migrationsFor });
  }, 60_000);
  afterAll(() => fixture?.cleanup());

  const poolOf = async (slug: string) => (await fixture.route(slug)).pool;
  const clearOldTenants = () => fixture.control.pool.query("UPDATE platform.tenants SET status = 'suspended' WHERE pool = 'old'");

  it('halts on a regression in its canary, moves no one else, and rolls back as a whole', async () => {
    await clearOldTenants();
    const canary = (await fixture.tenant('old', 20)).slug;
    const others = [(await fixture.tenant('old', 20)).slug, (await fixture.tenant('old', 20)).slug];
    // The new release fails half the canary's requests once it is there.
    const health = new ScriptedHealth((tenant) => ({ requests: 20, errors: tenant === canary && moved.has(tenant) ? 10 : 0, seconds: 0.2 }));
    const moved = new Set<string>();
    const progress: string[] = [];
    const rollouts = new Rollouts({
      platform: fixture.control.pool,
      mover,
      health,
      sleep: async () => {
        for (const t of [canary, ...others]) if ((await poolOf(t)) === 'new') moved.add(t);
      },
      observer: { progress: (_r, message) => progress.push(message) },
    });

    const started = await rollouts.start({ pool: 'new', canaries: [canary], waves: [50, 100], policy: { windowMs: 1 } });
    const halted = await rollouts.run(started.id);

    expect(halted.state).toBe('halted');
    expect(halted.error).toMatch(new RegExp(`regression in wave 1: ${canary} \\(error rate 0.0% → 50.0%`));
    expect(halted.report[canary]).toMatchObject({ moveState: 'switched', verdict: { regressed: true } });
    expect(await poolOf(canary)).toBe('new');
    for (const other of others) expect(await poolOf(other)).toBe('old');
    expect(progress).toContain(`halted: ${halted.error}`);

    await rollouts.beginRollback(started.id);
    const back = await rollouts.run(started.id);
    expect(back.state).toBe('rolled_back');
    expect(await poolOf(canary)).toBe('old');
  }, 60_000);

  it('moves every wave of a healthy rollout, and refuses a second rollout to the pool while one is open', async () => {
    await clearOldTenants();
    const tenants = [(await fixture.tenant('old', 5)).slug, (await fixture.tenant('old', 5)).slug, (await fixture.tenant('old', 5)).slug];
    const rollouts = new Rollouts({ platform: fixture.control.pool, mover, health: new ScriptedHealth(() => ({ requests: 10, errors: 0, seconds: 0.1 })), sleep: async () => undefined });
    const started = await rollouts.start({ pool: 'new', canaries: [tenants[1]!], waves: [50, 100], policy: { windowMs: 1 } });
    expect(started.plan).toEqual([[tenants[1]], [tenants.filter((t) => t !== tenants[1]).sort()[0]], [tenants.filter((t) => t !== tenants[1]).sort()[1]]]);
    await expect(rollouts.start({ pool: 'new' })).rejects.toMatchObject({ code: 'ROLLOUT_OPEN' });

    const done = await rollouts.run(started.id);

    expect(done.state).toBe('done');
    for (const t of tenants) expect(await poolOf(t)).toBe('new');
    await expect(rollouts.start({ pool: 'new', waves: [50, 20] })).rejects.toMatchObject({ code: 'ROLLOUT_INVALID' });
    await expect(rollouts.start({ pool: 'new', canaries: ['not-here'] })).rejects.toMatchObject({ code: 'ROLLOUT_INVALID' });
  }, 60_000);
});
