import { Logger } from '@nestjs/common';
import { currentTenantScope, defineJob, type RunningJob } from '@mysaas/tenant-runtime';
import type { EntityManager } from 'typeorm';
import { GENERATE_ATTEMPTS, generateLinkCode, parseLinkCode } from './link-code';
import { parseLinkTarget } from './link-target';
import { LinkException } from './links.exception';

/**
 * What a `links.import` job carries: which chunk of which import to run. The rows themselves
 * wait in the tenant's schema (link_import_rows), not in the payload: the job store and
 * BullMQ are shared by every tenant and keep jobs after they have run (failed ones until
 * someone removes them), so tenant content stays out of them, moves and is deleted with the
 * tenant's schema, and a payload stays a few bytes whatever the URLs weigh.
 */
export interface LinkImportChunkJob {
  importId: string;
  /** From 0. */
  chunk: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function parseChunkJob(data: unknown): LinkImportChunkJob {
  const { importId, chunk } = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof importId !== 'string' || !isUuid(importId)) throw new Error('importId must be a uuid');
  if (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < 0) throw new Error('chunk must be a whole number from 0');
  return { importId, chunk };
}

/**
 * Imports one chunk of a link import, as the tenant that asked for it. Delivery is at least
 * once, so the chunk's row is locked first and a chunk that has finished is left alone: its
 * links, errors and counts were committed with its `finished_at`, in one transaction.
 */
export const LINK_IMPORT_JOB = defineJob<LinkImportChunkJob>({
  name: 'links.import',
  attempts: 5,
  backoffMs: 1_000,
  parse: parseChunkJob,
  run: (payload, job) => runChunk(payload, job),
});

const logger = new Logger('LinkImportJob');

interface ChunkRow {
  first_row: number;
  row_count: number;
  finished: boolean;
  created_by: string | null;
}

interface ChunkOutcome {
  imported: number;
  skipped: number;
  errors: RowError[];
  failure: string | null;
}

interface RowError {
  row: number;
  url: string | null;
  code: string | null;
  reason: string;
}

async function runChunk({ importId, chunk }: LinkImportChunkJob, job: RunningJob): Promise<void> {
  const manager = currentTenantScope().transaction.manager;
  const lastAttempt = job.attempt >= LINK_IMPORT_JOB.attempts;
  // FOR UPDATE: a redelivered chunk waits here for the first delivery to commit, then sees it finished.
  const [found] = (await manager.query(
    `SELECT c.first_row, c.row_count, c.finished_at IS NOT NULL AS finished, i.created_by
       FROM link_import_chunks c JOIN link_imports i ON i.id = c.import_id
      WHERE c.import_id = $1 AND c.chunk = $2
        FOR UPDATE OF c`,
    [importId, chunk],
  )) as ChunkRow[];
  if (found === undefined) {
    // Enqueued inside the request's transaction: the dispatcher may hand the job over before
    // that commits. Try again later; on the last attempt the request was rolled back after
    // all, and there is nothing to import.
    if (!lastAttempt) throw new Error(`chunk ${chunk} of import ${importId} is not in this tenant's schema (yet)`);
    logger.warn(`chunk ${chunk} of import ${importId} never appeared; nothing to import`);
    return;
  }
  if (found.finished) return;

  let outcome: ChunkOutcome;
  try {
    // A savepoint: a chunk that throws on its last attempt still records why, without its half-done work.
    outcome = await manager.transaction((savepoint) => importRows(savepoint, importId, found));
  } catch (error) {
    if (!lastAttempt) throw error;
    logger.error(`chunk ${chunk} of import ${importId} failed on its last attempt: ${String(error)}`);
    outcome = await failRows(manager, importId, found, error);
  }
  await recordOutcome(manager, importId, chunk, outcome);
}

async function importRows(manager: EntityManager, importId: string, chunk: ChunkRow): Promise<ChunkOutcome> {
  const rows = (await manager.query(
    `SELECT row_number, url, code, problem FROM link_import_rows
      WHERE import_id = $1 AND row_number BETWEEN $2 AND $3 ORDER BY row_number`,
    [importId, chunk.first_row, chunk.first_row + chunk.row_count - 1],
  )) as Array<{ row_number: number; url: string | null; code: string | null; problem: string | null }>;

  // The first row of the whole import that gives a code claims it; later ones are duplicates.
  const codes = [...new Set(rows.flatMap((row) => (row.code === null ? [] : [row.code])))];
  const firsts = (await manager.query(
    `SELECT code, min(row_number) AS first FROM link_import_rows WHERE import_id = $1 AND code = ANY($2::text[]) GROUP BY code`,
    [importId, codes],
  )) as Array<{ code: string; first: number }>;
  const firstRowOf = new Map(firsts.map((f) => [f.code, f.first]));

  const errors: RowError[] = [];
  const withCode: Array<{ row: number; url: string; code: string }> = [];
  const withoutCode: Array<{ row: number; url: string }> = [];
  for (const row of rows) {
    const fail = (reason: string) => errors.push({ row: row.row_number, url: row.url, code: row.code, reason });
    if (row.problem !== null) {
      fail(row.problem);
      continue;
    }
    const url = domainCheck(() => parseLinkTarget(row.url ?? ''));
    if (url.error !== undefined) {
      fail(url.error);
      continue;
    }
    if (row.code === null) {
      withoutCode.push({ row: row.row_number, url: url.value });
      continue;
    }
    const code = domainCheck(() => parseLinkCode(row.code!));
    if (code.error !== undefined) {
      fail(code.error);
      continue;
    }
    const first = firstRowOf.get(code.value) ?? row.row_number;
    if (first < row.row_number) {
      fail(`code "${code.value}" is already given by row ${first} of this import`);
      continue;
    }
    withCode.push({ row: row.row_number, url: url.value, code: code.value });
  }

  let imported = 0;
  let skipped = 0;
  const inserted = await insertLinks(manager, withCode, chunk.created_by);
  const notInserted = withCode.filter((row) => !inserted.has(row.code));
  const urlOf = await urlsOf(manager, notInserted.map((row) => row.code));
  imported += inserted.size;
  for (const row of notInserted) {
    // The same code for the same URL is what this import asked for already (a rerun, say).
    if (urlOf.get(row.code) === row.url) skipped++;
    else errors.push({ row: row.row, url: row.url, code: row.code, reason: `code "${row.code}" is already used by another link` });
  }

  // Generated codes never take one this chunk asks for; a clash with an existing link draws again.
  const taken = new Set(codes);
  let pending = withoutCode;
  for (let attempt = 0; attempt < GENERATE_ATTEMPTS && pending.length > 0; attempt++) {
    const drawn = pending.map((row) => ({ ...row, code: drawCode(taken) }));
    const ok = await insertLinks(manager, drawn, chunk.created_by);
    imported += ok.size;
    pending = drawn.filter((row) => !ok.has(row.code)).map(({ row, url }) => ({ row, url }));
  }
  for (const row of pending) errors.push({ row: row.row, url: row.url, code: null, reason: 'could not find a free short code; import this row again' });

  return { imported, skipped, errors: errors.sort((a, b) => a.row - b.row), failure: null };
}

/** The codes of the rows that became links (ON CONFLICT DO NOTHING: a taken code is no error, so the transaction goes on). */
async function insertLinks(manager: EntityManager, rows: ReadonlyArray<{ code: string; url: string }>, createdBy: string | null): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = (await manager.query(
    `INSERT INTO links (code, url, created_by)
     SELECT r.code, r.url, $3::uuid FROM unnest($1::varchar[], $2::varchar[]) AS r(code, url)
     ON CONFLICT (code) DO NOTHING
     RETURNING code`,
    [rows.map((row) => row.code), rows.map((row) => row.url), createdBy],
  )) as Array<{ code: string }>;
  return new Set(result.map((row) => row.code));
}

async function urlsOf(manager: EntityManager, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const links = (await manager.query(`SELECT code, url FROM links WHERE code = ANY($1::varchar[])`, [codes])) as Array<{ code: string; url: string }>;
  return new Map(links.map((link) => [link.code, link.url]));
}

function drawCode(taken: Set<string>): string {
  let code = generateLinkCode();
  while (taken.has(code)) code = generateLinkCode();
  taken.add(code);
  return code;
}

/** The domain's verdict on one value: its normal form, or the message its rule gives. */
function domainCheck(parse: () => string): { value: string; error?: undefined } | { value?: undefined; error: string } {
  try {
    return { value: parse() };
  } catch (error) {
    if (error instanceof LinkException) return { error: error.message };
    throw error;
  }
}

/** A chunk that could not run at all: every row of it is reported, so the tenant can send them again. */
async function failRows(manager: EntityManager, importId: string, chunk: ChunkRow, error: unknown): Promise<ChunkOutcome> {
  const rows = (await manager.query(
    `SELECT row_number, url, code FROM link_import_rows WHERE import_id = $1 AND row_number BETWEEN $2 AND $3 ORDER BY row_number`,
    [importId, chunk.first_row, chunk.first_row + chunk.row_count - 1],
  )) as Array<{ row_number: number; url: string | null; code: string | null }>;
  const reason = `not imported: this part of the import failed ${LINK_IMPORT_JOB.attempts} times; import the row again`;
  return {
    imported: 0,
    skipped: 0,
    errors: rows.map((row) => ({ row: row.row_number, url: row.url, code: row.code, reason })),
    failure: String(error).slice(0, 500),
  };
}

/**
 * The chunk's errors and counts, and its `finished_at`, in the transaction that wrote its
 * links. The import's totals are the sum of its chunks, so chunks running at once never
 * update one counter. The last chunk to finish deletes the import's rows: they are locked
 * through the import's row, so two chunks finishing together cannot both miss it.
 */
async function recordOutcome(manager: EntityManager, importId: string, chunk: number, outcome: ChunkOutcome): Promise<void> {
  const { errors } = outcome;
  if (errors.length > 0) {
    await manager.query(
      `INSERT INTO link_import_errors (import_id, row_number, url, code, reason)
       SELECT $1::uuid, e.row_number, e.url, e.code, e.reason FROM unnest($2::int[], $3::text[], $4::text[], $5::varchar[]) AS e(row_number, url, code, reason)`,
      [importId, errors.map((e) => e.row), errors.map((e) => e.url), errors.map((e) => e.code), errors.map((e) => e.reason)],
    );
  }
  await manager.query(
    `UPDATE link_import_chunks SET imported = $3, skipped = $4, failed = $5, failure = $6, started_at = now(), finished_at = clock_timestamp()
      WHERE import_id = $1 AND chunk = $2`,
    [importId, chunk, outcome.imported, outcome.skipped, errors.length, outcome.failure],
  );
  await manager.query(`SELECT 1 FROM link_imports WHERE id = $1 FOR NO KEY UPDATE`, [importId]);
  await manager.query(
    `DELETE FROM link_import_rows WHERE import_id = $1
        AND NOT EXISTS (SELECT 1 FROM link_import_chunks WHERE import_id = $1 AND finished_at IS NULL)`,
    [importId],
  );
}
