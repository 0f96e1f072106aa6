import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createPoolDataSource, ensureLoginRole, hardenPoolDatabase, ident, provisionTenantSchema, TenantDatabase } from '@mysaas/db';
import { parseTenantSlug, tenantRoleName, tenantSchemaName } from '@mysaas/tenancy';
import type { ScopedTenant } from '@mysaas/tenant-runtime';
import { firstUserSeed, tenantMigrationsFor, tenantSchemaEntities } from '../../src/schema';
import { EMBEDDED_URL_VARIABLE } from '../postgres-setup';

// @mysaas/testing depends on this package (for the tenant schema), so this package cannot
// use it without a build cycle (ADR 14): this is the part of it these tests need, built from
// the same pieces (@mysaas/db's provisioning, the registry's migrations) on a real server.

/** The admin URL of the Postgres server to test on: DATABASE_URL (CI sets it), or the embedded one test/postgres-setup.ts started. */
const SERVER_URL = process.env.DATABASE_URL || process.env[EMBEDDED_URL_VARIABLE];

/** `describe`, or, without a server, a skip that says why (in CI a missing server fails instead). */
export function describeWithPostgres(name: string, suite: () => void): void {
  if (SERVER_URL !== undefined) return describe(name, suite);
  if (process.env.CI === 'true') throw new Error(`CI must run "${name}", but DATABASE_URL is not set`);
  // Not console.log: Jest drops the console output of a file whose tests were all skipped.
  process.stderr.write(`\nSKIPPED "${name}": it needs Postgres; set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)\n`);
  describe.skip(name, suite);
}

export interface TestTenant extends ScopedTenant {
  schema: string;
  /** The first user, whom the seed created. */
  userId: string;
}

export interface TestPool {
  tenants: TestTenant[];
  /** The pool as an app server or a worker reaches it: its least-privilege login, each tenant under its own role. */
  tenantDb: TenantDatabase;
  /** The superuser, for looking into any schema from outside. */
  admin: DataSource;
  cleanup(): Promise<void>;
}

/** A fresh pool database with `tenantCount` tenants provisioned at release 1, as the control plane does. */
export async function createTestPool(tenantCount: number): Promise<TestPool> {
  const server = SERVER_URL!;
  const suffix = randomBytes(4).toString('hex');
  const database = `mt_modules_${suffix}`;
  await onServer(server, (ds) => ds.query(`CREATE DATABASE ${ident(database)}`));
  const admin = await new DataSource({ type: 'postgres', url: withParts(server, { database }), poolSize: 2 }).initialize();
  // The pg pool under TypeORM: provisioning takes one, and this package reaches pg through TypeORM only.
  const adminPool = (admin.driver as unknown as { master: Parameters<typeof provisionTenantSchema>[0] }).master;
  const appRole = `mt_app_${suffix}`;
  const appPassword = randomBytes(16).toString('hex');
  await ensureLoginRole(adminPool, appRole, appPassword);
  await hardenPoolDatabase(adminPool);

  const tenants: TestTenant[] = [];
  for (let i = 0; i < tenantCount; i++) {
    const slug = parseTenantSlug(`m${i}-${suffix}`);
    await provisionTenantSchema(adminPool, {
      slug,
      appRole,
      migrations: tenantMigrationsFor(1),
      seed: firstUserSeed({ email: `admin@${slug}.test`, passwordHash: 'not-used-by-these-tests' }),
    });
    const schema = tenantSchemaName(slug);
    const [user] = (await admin.query(`SELECT id FROM ${ident(schema)}.users`)) as Array<{ id: string }>;
    tenants.push({ id: randomUUID(), slug, name: `Tenant ${slug}`, schema, userId: user!.id });
  }

  const dataSource = await createPoolDataSource({
    url: withParts(server, { database, user: appRole, password: appPassword }),
    entities: tenantSchemaEntities(),
    maxConnections: 6,
    connectionWaitMs: 5_000,
    applicationName: 'modules-test',
  }).initialize();
  const tenantDb = new TenantDatabase(dataSource, { statementTimeoutMs: 10_000, maxConnectionsPerTenant: 3, connectionWaitMs: 5_000 });

  return {
    tenants,
    tenantDb,
    admin,
    cleanup: async () => {
      await dataSource.destroy();
      await admin.destroy();
      await onServer(server, async (ds) => {
        await ds.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
        for (const role of [...tenants.map((t) => tenantRoleName(t.slug)), appRole]) await ds.query(`DROP ROLE IF EXISTS ${ident(role)}`);
      });
    },
  };
}

async function onServer(url: string, work: (ds: DataSource) => Promise<unknown>): Promise<void> {
  const ds = await new DataSource({ type: 'postgres', url, poolSize: 1 }).initialize();
  try {
    await work(ds);
  } finally {
    await ds.destroy();
  }
}

function withParts(url: string, parts: { database: string; user?: string; password?: string }): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(parts.database)}`;
  if (parts.user !== undefined) parsed.username = encodeURIComponent(parts.user);
  if (parts.password !== undefined) parsed.password = encodeURIComponent(parts.password);
  return parsed.toString();
}
