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
  {
    id: '0004_tenant_moves',
    release: 1,
    sql: `
      -- A move's cutover holds the tenant's requests at every gateway while it is set (the
      -- gateways wait for the routing change that clears it, then go on to the new pool).
      ALTER TABLE platform.tenants ADD COLUMN held_since timestamptz;

      CREATE OR REPLACE VIEW platform.tenant_routes AS
        SELECT t.id, t.slug, t.name, t.status, t.pool, p.status AS pool_status, p.upstreams, t.max_concurrent_requests,
               t.held_since IS NOT NULL AS held
          FROM platform.tenants t
          JOIN platform.pools p ON p.name = t.pool;

      -- Live tenant moves between pools (docs/adr/0018-live-tenant-moves.md): the state
      -- machine, its figures, and one event row per step with its timing.
      CREATE TABLE platform.tenant_moves (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id         uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
        tenant_slug       text NOT NULL,
        from_pool         text NOT NULL REFERENCES platform.pools (name),
        to_pool           text NOT NULL REFERENCES platform.pools (name),
        from_release      integer NOT NULL,
        to_release        integer NOT NULL,
        state             text NOT NULL CHECK (state IN ('copying', 'syncing', 'cutover', 'switched', 'finalizing', 'finalized', 'failed', 'rolling_back', 'rolled_back')),
        method            text CHECK (method IN ('logical', 'blocking')),
        -- The steps of the current attempt already done, so a resumed mover skips them.
        done_steps        text[] NOT NULL DEFAULT '{}',
        rows_copied       bigint,
        copy_ms           integer,
        cutover_pause_ms  integer,
        attempts          integer NOT NULL DEFAULT 0,
        error             text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        switched_at       timestamptz,
        finished_at       timestamptz,
        CHECK (from_pool <> to_pool)
      );
      -- Two moves of one tenant at once are refused here too, whatever the callers check.
      CREATE UNIQUE INDEX tenant_moves_one_open ON platform.tenant_moves (tenant_id) WHERE state NOT IN ('finalized', 'rolled_back');
      CREATE INDEX tenant_moves_created_idx ON platform.tenant_moves (created_at DESC);

      CREATE TABLE platform.tenant_move_events (
        id        bigserial PRIMARY KEY,
        move_id   uuid NOT NULL REFERENCES platform.tenant_moves (id) ON DELETE CASCADE,
        at        timestamptz NOT NULL DEFAULT now(),
        step      text NOT NULL,
        outcome   text NOT NULL CHECK (outcome IN ('started', 'done', 'failed', 'undone')),
        ms        integer,
        details   jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX tenant_move_events_move_idx ON platform.tenant_move_events (move_id, id);
    `,
  },
  {
    id: '0005_rollouts',
    release: 1,
    sql: `
      -- Staged rollouts to a pool (docs/adr/0018-live-tenant-moves.md): tenants moved in waves,
      -- canaries first, each compared with its own health before its move.
      CREATE TABLE platform.rollouts (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pool          text NOT NULL REFERENCES platform.pools (name),
        state         text NOT NULL CHECK (state IN ('running', 'halted', 'done', 'failed', 'rolling_back', 'rolled_back')),
        -- The waves as planned: one array of tenant slugs per wave, canaries in the first.
        plan          jsonb NOT NULL,
        waves         integer[] NOT NULL,
        canaries      text[] NOT NULL DEFAULT '{}',
        policy        jsonb NOT NULL,
        current_wave  integer NOT NULL DEFAULT 0,
        -- Per tenant: its wave, its move, its health before and after, the verdict.
        report        jsonb NOT NULL DEFAULT '{}'::jsonb,
        error         text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz
      );
      -- One unfinished rollout per pool at a time.
      CREATE UNIQUE INDEX rollouts_one_open ON platform.rollouts (pool) WHERE state IN ('running', 'halted', 'rolling_back');
    `,
  },
];
