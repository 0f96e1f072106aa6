import { FairScheduler, type TenantJobPolicy } from './fair-scheduler';

const POLICY: TenantJobPolicy = { weight: 1, maxRunning: 100, maxQueued: 1_000_000 };

/** Starts the next job and ends it at once (one worker): the tenant it went to, or undefined. */
function runOne<T>(scheduler: FairScheduler<T>): { tenant: string; job: T } | undefined {
  const started = scheduler.next();
  if (started === undefined) return undefined;
  scheduler.done(started.tenant);
  return started;
}

describe('FairScheduler: tenants share the workers whatever their backlogs', () => {
  it("starts a newcomer's job within one pick per other eligible tenant, however long a big tenant's backlog", () => {
    const scheduler = new FairScheduler<number>(POLICY);
    for (let i = 0; i < 10_000; i++) expect(scheduler.enqueue('big', i).ok).toBe(true);
    for (let i = 0; i < 100; i++) runOne(scheduler);

    const small = Array.from({ length: 50 }, (_, i) => `small-${i}`);
    for (const tenant of small) for (let j = 0; j < 10; j++) scheduler.enqueue(tenant, j);

    const firstStart = new Map<string, number>();
    const lastStart = new Map<string, number>();
    let bigPicks = 0;
    for (let pick = 1; pick <= 510; pick++) {
      const started = runOne(scheduler)!;
      if (started.tenant === 'big') bigPicks++;
      else {
        if (!firstStart.has(started.tenant)) firstStart.set(started.tenant, pick);
        lastStart.set(started.tenant, pick);
      }
    }
    // 51 tenants compete: every small tenant starts within 51 picks, and is through its 10
    // jobs within 10 rounds of 51; the big tenant gets one turn per round meanwhile.
    expect(Math.max(...firstStart.values())).toBeLessThanOrEqual(51);
    expect(Math.max(...lastStart.values())).toBeLessThanOrEqual(510);
    expect(firstStart.size).toBe(50);
    expect(bigPicks).toBe(10);
    expect(small.every((tenant) => scheduler.stats(tenant).queued === 0)).toBe(true);
  });

  it("starts each tenant's own jobs in the order they were enqueued, and loses none", () => {
    const scheduler = new FairScheduler<number>(POLICY);
    for (let i = 0; i < 2_000; i++) scheduler.enqueue(i % 3 === 0 ? 'a' : 'b', i);
    const seen: Record<string, number[]> = { a: [], b: [] };
    for (let started = runOne(scheduler); started; started = runOne(scheduler)) seen[started.tenant]!.push(started.job);
    expect(seen.a).toEqual([...Array(2_000).keys()].filter((i) => i % 3 === 0));
    expect(seen.b).toEqual([...Array(2_000).keys()].filter((i) => i % 3 !== 0));
  });

  it('gives a tenant of weight 2 twice the turns of a tenant of weight 1 while both have work', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    scheduler.setPolicy('gold', { ...POLICY, weight: 2 });
    for (let i = 0; i < 1_000; i++) {
      scheduler.enqueue('gold', i);
      scheduler.enqueue('free', i);
    }
    const turns = { gold: 0, free: 0 };
    for (let i = 0; i < 300; i++) turns[runOne(scheduler)!.tenant as 'gold' | 'free']++;
    expect(Math.abs(turns.gold - 200)).toBeLessThanOrEqual(1);
    expect(Math.abs(turns.free - 100)).toBeLessThanOrEqual(1);
  });

  it('counts cost: a job of cost 3 uses three turns of its tenant', () => {
    const scheduler = new FairScheduler<string>(POLICY);
    for (let i = 0; i < 100; i++) {
      scheduler.enqueue('heavy', 'h', 3);
      scheduler.enqueue('light', 'l', 1);
    }
    const turns = { heavy: 0, light: 0 };
    for (let i = 0; i < 80; i++) turns[runOne(scheduler)!.tenant as 'heavy' | 'light']++;
    expect(Math.abs(turns.light - 3 * turns.heavy)).toBeLessThanOrEqual(3);
  });

  it('gives no credit for idle time: a tenant back from a quiet spell takes turns, not a burst', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    for (let i = 0; i < 1_000; i++) scheduler.enqueue('busy', i);
    scheduler.enqueue('quiet', 0);
    for (let i = 0; i < 200; i++) runOne(scheduler);
    for (let i = 1; i <= 10; i++) scheduler.enqueue('quiet', i);
    const order = Array.from({ length: 20 }, () => runOne(scheduler)!.tenant);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'quiet' : 'busy')));
  });
});

describe('FairScheduler: caps, backlog limits and rates per tenant', () => {
  it("never runs more of a tenant's jobs at once than its cap, and gives the rest to others", () => {
    const scheduler = new FairScheduler<number>({ ...POLICY, maxRunning: 2 });
    for (let i = 0; i < 10; i++) scheduler.enqueue('capped', i);
    scheduler.enqueue('other', 0);
    const started = [scheduler.next(), scheduler.next(), scheduler.next(), scheduler.next()];
    expect(started.map((s) => s?.tenant)).toEqual(['capped', 'other', 'capped', undefined]);
    expect(scheduler.stats('capped')).toMatchObject({ running: 2, queued: 8 });
    scheduler.done('capped');
    expect(scheduler.next()).toMatchObject({ tenant: 'capped', job: 2 });
    expect(scheduler.next()).toBeUndefined();
  });

  it('refuses jobs past the backlog limit, saying the limit, and takes them again once the line moves', () => {
    const scheduler = new FairScheduler<number>({ ...POLICY, maxQueued: 3 });
    expect([1, 2, 3].map((i) => scheduler.enqueue('acme', i).ok)).toEqual([true, true, true]);
    expect(scheduler.enqueue('acme', 4)).toEqual({ ok: false, reason: 'backlog-full', limit: 3 });
    expect(scheduler.enqueue('globex', 1)).toEqual({ ok: true, queued: 1 });
    scheduler.next();
    expect(scheduler.enqueue('acme', 4)).toEqual({ ok: true, queued: 3 });
  });

  it('starts no more than the burst plus the rate over time, and says when the next token comes', () => {
    let clock = 1_000_000;
    const scheduler = new FairScheduler<number>({ ...POLICY, ratePerSecond: 10, burst: 2 }, () => clock);
    for (let i = 0; i < 100; i++) scheduler.enqueue('acme', i);
    expect([runOne(scheduler), runOne(scheduler), runOne(scheduler)].map((s) => s?.job)).toEqual([0, 1, undefined]);
    expect(scheduler.nextTokenAt()).toBe(clock + 100);
    clock += 99;
    expect(scheduler.next()).toBeUndefined();
    clock += 1;
    expect(runOne(scheduler)?.job).toBe(2);
    clock += 1_000; // ten tokens' time, but the bucket holds two
    const burst = [runOne(scheduler), runOne(scheduler), runOne(scheduler)].map((s) => s?.job);
    expect(burst).toEqual([3, 4, undefined]);
  });

  it("lets other tenants run while one waits for its rate's next token", () => {
    const clock = 0;
    const scheduler = new FairScheduler<number>(POLICY, () => clock);
    scheduler.setPolicy('slow', { ...POLICY, ratePerSecond: 1 });
    for (let i = 0; i < 5; i++) {
      scheduler.enqueue('slow', i);
      scheduler.enqueue('fast', i);
    }
    const order = Array.from({ length: 6 }, () => runOne(scheduler)?.tenant);
    expect(order).toEqual(['slow', 'fast', 'fast', 'fast', 'fast', 'fast']);
  });

  it('refuses a policy that makes no sense, naming the setting', () => {
    expect(() => new FairScheduler({ ...POLICY, weight: 0 })).toThrow(/weight must be a positive number/);
    expect(() => new FairScheduler({ ...POLICY, maxRunning: 1.5 })).toThrow(/maxRunning must be a positive whole number/);
    expect(() => new FairScheduler(POLICY).setPolicy('acme', { ...POLICY, maxQueued: -1 })).toThrow(/maxQueued/);
    expect(() => new FairScheduler(POLICY).enqueue('acme', 1, 0)).toThrow(/cost must be a positive number/);
  });
});

describe('FairScheduler: pause and resume (suspended tenants, tenant moves)', () => {
  it('holds a paused tenant\'s queued jobs, lets its running ones end, and resumes in order', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    for (let i = 0; i < 5; i++) scheduler.enqueue('acme', i);
    scheduler.enqueue('globex', 0);
    const running = scheduler.next();
    expect(running).toMatchObject({ tenant: 'acme', job: 0 });
    scheduler.pause('acme');
    expect(scheduler.next()).toMatchObject({ tenant: 'globex' });
    expect(scheduler.next()).toBeUndefined();
    expect(scheduler.stats('acme')).toMatchObject({ paused: true, running: 1, queued: 4 });
    scheduler.done('acme'); // the in-flight job finishes
    expect(scheduler.stats('acme').running).toBe(0);
    scheduler.enqueue('acme', 5); // still accepted while paused
    expect(scheduler.next()).toBeUndefined();
    scheduler.resume('acme');
    const resumed = Array.from({ length: 6 }, () => runOne(scheduler)?.job);
    expect(resumed).toEqual([1, 2, 3, 4, 5, undefined]);
  });

  it('keeps a pause that was set before the tenant had any job', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    scheduler.pause('acme');
    scheduler.enqueue('acme', 1);
    expect(scheduler.next()).toBeUndefined();
    expect(scheduler.stats('acme')).toMatchObject({ paused: true, queued: 1 });
  });

  it('does not let a resumed tenant jump the others with its whole backlog', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    scheduler.pause('moved');
    for (let i = 0; i < 50; i++) scheduler.enqueue('moved', i);
    for (let i = 0; i < 200; i++) scheduler.enqueue('other', i);
    for (let i = 0; i < 100; i++) runOne(scheduler);
    scheduler.resume('moved');
    const order = Array.from({ length: 10 }, () => runOne(scheduler)!.tenant);
    expect(order.filter((tenant) => tenant === 'moved')).toHaveLength(5);
  });
});

describe('FairScheduler: bookkeeping', () => {
  it('reports queue depth, running count, oldest wait and starts per tenant', () => {
    let clock = 500;
    const scheduler = new FairScheduler<number>(POLICY, () => clock);
    scheduler.enqueue('acme', 1);
    clock = 600;
    scheduler.enqueue('acme', 2);
    expect(scheduler.stats('acme')).toEqual({ queued: 2, running: 0, paused: false, oldestEnqueuedAt: 500, started: 0 });
    expect(scheduler.next()).toEqual({ tenant: 'acme', job: 1, enqueuedAt: 500 });
    expect(scheduler.stats('acme')).toEqual({ queued: 1, running: 1, paused: false, oldestEnqueuedAt: 600, started: 1 });
    expect(scheduler.stats('nobody')).toEqual({ queued: 0, running: 0, paused: false, oldestEnqueuedAt: undefined, started: 0 });
  });

  it('counts adopted jobs (started by an earlier dispatcher) against the cap until they end', () => {
    const scheduler = new FairScheduler<number>({ ...POLICY, maxRunning: 1 });
    scheduler.adopt('acme');
    scheduler.enqueue('acme', 1);
    expect(scheduler.next()).toBeUndefined();
    scheduler.done('acme');
    expect(scheduler.next()).toMatchObject({ tenant: 'acme', job: 1 });
  });

  it('takes back jobs that could not be started, at the head of their line, in their order', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    for (let i = 0; i < 4; i++) scheduler.enqueue('acme', i);
    const started = [scheduler.next()!, scheduler.next()!];
    for (const job of [...started].reverse()) scheduler.giveBack(job);
    expect(scheduler.stats('acme')).toMatchObject({ queued: 4, running: 0, started: 0 });
    expect(Array.from({ length: 4 }, () => runOne(scheduler)?.job)).toEqual([0, 1, 2, 3]);
  });

  it('forgets tenants with nothing queued or running, and refuses an end it did not start', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    scheduler.enqueue('acme', 1);
    runOne(scheduler);
    expect(scheduler.activeTenants()).toEqual([]);
    expect(() => scheduler.done('acme')).toThrow(/no job of tenant acme is running/);
  });

  it('drains 100,000 jobs of 1,000 tenants to the last one, forgetting each tenant once it is through', () => {
    const scheduler = new FairScheduler<number>(POLICY);
    for (let t = 0; t < 1_000; t++) for (let i = 0; i < 100; i++) scheduler.enqueue(`t${t}`, i);
    let count = 0;
    while (runOne(scheduler)) count++;
    expect(count).toBe(100_000);
    expect(scheduler.activeTenants()).toEqual([]);
  });
});
