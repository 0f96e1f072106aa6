import { ident } from '@mysaas/db';
import { JobBacklogFullError, runAsTenant, tenantRepository, type JobRegistry } from '@mysaas/tenant-runtime';
import { BusinessModules } from '../../src/business.module';
import { LinkDetails } from '../../src/links/link-details.entity';
import { Link } from '../../src/links/link.entity';
import { LinkImport } from '../../src/links/link-import.entity';
import { IMPORT_CHUNK_ROWS, LinkImportsService } from '../../src/links/link-imports.service';
import { LinksService } from '../../src/links/links.service';
import { RecordingJobQueue, runJob, type EnqueuedJob } from './recording-job-queue';
import { createTestPool, describeWithPostgres, type TestPool, type TestTenant } from './test-pool';

describeWithPostgres('link imports on Postgres', () => {
  let pool: TestPool;
  let acme: TestTenant;
  let globex: TestTenant;
  let registry: JobRegistry;
  const queue = new RecordingJobQueue();
  // As the app server builds them: the module's services over tenant-scoped repositories.
  const imports = new LinkImportsService(queue, tenantRepository(LinkImport));
  const links = new LinksService(tenantRepository(Link), tenantRepository(LinkDetails));

  const as = <T>(tenant: TestTenant, work: () => Promise<T>) => runAsTenant(pool.tenantDb, tenant, work);
  const start = (tenant: TestTenant, rows: unknown[]) => as(tenant, () => imports.start(rows, tenant.userId));
  const jobsOf = (importId: string) => queue.enqueued.filter((job) => (job.payload as { importId: string }).importId === importId);
  const run = (tenant: TestTenant, job: EnqueuedJob, attempt = 1) => runJob(registry, pool.tenantDb, tenant, job, attempt);
  const runAll = (tenant: TestTenant, importId: string) => Promise.all(jobsOf(importId).map((job) => run(tenant, job)));
  const codesOf = async (tenant: TestTenant) =>
    ((await pool.admin.query(`SELECT code, url FROM ${ident(tenant.schema)}.links ORDER BY code`)) as Array<{ code: string; url: string }>);
  const countIn = async (tenant: TestTenant, table: string) =>
    Number(((await pool.admin.query(`SELECT count(*) AS n FROM ${ident(tenant.schema)}.${ident(table)}`)) as Array<{ n: string }>)[0]!.n);

  beforeAll(async () => {
    pool = await createTestPool(2);
    [acme, globex] = pool.tenants as [TestTenant, TestTenant];
    registry = await BusinessModules.jobs();
  });

  afterAll(async () => {
    await pool?.cleanup();
  });

  beforeEach(() => {
    queue.refuseWith = undefined;
  });

  it('imports the good rows and reports each bad one with its row number and reason', async () => {
    const started = await start(acme, [
      { url: 'https://example.com/one', code: 'bad-rows-1' },
      { url: 'javascript:alert(1)', code: 'bad-rows-2' },
      { url: 'https://example.com/three', code: 'a b' },
      { url: 'https://example.com/four', code: 'bad-rows-1' },
      { url: 'https://example.com/five' },
      { url: 42 },
      { url: 'https://example.com/seven', code: 7 },
      { url: 'https://example.com/eight', cod: 'typo' },
      { url: 'ftp://example.com/nine' },
      { url: 'https://example.com/ten', code: null },
    ]);
    expect(started).toMatchObject({ status: 'queued', total: 10 });
    expect(jobsOf(started.id)).toEqual([expect.objectContaining({ tenant: acme.slug, name: 'links.import', payload: { importId: started.id, chunk: 0 } })]);

    await runAll(acme, started.id);

    const result = await as(acme, () => imports.find(started.id));
    expect(result).toMatchObject({ status: 'done', total: 10, imported: 3, skipped: 0, failed: 7, errorsTruncated: false });
    expect(result.startedAt).toBeInstanceOf(Date);
    expect(result.finishedAt).toBeInstanceOf(Date);
    expect(result.errors).toEqual([
      { row: 2, url: 'javascript:alert(1)', code: 'bad-rows-2', reason: 'url must use http or https, not javascript' },
      { row: 3, url: 'https://example.com/three', code: 'a b', reason: 'code must be 3 to 32 letters, digits, "-" or "_"' },
      { row: 4, url: 'https://example.com/four', code: 'bad-rows-1', reason: 'code "bad-rows-1" is already given by row 1 of this import' },
      { row: 6, url: null, code: null, reason: 'url is required and must be a string' },
      { row: 7, url: 'https://example.com/seven', code: null, reason: 'code must be a string' },
      { row: 8, url: 'https://example.com/eight', code: null, reason: 'unknown field "cod": a link has url and, optionally, code' },
      { row: 9, url: 'ftp://example.com/nine', code: null, reason: 'url must use http or https, not ftp' },
    ]);
    const stored = await codesOf(acme);
    expect(stored).toContainEqual({ code: 'bad-rows-1', url: 'https://example.com/one' });
    expect(stored.map((link) => link.url)).toEqual(expect.arrayContaining(['https://example.com/five', 'https://example.com/ten']));
    // Rows wait only until every chunk has run.
    expect(await countIn(acme, 'link_import_rows')).toBe(0);
  });

  it('runs a large import in chunks, counting from every chunk, and reports a duplicate across chunks', async () => {
    const rows = Array.from({ length: 2 * IMPORT_CHUNK_ROWS + 7 }, (_, i) => ({ url: `https://example.com/big/${i}`, code: `big-${i}` }));
    rows[IMPORT_CHUNK_ROWS + 3] = { url: 'https://example.com/elsewhere', code: 'big-0' }; // row 504, in the second chunk
    const started = await start(acme, rows);
    const jobs = jobsOf(started.id);
    expect(jobs.map((job) => job.payload)).toEqual([0, 1, 2].map((chunk) => ({ importId: started.id, chunk })));

    await run(acme, jobs[1]!);
    expect(await as(acme, () => imports.find(started.id))).toMatchObject({ status: 'running', imported: IMPORT_CHUNK_ROWS - 1, failed: 1, finishedAt: null });
    // The other two at once: no count is lost.
    await Promise.all([run(acme, jobs[0]!), run(acme, jobs[2]!)]);

    const result = await as(acme, () => imports.find(started.id));
    expect(result).toMatchObject({ status: 'done', total: rows.length, imported: rows.length - 1, skipped: 0, failed: 1 });
    expect(result.errors).toEqual([
      { row: IMPORT_CHUNK_ROWS + 4, url: 'https://example.com/elsewhere', code: 'big-0', reason: 'code "big-0" is already given by row 1 of this import' },
    ]);
    expect((await codesOf(acme)).filter((link) => link.code.startsWith('big-'))).toHaveLength(rows.length - 1);
  });

  it('enqueues an import with one enqueueMany call', async () => {
    const before = queue.calls;
    await start(acme, Array.from({ length: IMPORT_CHUNK_ROWS * 3 }, (_, i) => ({ url: `https://example.com/once/${i}` })));
    expect(queue.calls - before).toBe(1);
  });

  it('a chunk run twice, one after the other or at once, creates each link once and counts once', async () => {
    const started = await start(acme, [{ url: 'https://example.com/twice', code: 'twice-1' }, { url: 'https://example.com/twice-generated' }]);
    const [job] = jobsOf(started.id);
    await run(acme, job!);
    await run(acme, job!); // redelivered after its transaction committed
    const again = await start(acme, [{ url: 'https://example.com/twice', code: 'twice-2' }, { url: 'https://example.com/twice-generated-2' }]);
    const [concurrent] = jobsOf(again.id);
    await Promise.all([run(acme, concurrent!), run(acme, concurrent!)]); // a stalled job's second delivery while the first still runs

    for (const id of [started.id, again.id]) {
      expect(await as(acme, () => imports.find(id))).toMatchObject({ status: 'done', imported: 2, skipped: 0, failed: 0, errors: [] });
    }
    const stored = await codesOf(acme);
    expect(stored.filter((link) => link.url.startsWith('https://example.com/twice'))).toHaveLength(4);
  });

  it('a retry after a run that failed before committing creates each link once and counts once', async () => {
    const started = await start(acme, [{ url: 'https://example.com/retry', code: 'retry-1' }, { url: 'https://example.com/retry-generated' }]);
    const [job] = jobsOf(started.id);
    const definition = registry.find('links.import')!;
    // The worker dies after the chunk's writes, before its commit: everything is rolled back.
    await expect(
      runAsTenant(pool.tenantDb, acme, async (scope) => {
        await definition.run(definition.parse(job!.payload), { id: job!.id, attempt: 1, tenant: scope.tenant });
        throw new Error('worker lost its connection');
      }),
    ).rejects.toThrow('worker lost its connection');
    expect(await as(acme, () => imports.find(started.id))).toMatchObject({ status: 'queued', imported: 0 });

    await run(acme, job!, 2);
    await run(acme, job!, 3);
    expect(await as(acme, () => imports.find(started.id))).toMatchObject({ status: 'done', imported: 2, failed: 0 });
    expect((await codesOf(acme)).filter((link) => link.url.startsWith('https://example.com/retry'))).toHaveLength(2);
  });

  it('fails a code taken by another URL, and skips the same code for the same URL', async () => {
    await as(acme, async () => {
      await links.create({ url: 'https://example.com/theirs', code: 'taken-code' }, null);
      await links.create({ url: 'https://same.example/page', code: 'same-code' }, null);
    });
    const started = await start(acme, [
      { url: 'https://example.com/mine', code: 'taken-code' },
      { url: 'https://SAME.example/page', code: 'same-code' }, // the same URL once normalised
      { url: 'https://example.com/fresh', code: 'fresh-code' },
    ]);
    await runAll(acme, started.id);
    expect(await as(acme, () => imports.find(started.id))).toEqual(
      expect.objectContaining({
        status: 'done',
        imported: 1,
        skipped: 1,
        failed: 1,
        errors: [{ row: 1, url: 'https://example.com/mine', code: 'taken-code', reason: 'code "taken-code" is already used by another link' }],
      }),
    );
    expect(await codesOf(acme)).toContainEqual({ code: 'taken-code', url: 'https://example.com/theirs' });
  });

  it('marks a chunk that fails on its last attempt failed, reporting its rows, with none of its links', async () => {
    const started = await start(acme, [{ url: 'https://example.com/doomed', code: 'doomed-1' }, { url: 'https://example.com/doomed-2' }]);
    const [job] = jobsOf(started.id);
    // Something the chunk cannot get past (as the platform would see a broken table).
    await pool.admin.query(`CREATE FUNCTION ${ident(acme.schema)}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'links are read-only'; END $$`);
    await pool.admin.query(`CREATE TRIGGER refuse BEFORE INSERT ON ${ident(acme.schema)}.links FOR EACH ROW EXECUTE FUNCTION ${ident(acme.schema)}.refuse()`);
    try {
      await expect(run(acme, job!, 1)).rejects.toThrow('links are read-only'); // retried later
      expect(await as(acme, () => imports.find(started.id))).toMatchObject({ status: 'queued' });
      await run(acme, job!, 5); // the last attempt records why instead of throwing
    } finally {
      await pool.admin.query(`DROP TRIGGER refuse ON ${ident(acme.schema)}.links`);
      await pool.admin.query(`DROP FUNCTION ${ident(acme.schema)}.refuse()`);
    }
    const result = await as(acme, () => imports.find(started.id));
    expect(result).toMatchObject({ status: 'failed', imported: 0, failed: 2 });
    expect(result.errors.map((error) => [error.row, error.reason])).toEqual([
      [1, 'not imported: this part of the import failed 5 times; import the row again'],
      [2, 'not imported: this part of the import failed 5 times; import the row again'],
    ]);
    expect((await codesOf(acme)).filter((link) => link.url.startsWith('https://example.com/doomed'))).toEqual([]);
  });

  it("runs as the tenant that enqueued it: acme's import never sees or touches globex's links", async () => {
    await as(globex, () => links.create({ url: 'https://globex.example/', code: 'shared-code' }, null));
    const globexBefore = await codesOf(globex);
    const started = await start(acme, [{ url: 'https://acme.example/', code: 'shared-code' }]);
    await runAll(acme, started.id);
    expect(await as(acme, () => imports.find(started.id))).toMatchObject({ imported: 1, failed: 0 });
    expect(await codesOf(acme)).toContainEqual({ code: 'shared-code', url: 'https://acme.example/' });
    expect(await codesOf(globex)).toEqual(globexBefore);
  });

  it("finds nothing of globex's import when acme runs its chunk, and leaves it queued", async () => {
    const theirs = await start(globex, [{ url: 'https://globex.example/private', code: 'globex-only' }]);
    const [job] = jobsOf(theirs.id);
    await expect(run(acme, job!, 1)).rejects.toThrow(/not in this tenant's schema/);
    await run(acme, job!, 5); // the last attempt gives up quietly
    expect(await as(globex, () => imports.find(theirs.id))).toMatchObject({ status: 'queued', imported: 0 });
    expect(await countIn(globex, 'link_import_rows')).toBe(1);
    expect((await codesOf(globex)).map((link) => link.code)).not.toContain('globex-only');
    await expect(as(acme, () => imports.find(theirs.id))).rejects.toMatchObject({ code: 'LINK_IMPORT_NOT_FOUND' });
  });

  it('leaves no import behind when the backlog is full, even for a caller that catches the refusal', async () => {
    const [before, rowsBefore] = [await countIn(acme, 'link_imports'), await countIn(acme, 'link_import_rows')];
    queue.refuseWith = new JobBacklogFullError(acme.slug, 100);
    await expect(start(acme, [{ url: 'https://example.com/refused' }])).rejects.toMatchObject({ code: 'JOB_BACKLOG_FULL', httpStatus: 429 });
    // The links page's form catches it to redirect, and its transaction commits.
    await as(acme, async () => {
      await imports.start([{ url: 'https://example.com/refused' }], acme.userId).catch(() => undefined);
    });
    expect(await countIn(acme, 'link_imports')).toBe(before);
    expect(await countIn(acme, 'link_import_rows')).toBe(rowsBefore);
  });

  it("lists the tenant's own imports, newest first", async () => {
    const listed = await as(globex, () => imports.list());
    expect(listed.length).toBeGreaterThan(0);
    const acmeIds = new Set((await as(acme, () => imports.list(100))).map((summary) => summary.id));
    expect(listed.some((summary) => acmeIds.has(summary.id))).toBe(false);
    const times = listed.map((summary) => summary.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
