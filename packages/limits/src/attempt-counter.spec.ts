import { FallbackAttemptCounter, MemoryAttemptCounter, type AttemptCounter } from './attempt-counter';

describe('MemoryAttemptCounter', () => {
  it('lets keys through until one has its limit of failures, then says which and for how long', async () => {
    const counter = new MemoryAttemptCounter();
    const keys = [{ key: 'account', limit: 2 }, { key: 'address', limit: 5 }];
    expect(await counter.check(keys)).toEqual({ ok: true });
    await counter.record(['account', 'address'], 60_000);
    expect(await counter.check(keys)).toEqual({ ok: true });
    await counter.record(['account', 'address'], 60_000);
    const refused = await counter.check(keys);
    expect(refused).toMatchObject({ ok: false, key: 'account' });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(59_000);
    expect(await counter.check([{ key: 'address', limit: 5 }])).toEqual({ ok: true });
  });

  it('counts nothing for a check, and forgets a cleared key', async () => {
    const counter = new MemoryAttemptCounter();
    const keys = [{ key: 'account', limit: 1 }];
    for (let i = 0; i < 5; i++) expect(await counter.check(keys)).toEqual({ ok: true });
    await counter.record(['account'], 60_000);
    expect(await counter.check(keys)).toMatchObject({ ok: false });
    await counter.clear('account');
    expect(await counter.check(keys)).toEqual({ ok: true });
  });

  it('starts over when the window has passed', async () => {
    const counter = new MemoryAttemptCounter();
    await counter.record(['account'], 30);
    expect(await counter.check([{ key: 'account', limit: 1 }])).toMatchObject({ ok: false });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await counter.check([{ key: 'account', limit: 1 }])).toEqual({ ok: true });
  });
});

describe('FallbackAttemptCounter', () => {
  it('counts in the fallback, and reports why, when the primary fails', async () => {
    const broken: AttemptCounter = {
      check: () => Promise.reject(new Error('redis down')),
      record: () => Promise.reject(new Error('redis down')),
      clear: () => Promise.reject(new Error('redis down')),
    };
    const fallback = new MemoryAttemptCounter();
    const errors: unknown[] = [];
    const counter = new FallbackAttemptCounter(broken, fallback, (e) => errors.push(e));
    await counter.record(['account'], 60_000);
    expect(await counter.check([{ key: 'account', limit: 1 }])).toMatchObject({ ok: false });
    expect(errors).toEqual([new Error('redis down'), new Error('redis down')]);
  });
});
