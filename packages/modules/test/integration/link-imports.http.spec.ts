import { ident } from '@mysaas/db';
import type { StartedApp } from '@mysaas/nest-http';
import { JobBacklogFullError } from '@mysaas/tenant-runtime';
import { IMPORT_CHUNK_ROWS, MAX_IMPORT_ROWS } from '../../src/links/link-imports.service';
import { RecordingJobQueue } from './recording-job-queue';
import { startTestHost, TEST_TENANT_HEADER } from './test-host';
import { createTestPool, describeWithPostgres, type TestPool, type TestTenant } from './test-pool';

describeWithPostgres('POST and GET /api/links/imports', () => {
  let pool: TestPool;
  let acme: TestTenant;
  let host: StartedApp;
  const queue = new RecordingJobQueue();

  beforeAll(async () => {
    pool = await createTestPool(1);
    [acme] = pool.tenants as [TestTenant];
    // Large enough for 10,001 rows: the body limit is the host's to set, not the module's.
    host = await startTestHost({ tenantDb: pool.tenantDb, tenants: pool.tenants, queue, jsonBodyBytes: 4 * 1024 * 1024 });
  });

  afterAll(async () => {
    await host?.close();
    await pool?.cleanup();
  });

  beforeEach(() => {
    queue.refuseWith = undefined;
  });

  async function call(method: string, path: string, body?: unknown, raw?: string) {
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers: { [TEST_TENANT_HEADER]: acme.slug, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const importCount = async () => Number(((await pool.admin.query(`SELECT count(*) AS n FROM ${ident(acme.schema)}.link_imports`)) as Array<{ n: string }>)[0]!.n);

  it('accepts an import at once: 202 {id, status, total}, its chunks queued', async () => {
    const links = Array.from({ length: IMPORT_CHUNK_ROWS + 1 }, (_, i) => ({ url: `https://example.com/http/${i}` }));
    const res = await call('POST', '/api/links/imports', { links });
    expect(res).toEqual({ status: 202, body: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued', total: IMPORT_CHUNK_ROWS + 1 } });
    const id = res.body.id as string;
    expect(queue.enqueued.filter((job) => (job.payload as { importId: string }).importId === id)).toHaveLength(2);

    const found = await call('GET', `/api/links/imports/${id}`);
    expect(found).toEqual({
      status: 200,
      body: {
        id,
        status: 'queued',
        total: IMPORT_CHUNK_ROWS + 1,
        imported: 0,
        skipped: 0,
        failed: 0,
        createdAt: expect.any(String),
        startedAt: null,
        finishedAt: null,
        errors: [],
        errorsTruncated: false,
      },
    });
    const list = await call('GET', '/api/links/imports?limit=5');
    expect(list.status).toBe(200);
    expect((list.body.imports as Array<{ id: string }>)[0]).toMatchObject({ id, status: 'queued' });
    expect(list.body.imports).toEqual(expect.arrayContaining([expect.not.objectContaining({ errors: expect.anything() })]));
  });

  it.each([
    ['more than 10,000 links', { links: Array.from({ length: MAX_IMPORT_ROWS + 1 }, () => ({ url: 'https://example.com/' })) }, 'LINK_IMPORT_TOO_LARGE', `an import takes at most ${MAX_IMPORT_ROWS} links, and this one has ${MAX_IMPORT_ROWS + 1}: split it into several imports`],
    ['an empty list', { links: [] }, 'LINK_IMPORT_EMPTY', 'links is empty: an import needs at least one link'],
    ['no list', {}, 'VALIDATION_FAILED', 'links is required and must be an array of {"url": "…", "code": "…"} objects'],
    ['a list that is not an array', { links: 'https://example.com/' }, 'VALIDATION_FAILED', 'links is required and must be an array of {"url": "…", "code": "…"} objects'],
    ['a row that is not an object', { links: [{ url: 'https://example.com/' }, 'https://example.com/'] }, 'LINK_IMPORT_MALFORMED', 'links[1] is not an object: each link is {"url": "https://…", "code": "…"}, with code optional'],
    ['an unknown top-level field', { links: [{ url: 'https://example.com/' }], dryRun: true }, 'VALIDATION_FAILED', 'dryRun: property dryRun should not exist'],
  ])('answers 400 to %s, saying what is wrong, and queues nothing', async (_what, body, code, message) => {
    const [imports, calls] = [await importCount(), queue.calls];
    const res = await call('POST', '/api/links/imports', body);
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ statusCode: 400, code, message }) });
    expect(await importCount()).toBe(imports);
    expect(queue.calls).toBe(calls);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await call('POST', '/api/links/imports', undefined, '{"links": [');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: expect.any(String) });
  });

  it('answers 429 when the backlog is full, and keeps no import', async () => {
    const before = await importCount();
    queue.refuseWith = new JobBacklogFullError(acme.slug, 1000);
    const res = await call('POST', '/api/links/imports', { links: [{ url: 'https://example.com/full' }] });
    expect(res).toEqual({
      status: 429,
      body: expect.objectContaining({ code: 'JOB_BACKLOG_FULL', message: `${acme.slug} already has 1000 jobs waiting; wait for some to finish, or ask for a larger backlog` }),
    });
    expect(await importCount()).toBe(before);
  });

  it('answers 400 to an id that is not a uuid and 404 to an unknown one', async () => {
    expect(await call('GET', '/api/links/imports/not-a-uuid')).toEqual({
      status: 400,
      body: expect.objectContaining({ code: 'LINK_IMPORT_INVALID_ID', message: 'an import id is a uuid, as POST /api/links/imports answered' }),
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await call('GET', `/api/links/imports/${unknown}`)).toEqual({
      status: 404,
      body: expect.objectContaining({ code: 'LINK_IMPORT_NOT_FOUND', message: `there is no import ${unknown}` }),
    });
  });

  it('answers 400 to a list limit out of range', async () => {
    expect(await call('GET', '/api/links/imports?limit=1000')).toMatchObject({ status: 400, body: { message: 'limit must be at most 100' } });
  });
});
