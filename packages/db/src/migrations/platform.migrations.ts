import type { Migration } from './migration';

/** The control plane's `platform` schema: routing, pools, tenants and their history. */
export const PLATFORM_MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_platform',
    release: 1,
    sql: `
      CREATE TABLE platform.pools (
        name          text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,30}$'),
        release       integer NOT NULL CHECK (release > 0),
        status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draining', 'retired')),
        -- Admin connection used to provision tenants. Never readable by the gateway role.
        database_url  text NOT NULL,
        -- Login role of the pool's app servers; every tenant role of the pool is granted to it.
        app_role      text NOT NULL,
        upstreams     text[] NOT NULL DEFAULT '{}',
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE platform.tenants (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug          text NOT NULL UNIQUE,
        name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        status        text NOT NULL CHECK (status IN ('provisioning', 'active', 'suspended')),
        pool          text NOT NULL REFERENCES platform.pools (name),
        schema_name   text NOT NULL,
        role_name     text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX tenants_pool_idx ON platform.tenants (pool);

      -- Custom domains (acme.com -> acme). Subdomains of the base domain need no row.
      CREATE TABLE platform.domains (
        domain        text PRIMARY KEY CHECK (domain = lower(domain)),
        tenant_id     uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
        created_at    timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE platform.audit_log (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT now(),
        actor         text NOT NULL,
        action        text NOT NULL,
        tenant_slug   text,
        details       jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX audit_log_tenant_idx ON platform.audit_log (tenant_slug, at);

      -- What the gateway may read: enough to route, nothing more (no database credentials).
      CREATE VIEW platform.tenant_routes AS
        SELECT t.id, t.slug, t.name, t.status, t.pool, p.status AS pool_status, p.upstreams
          FROM platform.tenants t
          JOIN platform.pools p ON p.name = t.pool;
    `,
  },
  {
    id: '0002_tenant_limits',
    release: 1,
    sql: `
      -- Per-tenant overrides of the platform defaults (NULL: the default). The gateway reads
      -- the request cap through tenant_routes; the statement timeout is also set on the
      -- tenant's role on its pool server, where tenant transactions read it.
      ALTER TABLE platform.tenants
        ADD COLUMN max_concurrent_requests integer CHECK (max_concurrent_requests BETWEEN 1 AND 100000),
        ADD COLUMN statement_timeout_ms integer CHECK (statement_timeout_ms BETWEEN 1 AND 3600000);

      CREATE OR REPLACE VIEW platform.tenant_routes AS
        SELECT t.id, t.slug, t.name, t.status, t.pool, p.status AS pool_status, p.upstreams, t.max_concurrent_requests
          FROM platform.tenants t
          JOIN platform.pools p ON p.name = t.pool;
    `,
  },
  {
    id: '0003_default_pool',
    release: 1,
    sql: `
      -- Where a tenant created without a pool goes: at most one pool, and an active one.
      ALTER TABLE platform.pools ADD COLUMN is_default boolean NOT NULL DEFAULT false;
      CREATE UNIQUE INDEX pools_one_default ON platform.pools (is_default) WHERE is_default;
    `,
  },
];

