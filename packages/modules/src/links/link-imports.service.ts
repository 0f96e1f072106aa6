import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { InjectTenantRepository, TenantJobQueue } from '@mysaas/tenant-runtime';
import { isUuid, LINK_IMPORT_JOB } from './link-import.job';
import { LinkImport } from './link-import.entity';
import { LinkException, LinkExceptionCode } from './links.exception';

/** Rows one import may carry. */
export const MAX_IMPORT_ROWS = 10_000;
/** Rows per `links.import` job: a chunk is one tenant transaction, well within the statement timeout. */
export const IMPORT_CHUNK_ROWS = 500;
/** Errors `find` lists; the counts still cover every row. */
export const MAX_LISTED_ERRORS = 1_000;

/**
 * queued: no chunk has finished yet (a chunk's work commits all at once, so a chunk in
 * progress is not visible); running: some have; done: all have; failed: all have, and at
 * least one could not run at all (its rows are reported as failed).
 */
export type LinkImportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface LinkImportSummary {
  id: string;
  status: LinkImportStatus;
  total: number;
  imported: number;
  skipped: number;
  failed: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface LinkImportRowError {
  /** The row's position in the import, from 1. */
  row: number;
  url: string | null;
  code: string | null;
  reason: string;
}

export interface LinkImportDetail extends LinkImportSummary {
  errors: LinkImportRowError[];
  errorsTruncated: boolean;
}

interface ImportRow {
  url: string | null;
  code: string | null;
  problem: string | null;
}

interface SummaryRow {
  id: string;
  total: number;
  chunk_count: number;
  created_at: Date;
  finished_chunks: number;
  failed_chunks: number;
  imported: number;
  skipped: number;
  failed: number;
  started_at: Date | null;
  finished_at: Date | null;
}

const SUMMARY_COLUMNS = `i.id, i.total, i.chunk_count, i.created_at,
  count(c.finished_at)::int AS finished_chunks, count(c.failure)::int AS failed_chunks,
  coalesce(sum(c.imported), 0)::int AS imported, coalesce(sum(c.skipped), 0)::int AS skipped, coalesce(sum(c.failed), 0)::int AS failed,
  min(c.started_at) AS started_at, max(c.finished_at) AS finished_at`;

/**
 * Bulk link imports: accepted at once, run by `links.import` jobs in chunks. Only the list's
 * shape and size are request errors; every row's own problems are reported with the row.
 */
@Injectable()
export class LinkImportsService {
  constructor(
    private readonly jobs: TenantJobQueue,
    @InjectTenantRepository(LinkImport) private readonly imports: Repository<LinkImport>,
  ) {}

  /**
   * Records the import and queues its chunks with one `enqueueMany`. All of it runs in a
   * savepoint: when the queue refuses (`JobBacklogFullError`, 429) nothing of the import is
   * left, even for a caller that catches the error and lets its transaction commit (a form).
   */
  async start(rows: readonly unknown[], createdBy: string | null): Promise<LinkImportSummary> {
    if (rows.length === 0) throw new LinkException(LinkExceptionCode.IMPORT_EMPTY, 'links is empty: an import needs at least one link');
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new LinkException(
        LinkExceptionCode.IMPORT_TOO_LARGE,
        `an import takes at most ${MAX_IMPORT_ROWS} links, and this one has ${rows.length}: split it into several imports`,
      );
    }
    const read = rows.map(readRow);
    const chunks = Math.ceil(read.length / IMPORT_CHUNK_ROWS);
    return this.imports.manager.transaction(async (manager) => {
      const [created] = (await manager.query(
        `INSERT INTO link_imports (total, chunk_count, created_by) VALUES ($1, $2, $3) RETURNING id, created_at`,
        [read.length, chunks, createdBy],
      )) as Array<{ id: string; created_at: Date }>;
      const { id, created_at: createdAt } = created!;
      await manager.query(
        `INSERT INTO link_import_rows (import_id, row_number, url, code, problem)
         SELECT $1::uuid, r.row_number, r.url, r.code, r.problem
           FROM unnest($2::int[], $3::text[], $4::text[], $5::varchar[]) AS r(row_number, url, code, problem)`,
        [id, read.map((_, i) => i + 1), read.map((r) => r.url), read.map((r) => r.code), read.map((r) => r.problem)],
      );
      await manager.query(
        `INSERT INTO link_import_chunks (import_id, chunk, first_row, row_count)
         SELECT $1::uuid, c, c * $2 + 1, least($2, $3 - c * $2) FROM generate_series(0, $4 - 1) AS c`,
        [id, IMPORT_CHUNK_ROWS, read.length, chunks],
      );
      // Last, so that nothing after it can fail and leave queued jobs for an import rolled back.
      await this.jobs.enqueueMany(
        LINK_IMPORT_JOB,
        Array.from({ length: chunks }, (_, chunk) => ({ importId: id, chunk })),
      );
      return { id, status: 'queued', total: read.length, imported: 0, skipped: 0, failed: 0, createdAt, startedAt: null, finishedAt: null };
    });
  }

  async find(id: string): Promise<LinkImportDetail> {
    if (!isUuid(id)) throw new LinkException(LinkExceptionCode.IMPORT_INVALID_ID, 'an import id is a uuid, as POST /api/links/imports answered');
    const manager = this.imports.manager;
    const [row] = (await manager.query(
      `SELECT ${SUMMARY_COLUMNS} FROM link_imports i LEFT JOIN link_import_chunks c ON c.import_id = i.id WHERE i.id = $1 GROUP BY i.id`,
      [id],
    )) as SummaryRow[];
    if (row === undefined) throw new LinkException(LinkExceptionCode.IMPORT_NOT_FOUND, `there is no import ${id}`);
    const errors = (await manager.query(
      `SELECT row_number AS row, url, code, reason FROM link_import_errors WHERE import_id = $1 ORDER BY row_number LIMIT $2`,
      [id, MAX_LISTED_ERRORS + 1],
    )) as LinkImportRowError[];
    return { ...summaryOf(row), errors: errors.slice(0, MAX_LISTED_ERRORS), errorsTruncated: errors.length > MAX_LISTED_ERRORS };
  }

  /** The most recent imports first. */
  async list(limit = 20): Promise<LinkImportSummary[]> {
    const rows = (await this.imports.manager.query(
      `SELECT ${SUMMARY_COLUMNS}
         FROM (SELECT * FROM link_imports ORDER BY created_at DESC, id LIMIT $1) i
         LEFT JOIN link_import_chunks c ON c.import_id = i.id
        GROUP BY i.id, i.total, i.chunk_count, i.created_at
        ORDER BY i.created_at DESC, i.id`,
      [limit],
    )) as SummaryRow[];
    return rows.map(summaryOf);
  }
}

function summaryOf(row: SummaryRow): LinkImportSummary {
  const allFinished = row.finished_chunks === row.chunk_count;
  const status: LinkImportStatus =
    row.finished_chunks === 0 ? 'queued' : !allFinished ? 'running' : row.failed_chunks > 0 ? 'failed' : 'done';
  return {
    id: row.id,
    status,
    total: row.total,
    imported: row.imported,
    skipped: row.skipped,
    failed: row.failed,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: allFinished ? row.finished_at : null,
  };
}

const ROW_FIELDS: ReadonlySet<string> = new Set(['url', 'code']);

/**
 * A row as the job will check it. Only a row that is not an object at all refuses the whole
 * import (the list is then not a list of links); a row's fields are the job's to judge, so a
 * wrong type or an unknown field fails that row alone.
 */
function readRow(input: unknown, index: number): ImportRow {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new LinkException(
      LinkExceptionCode.IMPORT_MALFORMED,
      `links[${index}] is not an object: each link is {"url": "https://…", "code": "…"}, with code optional`,
    );
  }
  const fields = input as Record<string, unknown>;
  const url = typeof fields.url === 'string' ? fields.url : null;
  const code = typeof fields.code === 'string' ? fields.code : null;
  const unknown = Object.keys(fields).find((key) => !ROW_FIELDS.has(key));
  const problem =
    unknown !== undefined
      ? `unknown field "${unknown.slice(0, 40)}": a link has url and, optionally, code`
      : url === null
        ? 'url is required and must be a string'
        : fields.code !== undefined && fields.code !== null && code === null
          ? 'code must be a string'
          : null;
  return { url, code, problem };
}
