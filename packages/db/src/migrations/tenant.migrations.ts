import type { Migration } from './migration';

/**
 * The tenant schema, run as the tenant role with search_path set to the tenant schema, so the
 * tables are unqualified and owned by the tenant. Keep in step with the TypeORM entities in
 * apps/app-server: a test fails when TypeORM would generate a migration these do not cover.
 */
export const TENANT_MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_auth',
    release: 1,
    sql: `
      CREATE TABLE users (
        id            uuid NOT NULL DEFAULT gen_random_uuid(),
        email         character varying(320) NOT NULL,
        password_hash character varying(255) NOT NULL,
        created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT users_pkey PRIMARY KEY (id)
      );
      CREATE UNIQUE INDEX users_email_key ON users (email);

      CREATE TABLE sessions (
        id            uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id       uuid NOT NULL,
        created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
        revoked_at    TIMESTAMP WITH TIME ZONE,
        CONSTRAINT sessions_pkey PRIMARY KEY (id),
        CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      );
      CREATE INDEX sessions_user_id_idx ON sessions (user_id);
    `,
  },
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
