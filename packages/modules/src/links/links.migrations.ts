import type { Migration } from '@mysaas/db';

/** The links module's tables in a tenant schema (see auth.migrations.ts for how they run). */
export const LINKS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0002_links',
    release: 1,
    sql: `
      CREATE TABLE links (
        id            uuid NOT NULL DEFAULT gen_random_uuid(),
        code          character varying(32) NOT NULL,
        url           character varying(2048) NOT NULL,
        created_by    uuid,
        created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT links_pkey PRIMARY KEY (id),
        CONSTRAINT links_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
      );
      CREATE UNIQUE INDEX links_code_key ON links (code);
    `,
  },
  {
    // Bulk imports (links.import jobs). The rows wait in link_import_rows until every chunk of
    // their import has run; counts live on the chunk rows, so concurrent chunks never update
    // one counter, and a chunk that has finished_at set has been counted.
    id: '0003_link_imports',
    release: 1,
    sql: `
      CREATE TABLE link_imports (
        id            uuid NOT NULL DEFAULT gen_random_uuid(),
        total         integer NOT NULL,
        chunk_count   integer NOT NULL,
        created_by    uuid,
        created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT link_imports_pkey PRIMARY KEY (id),
        CONSTRAINT link_imports_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
      );
      CREATE INDEX link_imports_created_at_idx ON link_imports (created_at);
      CREATE TABLE link_import_chunks (
        import_id     uuid NOT NULL,
        chunk         integer NOT NULL,
        first_row     integer NOT NULL,
        row_count     integer NOT NULL,
        imported      integer NOT NULL DEFAULT 0,
        skipped       integer NOT NULL DEFAULT 0,
        failed        integer NOT NULL DEFAULT 0,
        failure       character varying(500),
        started_at    TIMESTAMP WITH TIME ZONE,
        finished_at   TIMESTAMP WITH TIME ZONE,
        CONSTRAINT link_import_chunks_pkey PRIMARY KEY (import_id, chunk),
        CONSTRAINT link_import_chunks_import_id_fkey FOREIGN KEY (import_id) REFERENCES link_imports (id) ON DELETE CASCADE
      );
      CREATE TABLE link_import_rows (
        import_id     uuid NOT NULL,
        row_number    integer NOT NULL,
        url           text,
        code          text,
        problem       character varying(500),
        CONSTRAINT link_import_rows_pkey PRIMARY KEY (import_id, row_number),
        CONSTRAINT link_import_rows_import_id_fkey FOREIGN KEY (import_id) REFERENCES link_imports (id) ON DELETE CASCADE
      );
      CREATE INDEX link_import_rows_code_idx ON link_import_rows (import_id, code);
      CREATE TABLE link_import_errors (
        import_id     uuid NOT NULL,
        row_number    integer NOT NULL,
        url           text,
        code          text,
        reason        character varying(500) NOT NULL,
        CONSTRAINT link_import_errors_pkey PRIMARY KEY (import_id, row_number),
        CONSTRAINT link_import_errors_import_id_fkey FOREIGN KEY (import_id) REFERENCES link_imports (id) ON DELETE CASCADE
      );
    `,
  },
  {
    // Release 2, written expand/contract: a new table, nothing changed in release 1's. Release
    // 1's code runs on this schema as before; release 2's reads a missing row as "no details".
    id: '0004_link_details',
    release: 2,
    sql: `
      CREATE TABLE link_details (
        link_id       uuid NOT NULL,
        title         character varying(200),
        tags          text[] NOT NULL DEFAULT '{}',
        CONSTRAINT link_details_pkey PRIMARY KEY (link_id),
        CONSTRAINT link_details_link_id_fkey FOREIGN KEY (link_id) REFERENCES links (id) ON DELETE CASCADE
      );
      -- Backfill: the links made before release 2 get their host as title.
      INSERT INTO link_details (link_id, title)
        SELECT id, substring(url from '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)') FROM links;
    `,
  },
];
