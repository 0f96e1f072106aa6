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
];
