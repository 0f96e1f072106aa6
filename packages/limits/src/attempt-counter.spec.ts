import { FallbackAttemptCounter, MemoryAttemptCounter, type AttemptCounter } from './attempt-counter';

describe('MemoryAttemptCounter', () => {
  it('counts every key until one reaches its limit, then counts none and says which and for how long', async () => {
    const counter = new MemoryAttemptCounter();
    const keys = [{ key: 'account', limit: 2 }, { key: 'address', limit: 5 }];
    expect(await counter.take(keys, 60_000)).toEqual({ ok: true });
    expect(await counter.take(keys, 60_000)).toEqual({ ok: true });
    const refused = await counter.take(keys, 60_000);
    expect(refused).toMatchObject({ ok: false, key: 'account' });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(59_000);
    // The refused attempt was not counted against the address.
    expect(await counter.take([{ key: 'address', limit: 3 }], 60_000)).toEqual({ ok: true });
    expect(await counter.take([{ key: 'address', limit: 3 }], 60_000)).toMatchObject({ ok: false });
  });

  it('lets attempts that did not count be given back, and an account be cleared', async () => {
    const counter = new MemoryAttemptCounter();
    const keys = [{ key: 'account', limit: 1 }];
    await counter.take(keys, 60_000);
    await counter.giveBack(['account']);
    expect(await counter.take(keys, 60_000)).toEqual({ ok: true });
    await counter.clear('account');
    expect(await counter.take(keys, 60_000)).toEqual({ ok: true });
  });

  it('starts over when the window has passed', async () => {
    const counter = new MemoryAttemptCounter();
    const keys = [{ key: 'account', limit: 1 }];
    await counter.take(keys, 30);
    expect(await counter.take(keys, 30)).toMatchObject({ ok: false });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await counter.take(keys, 30)).toEqual({ ok: true });
  });
});

describe('FallbackAttemptCounter', () => {
  it('counts in the fallback, and reports why, when the primary fails', async () => {
    const broken: AttemptCounter = {
      take: () => Promise.reject(new Error('redis down')),
      giveBack: () => Promise.reject(new Error('redis down')),
      clear: () => Promise.reject(new Error('redis down')),
    };
    const fallback = new MemoryAttemptCounter();
    const errors: unknown[] = [];
    const counter = new FallbackAttemptCounter(broken, fallback, (e) => errors.push(e));
    await counter.take([{ key: 'account', limit: 1 }], 60_000);
    expect(await fallback.take([{ key: 'account', limit: 1 }], 60_000)).toMatchObject({ ok: false });
    expect(errors).toEqual([new Error('redis down')]);
  });
});
