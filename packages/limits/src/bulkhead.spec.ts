import { Bulkhead, BulkheadFullError } from './bulkhead';

describe('Bulkhead', () => {
  it("holds a key at its limit while other keys go straight through", async () => {
    const bulkhead = new Bulkhead();
    const a1 = await bulkhead.acquire('acme', { limit: 2, waitMs: 1_000 });
    await bulkhead.acquire('acme', { limit: 2, waitMs: 1_000 });
    let thirdGranted = false;
    const third = bulkhead.acquire('acme', { limit: 2, waitMs: 1_000 }).then((release) => {
      thirdGranted = true;
      return release;
    });
    const globex = await bulkhead.acquire('globex', { limit: 2, waitMs: 0 });
    await Promise.resolve();
    expect(thirdGranted).toBe(false);
    expect(bulkhead.waiting('acme')).toBe(1);
    a1();
    (await third)();
    globex();
    expect(bulkhead.active('acme')).toBe(1);
    expect(bulkhead.active('globex')).toBe(0);
  });

  it('serves waiters in arrival order', async () => {
    const bulkhead = new Bulkhead();
    const first = await bulkhead.acquire('acme', { limit: 1, waitMs: 1_000 });
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) =>
      bulkhead.acquire('acme', { limit: 1, waitMs: 1_000 }).then((release) => {
        order.push(n);
        release();
      }),
    );
    first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(bulkhead.active('acme')).toBe(0);
  });

  it('gives up after the wait, and forgets the waiter', async () => {
    const bulkhead = new Bulkhead();
    const held = await bulkhead.acquire('acme', { limit: 1, waitMs: 0 });
    const error = await bulkhead.acquire('acme', { limit: 1, waitMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkheadFullError);
    expect(error).toMatchObject({ limit: 1, waitedMs: 20, message: 'acme already has 1 in progress and none finished within 20 ms' });
    expect(bulkhead.waiting('acme')).toBe(0);
    held();
    expect(bulkhead.active('acme')).toBe(0);
  });

  it('refuses at once when the queue is full', async () => {
    const bulkhead = new Bulkhead();
    const held = await bulkhead.acquire('acme', { limit: 1, waitMs: 0 });
    const queued = bulkhead.acquire('acme', { limit: 1, waitMs: 1_000, maxWaiting: 1 });
    await expect(bulkhead.acquire('acme', { limit: 1, waitMs: 1_000, maxWaiting: 1 })).rejects.toMatchObject({ waitedMs: 0 });
    held();
    (await queued)();
  });

  it('drops a waiter whose caller went away', async () => {
    const bulkhead = new Bulkhead();
    const held = await bulkhead.acquire('acme', { limit: 1, waitMs: 0 });
    const controller = new AbortController();
    const waiting = bulkhead.acquire('acme', { limit: 1, waitMs: 10_000, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ why: 'aborted' });
    expect(bulkhead.waiting('acme')).toBe(0);
    held();
    expect(bulkhead.active('acme')).toBe(0);
  });

  it('follows a limit that changes between calls (a new plan)', async () => {
    const bulkhead = new Bulkhead();
    const a = await bulkhead.acquire('acme', { limit: 1, waitMs: 0 });
    const b = await bulkhead.acquire('acme', { limit: 2, waitMs: 0 });
    expect(bulkhead.active('acme')).toBe(2);
    a();
    b();
  });

  it('ignores a second release of the same slot', async () => {
    const bulkhead = new Bulkhead();
    const release = await bulkhead.acquire('acme', { limit: 1, waitMs: 0 });
    release();
    release();
    expect(bulkhead.active('acme')).toBe(0);
  });
});
