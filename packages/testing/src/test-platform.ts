import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { loadAppServerConfig, loadControlPlaneConfig, loadGatewayConfig, type AppServerConfig, type ControlPlaneConfig, type GatewayConfig } from '@mysaas/config';
import { announceRoutingChange, ensureLoginRole, grantRoutingAccess, hardenPoolDatabase, ident, migratePlatform } from '@mysaas/db';
import type { RoutingChange } from '@mysaas/tenancy';
import { createTestDatabase, randomSuffix, type TestDatabase } from './test-database';
import { testServerUrl, withUrlParts } from './test-server';

export interface TestPlatform {
  control: TestDatabase;
  poolDb: TestDatabase;
  pool: { name: string; release: number; appRole: string };
  /** Gateway's read-only login on the control database. */
  routingUrl: string;
  /** The pool's app-server login (may SET ROLE to its tenants). */
  poolAppUrl: string;
  secrets: { tenantContext: string; session: string; adminToken: string };
  /**
   * Another pool with a database of its own on the test server (its app login, hardened,
   * registered in the control database): the other end of a tenant move, say.
   */
  addPool(name: string, options?: { release?: number; status?: 'active' | 'draining' | 'retired' }): Promise<TestPool>;
  /** Points the pool's routing at the given app-server base URLs, and tells the gateways. */
  setUpstreams(upstreams: string[]): Promise<void>;
  /** Tells the gateways that routing changed, as the control plane does. */
  announce(change: RoutingChange): Promise<void>;
  controlPlaneConfig(): ControlPlaneConfig;
  gatewayConfig(overrides?: Partial<GatewayConfig>): GatewayConfig;
  appServerConfig(overrides?: Partial<AppServerConfig>): AppServerConfig;
  cleanup(): Promise<void>;
}

export interface TestPool {
  name: string;
  release: number;
  appRole: string;
  db: TestDatabase;
  /** The pool's app-server login (may SET ROLE to its tenants). */
  appUrl: string;
  /** An app-server config serving this pool. */
  appServerConfig(overrides?: Partial<AppServerConfig>): AppServerConfig;
}

const secret = () => randomBytes(32).toString('hex');

/** Apps under test log only errors (TEST_LOG_LEVEL=debug to see more) and serve metrics on a free port. */
const QUIET = { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error', METRICS_PORT: '0' };

/**
 * A control-plane database (migrated) and one pool database with the roles a real deployment
 * has: a read-only gateway login, a NOINHERIT app-server login, and pool `v1` registered.
 * Role names carry a random suffix because roles are shared by every database of a server.
 */
export async function createTestPlatform(): Promise<TestPlatform> {
  const control = await createTestDatabase('control');
  const poolDb = await createTestDatabase('pool');
  const suffix = randomSuffix();
  const gatewayRole = `mt_gw_${suffix}`;
  const appRole = `mt_app_${suffix}`;
  const gatewayPassword = secret();
  const appPassword = secret();
  const pool = { name: 'v1', release: 1, appRole };

  await migratePlatform(control.pool);
  await ensureLoginRole(control.pool, gatewayRole, gatewayPassword);
  await grantRoutingAccess(control.pool, gatewayRole);
  await ensureLoginRole(poolDb.pool, appRole, appPassword);
  await hardenPoolDatabase(poolDb.pool);
  await control.pool.query(
    `INSERT INTO platform.pools (name, release, database_url, app_role) VALUES ($1, $2, $3, $4)`,
    [pool.name, pool.release, poolDb.url, appRole],
  );

  const routingUrl = withUrlParts(control.url, { user: gatewayRole, password: gatewayPassword });
  const extraPools: TestPool[] = [];
  const poolAppUrl = withUrlParts(poolDb.url, { user: appRole, password: appPassword });
  const secrets = { tenantContext: secret(), session: secret(), adminToken: secret() };

  const appServerConfig = (env: Record<string, string>): AppServerConfig =>
    loadAppServerConfig({
      APP_SERVER_PORT: '0',
      POOL_NAME: pool.name,
      RELEASE: String(pool.release),
      POOL_DATABASE_URL: poolAppUrl,
      DB_POOL_MAX: '5',
      DB_CONNECTION_WAIT_MS: '5000',
      TENANT_CONTEXT_SECRET: secrets.tenantContext,
      SESSION_SECRET: secrets.session,
      SESSION_TTL_SECONDS: '3600',
      MAX_BODY_BYTES: String(16 * 1024),
      ...QUIET,
      ...env,
    });

  return {
    control,
    poolDb,
    pool,
    routingUrl,
    poolAppUrl,
    secrets,
    addPool: async (name, options = {}) => {
      const db = await createTestDatabase(`pool_${name.replace(/-/g, '_')}`);
      const role = `mt_app_${randomSuffix()}`;
      const password = secret();
      await ensureLoginRole(db.pool, role, password);
      await hardenPoolDatabase(db.pool);
      const release = options.release ?? pool.release;
      await control.pool.query('INSERT INTO platform.pools (name, release, status, database_url, app_role) VALUES ($1, $2, $3, $4, $5)', [
        name,
        release,
        options.status ?? 'active',
        db.url,
        role,
      ]);
      const appUrl = withUrlParts(db.url, { user: role, password });
      const added: TestPool = {
        name,
        release,
        appRole: role,
        db,
        appUrl,
        appServerConfig: (overrides = {}) => ({
          ...appServerConfig({ POOL_NAME: name, RELEASE: String(release), POOL_DATABASE_URL: appUrl }),
          ...overrides,
        }),
      };
      extraPools.push(added);
      return added;
    },
    setUpstreams: async (upstreams) => {
      await control.pool.query('UPDATE platform.pools SET upstreams = $2 WHERE name = $1', [pool.name, upstreams]);
      await announceRoutingChange(control.pool, { kind: 'pool', pool: pool.name });
    },
    announce: (change) => announceRoutingChange(control.pool, change),
    controlPlaneConfig: () =>
      loadControlPlaneConfig({
        CONTROL_PLANE_PORT: '0',
        CONTROL_DATABASE_URL: control.url,
        PLATFORM_ADMIN_TOKEN: secrets.adminToken,
        ...QUIET,
      }),
    // Through the apps' own loaders, so every setting a test does not name has its real default.
    gatewayConfig: (overrides = {}) => ({
      ...loadGatewayConfig({
        GATEWAY_HOST: '127.0.0.1',
        PORT: '0',
        ROUTING_DATABASE_URL: routingUrl,
        ROUTING_NEGATIVE_TTL_MS: '500',
        TENANT_CONTEXT_SECRET: secrets.tenantContext,
        SESSION_SECRET: secrets.session,
        MAX_BODY_BYTES: String(64 * 1024),
        UPSTREAM_TIMEOUT_MS: '10000',
        ...QUIET,
      }),
      ...overrides,
    }),
    appServerConfig: (overrides = {}) => ({ ...appServerConfig({}), ...overrides }),
    cleanup: async () => {
      const { rows } = await poolDb.pool.query<{ rolname: string }>(
        `SELECT r.rolname FROM pg_auth_members m
           JOIN pg_roles r ON r.oid = m.roleid
           JOIN pg_roles a ON a.oid = m.member
          WHERE a.rolname = $1`,
        [appRole],
      );
      const extraRoles: string[] = [];
      for (const extra of extraPools) {
        const { rows: granted } = await extra.db.pool.query<{ rolname: string }>(
          `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles a ON a.oid = m.member WHERE a.rolname = $1`,
          [extra.appRole],
        );
        extraRoles.push(...granted.map((r) => r.rolname), extra.appRole);
      }
      await control.drop();
      await poolDb.drop();
      for (const extra of extraPools) await extra.db.drop();
      await dropRoles([...new Set([...rows.map((r) => r.rolname), ...extraRoles]), appRole, gatewayRole]);
    },
  };
}

/** Roles outlive databases; drop the ones a test made once their databases are gone. */
async function dropRoles(roles: string[]): Promise<void> {
  const admin = new Pool({ connectionString: testServerUrl(), max: 1 });
  try {
    for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${ident(role)}`);
  } finally {
    await admin.end();
  }
}
