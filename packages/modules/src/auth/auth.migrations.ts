import type { Migration } from '@mysaas/db';

/**
 * The auth module's tables in a tenant schema. Run as the tenant's role with the tenant
 * schema first on the search path, so the tables are unqualified and owned by the tenant.
 * TypeORM entities (user.entity.ts, session.entity.ts) read them; the schema-drift test fails
 * when the two disagree.
 */
export const AUTH_MIGRATIONS: readonly Migration[] = [
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
];
