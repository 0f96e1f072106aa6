import { parseTenantSlug } from '@mysaas/tenancy';
import { createTestDatabase, type TestDatabase } from '@mysaas/testing';
import { parseStoredJobId, PostgresJobStore, storedJobId } from './job-store';

// The store keeps one row per batch (the jobs one enqueueMany accepted), and each tenant's count
// of jobs (backlog_counts) for the backlog limit: the count must follow inserts and hand-overs,
// partial ones too, and a count that drifted must never refuse wrongly.
describe('the job store’s batches and backlog counts', () => {
  let db: TestDatabase;
  let store: PostgresJobStore;
  const tenant = { id: 't-1', slug: parseTenantSlug('counted'), name: 'Counted' };
  const other = { id: 't-2', slug: parseTenantSlug('other'), name: 'Other' };
  const jobs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ name: 'test.count', data: { i: from + i }, opts: { attempts: 2 }, cost: 1 }));
  const count = async (tenantId: string) =>
    Number((await db.pool.query<{ queued: string }>('SELECT queued FROM mysaas_jobs.backlog_counts WHERE tenant_id = $1', [tenantId])).rows[0]?.queued ?? 0);
  const rows = async (tenantId: string) =>
    (await db.pool.query<{ id: string; size: number; taken: number }>('SELECT id, size, taken FROM mysaas_jobs.batches WHERE tenant_id = $1 ORDER BY id', [tenantId])).rows;

  beforeAll(async () => {
    db = await createTestDatabase('jobstore');
    store = new PostgresJobStore(db.url);
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('names job i of batch n b<n>.<i> (the first b<n>), and reads back only what it made', () => {
    expect(storedJobId('42', 0)).toBe('b42');
    expect(storedJobId('42', 7)).toBe('b42.7');
    expect(parseStoredJobId('b42')).toEqual({ batch: '42', index: 0 });
    expect(parseStoredJobId('b42.7')).toEqual({ batch: '42', index: 7 });
    for (const foreign of ['42', 'bx', 'b42.', 'b42.7.1', 't-1.test.key', 'b-1']) expect(parseStoredJobId(foreign)).toBeUndefined();
  });

  it('stores an enqueueMany as one row, and a run of another name, options or cost as a row of its own, ids in order', async () => {
    const mixed = [...jobs(3), { name: 'test.other', data: { i: 9 }, opts: {}, cost: 1 }, ...jobs(2, 10)];
    const stored = await store.addMany(other, mixed, 100);
    if (!stored.ok) throw new Error('refused');
    const [first, second, third] = await rows(other.id);
    expect([first!.size, second!.size, third!.size]).toEqual([3, 1, 2]);
    expect(stored.ids).toEqual([
      storedJobId(first!.id, 0), storedJobId(first!.id, 1), storedJobId(first!.id, 2),
      storedJobId(second!.id, 0),
      storedJobId(third!.id, 0), storedJobId(third!.id, 1),
    ]);
    const [batch] = await store.take([first!.id]);
    expect(batch).toMatchObject({ tenant: other, name: 'test.count', datas: [{ i: 0 }, { i: 1 }, { i: 2 }], opts: { attempts: 2 }, cost: 1 });
    expect(await count(other.id)).toBe(6);
  });

  it('refuses past the limit, and takes jobs off the count as they are handed over, a batch partly or whole', async () => {
    const first = await store.addMany(tenant, jobs(3), 5);
    expect(first.ok).toBe(true);
    expect(await store.addMany(tenant, jobs(3), 5)).toEqual({ ok: false, queued: 3, limit: 5 });
    expect(await count(tenant.id)).toBe(3);

    const [batch] = await rows(tenant.id);
    await store.handOver([{ batch: batch!.id, taken: 1 }]);
    expect(await rows(tenant.id)).toEqual([{ id: batch!.id, size: 3, taken: 1 }]);
    expect(await count(tenant.id)).toBe(2);
    await store.handOver([{ batch: batch!.id, taken: 1 }]); // recorded again: nothing changes
    expect(await count(tenant.id)).toBe(2);

    const second = await store.addMany(tenant, jobs(3), 5);
    expect(second.ok).toBe(true);
    expect(await store.add({ tenant, ...jobs(1)[0]! }, 5)).toEqual({ ok: false, queued: 5, limit: 5 });

    // The dispatcher's read records what it handed over in the same transaction: the first
    // batch to its end (the row goes), the second one job in.
    const [, next] = await rows(tenant.id);
    const heads = await store.readNew({ limit: 100, after: '0', withPayloadUpTo: 0, handedOver: [{ batch: batch!.id, taken: 3 }, { batch: next!.id, taken: 1 }] });
    expect(heads.filter((h) => h.tenantId === tenant.id).map((h) => ({ id: h.id, size: h.size, taken: h.taken }))).toEqual([{ id: next!.id, size: 3, taken: 1 }]);
    expect(await count(tenant.id)).toBe(2);
    expect(await count(other.id)).toBe(6);
    expect(await store.queued(tenant.id)).toBe(2);
  });

  it('counts the jobs again before refusing, so a count that drifted up never refuses wrongly, and migrate recounts', async () => {
    const before = await store.queued(tenant.id);
    await db.pool.query('UPDATE mysaas_jobs.backlog_counts SET queued = 1000 WHERE tenant_id = $1', [tenant.id]);
    expect((await store.addMany(tenant, jobs(1), 5)).ok).toBe(true);
    expect(await count(tenant.id)).toBe(before + 1);

    await db.pool.query('DELETE FROM mysaas_jobs.backlog_counts');
    await store.migrate();
    expect(await count(tenant.id)).toBe(before + 1);
    expect(await count(other.id)).toBe(6);
  });

  it('turns a store of one row per job (before batches) into batches of one with the same ids, so a job handed over keeps its queue id', async () => {
    const legacy = await createTestDatabase('jobstore_legacy');
    const upgraded = new PostgresJobStore(legacy.url);
    try {
      await legacy.pool.query(`
        CREATE SCHEMA mysaas_jobs;
        CREATE TABLE mysaas_jobs.backlog (
          id bigserial PRIMARY KEY, tenant_id text NOT NULL, tenant jsonb NOT NULL, name text NOT NULL,
          data jsonb NOT NULL, opts jsonb NOT NULL, cost double precision NOT NULL DEFAULT 1,
          enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp());
        CREATE TABLE mysaas_jobs.backlog_counts (tenant_id text PRIMARY KEY, queued bigint NOT NULL);`);
      const { rows: old } = await legacy.pool.query<{ id: string }>(
        `INSERT INTO mysaas_jobs.backlog (tenant_id, tenant, name, data, opts)
         SELECT $1, $2, 'test.count', jsonb_build_object('i', n), '{"attempts":2}' FROM generate_series(1, 3) n RETURNING id`,
        [tenant.id, JSON.stringify(tenant)],
      );
      await legacy.pool.query(`DELETE FROM mysaas_jobs.backlog WHERE id = $1`, [old[0]!.id]); // handed over before the upgrade
      await upgraded.migrate();
      const heads = await upgraded.readNew({ limit: 100, after: '0', withPayloadUpTo: 100, handedOver: [] });
      expect(heads.map((h) => [storedJobId(h.id, 0), h.size, h.batch?.datas])).toEqual([
        [`b${old[1]!.id}`, 1, [{ i: 2 }]],
        [`b${old[2]!.id}`, 1, [{ i: 3 }]],
      ]);
      expect(await upgraded.queued(tenant.id)).toBe(2);
      expect((await legacy.pool.query(`SELECT to_regclass('mysaas_jobs.backlog') AS t`)).rows[0].t).toBeNull();
      // New batches take ids past the old rows'.
      const added = await upgraded.add({ tenant, ...jobs(1)[0]! }, 100);
      expect(added.ok && BigInt(parseStoredJobId(added.id)!.batch) > BigInt(old[2]!.id)).toBe(true);
    } finally {
      await upgraded.close();
      await legacy.drop();
    }
  });
});
