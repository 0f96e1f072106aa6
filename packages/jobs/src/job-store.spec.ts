import { parseTenantSlug } from '@mysaas/tenancy';
import { createTestDatabase, type TestDatabase } from '@mysaas/testing';
import { PostgresJobStore } from './job-store';

// The backlog limit reads each tenant's count (backlog_counts) instead of counting its rows at
// every enqueue: the count must follow inserts and every kind of delete, and a count that
// drifted must never refuse wrongly.
describe('the job store’s backlog counts', () => {
  let db: TestDatabase;
  let store: PostgresJobStore;
  const tenant = { id: 't-1', slug: parseTenantSlug('counted'), name: 'Counted' };
  const other = { id: 't-2', slug: parseTenantSlug('other'), name: 'Other' };
  const jobs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: 'test.count', data: { i }, opts: {}, cost: 1 }));
  const count = async (tenantId: string) =>
    Number((await db.pool.query<{ queued: string }>('SELECT queued FROM mysaas_jobs.backlog_counts WHERE tenant_id = $1', [tenantId])).rows[0]?.queued ?? 0);

  beforeAll(async () => {
    db = await createTestDatabase('jobstore');
    store = new PostgresJobStore(db.url);
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('refuses past the limit, and takes rows back off the count when they are removed or handed over', async () => {
    const first = await store.addMany(tenant, jobs(3), 5);
    expect(first.ok).toBe(true);
    await store.addMany(other, jobs(4), 5);
    expect(await store.addMany(tenant, jobs(3), 5)).toEqual({ ok: false, queued: 3, limit: 5 });
    expect(await count(tenant.id)).toBe(3);

    await store.remove([(first as { ids: string[] }).ids[0]!]); // removed by hand
    expect(await count(tenant.id)).toBe(2);
    const second = await store.addMany(tenant, jobs(3), 5);
    expect(second.ok).toBe(true);
    expect(await store.add({ tenant, ...jobs(1)[0]! }, 5)).toEqual({ ok: false, queued: 5, limit: 5 });

    // The dispatcher's read deletes what it handed over, in the same statement.
    const handedOver = [...(first as { ids: string[] }).ids.slice(1), ...(second as { ids: string[] }).ids.slice(0, 1)];
    await store.readNew({ limit: 100, after: '0', withPayloadUpTo: 0, handedOver });
    expect(await count(tenant.id)).toBe(2);
    expect(await count(other.id)).toBe(4);
    expect(await store.queued(tenant.id)).toBe(2);
  });

  it('counts the rows again before refusing, so a count that drifted up never refuses wrongly, and migrate recounts', async () => {
    const before = await store.queued(tenant.id);
    await db.pool.query('UPDATE mysaas_jobs.backlog_counts SET queued = 1000 WHERE tenant_id = $1', [tenant.id]);
    expect((await store.addMany(tenant, jobs(1), 5)).ok).toBe(true);
    expect(await count(tenant.id)).toBe(before + 1);

    // A row written without its count (an older version of the store): counted again at start.
    await db.pool.query(`INSERT INTO mysaas_jobs.backlog (tenant_id, tenant, name, data, opts) VALUES ($1, $2, 'test.count', '{}', '{}')`, [tenant.id, JSON.stringify(tenant)]);
    await db.pool.query('DELETE FROM mysaas_jobs.backlog_counts');
    await store.migrate();
    expect(await count(tenant.id)).toBe(before + 2);
    expect(await count(other.id)).toBe(4);
  });
});
