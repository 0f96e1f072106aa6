import { TenantConnectionShare, TenantConnectionsBusyError } from './tenant-connection-share';

describe('TenantConnectionShare', () => {
  it("holds a tenant at its share while another tenant's requests go straight through", async () => {
    const share = new TenantConnectionShare(2);
    const a1 = await share.acquire('acme', 1_000);
    await share.acquire('acme', 1_000);
    let thirdGranted = false;
    const third = share.acquire('acme', 1_000).then((release) => {
      thirdGranted = true;
      return release;
    });
    const globex = await share.acquire('globex', 0);
    expect(share.active('globex')).toBe(1);
    await Promise.resolve();
    expect(thirdGranted).toBe(false);
    a1();
    const release = await third;
    expect(share.active('acme')).toBe(2);
    release();
    globex();
    expect(share.active('acme')).toBe(1);
  });

  it('serves waiters in arrival order', async () => {
    const share = new TenantConnectionShare(1);
    const first = await share.acquire('acme', 1_000);
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => share.acquire('acme', 1_000).then((release) => { order.push(n); release(); }));
    first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(share.active('acme')).toBe(0);
  });

  it('gives up after the wait with an error that says why, and forgets the waiter', async () => {
    const share = new TenantConnectionShare(1);
    const held = await share.acquire('acme', 1_000);
    await expect(share.acquire('acme', 20)).rejects.toThrow(TenantConnectionsBusyError);
    await expect(share.acquire('acme', 20)).rejects.toThrow('already using its 1 database connections');
    held();
    expect(share.active('acme')).toBe(0);
    const again = await share.acquire('acme', 0);
    expect(share.active('acme')).toBe(1);
    again();
  });

  it('ignores a second release of the same permit', async () => {
    const share = new TenantConnectionShare(1);
    const release = await share.acquire('acme', 0);
    release();
    release();
    expect(share.active('acme')).toBe(0);
    const next = await share.acquire('acme', 0);
    expect(share.active('acme')).toBe(1);
    next();
  });
});
