import { z } from 'zod';
import { baseDomain, poolName, port, positiveInt, postgresUrl, secret } from './fields';
import { parseEnv, type Env } from './load';

const controlPlaneSchema = z
  .object({
    CONTROL_PLANE_HOST: z.string().default('127.0.0.1'),
    CONTROL_PLANE_PORT: port(3100),
    CONTROL_DATABASE_URL: postgresUrl,
    PLATFORM_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters (try: openssl rand -hex 24)'),
  })
  .transform((env) => ({
    http: { host: env.CONTROL_PLANE_HOST, port: env.CONTROL_PLANE_PORT },
    database: { url: env.CONTROL_DATABASE_URL },
    adminToken: env.PLATFORM_ADMIN_TOKEN,
  }));
export type ControlPlaneConfig = z.output<typeof controlPlaneSchema>;

const gatewaySchema = z
  .object({
    GATEWAY_HOST: z.string().optional(),
    PORT: port(3000),
    BASE_DOMAIN: baseDomain.default('localhost'),
    ROUTING_DATABASE_URL: postgresUrl,
    TENANT_CONTEXT_SECRET: secret,
    SESSION_SECRET: secret,
    ROUTING_CACHE_TTL_MS: positiveInt(30_000),
    ROUTING_NEGATIVE_TTL_MS: positiveInt(2_000),
    ROUTING_CACHE_MAX_ENTRIES: positiveInt(10_000),
    MAX_BODY_BYTES: positiveInt(1024 * 1024),
    UPSTREAM_TIMEOUT_MS: positiveInt(30_000),
  })
  .transform((env) => ({
    http: { host: env.GATEWAY_HOST, port: env.PORT },
    baseDomain: env.BASE_DOMAIN,
    routing: {
      databaseUrl: env.ROUTING_DATABASE_URL,
      cacheTtlMs: env.ROUTING_CACHE_TTL_MS,
      negativeTtlMs: env.ROUTING_NEGATIVE_TTL_MS,
      cacheMaxEntries: env.ROUTING_CACHE_MAX_ENTRIES,
    },
    secrets: { tenantContext: env.TENANT_CONTEXT_SECRET, session: env.SESSION_SECRET },
    limits: { maxBodyBytes: env.MAX_BODY_BYTES, upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS },
  }));
export type GatewayConfig = z.output<typeof gatewaySchema>;

const appServerSchema = z
  .object({
    APP_SERVER_HOST: z.string().default('127.0.0.1'),
    APP_SERVER_PORT: port(3201),
    POOL_NAME: poolName,
    RELEASE: z.coerce.number().int().positive('must be a positive whole number such as 1 or 2'),
    POOL_DATABASE_URL: postgresUrl,
    DB_POOL_MAX: positiveInt(10),
    DB_CONNECTION_WAIT_MS: positiveInt(10_000),
    DB_TENANT_MAX_CONNECTIONS: z.coerce.number().int().positive().optional(),
    TENANT_STATEMENT_TIMEOUT_MS: positiveInt(10_000),
    TENANT_CONTEXT_SECRET: secret,
    SESSION_SECRET: secret,
    SESSION_TTL_SECONDS: positiveInt(7 * 24 * 3600),
    MAX_BODY_BYTES: positiveInt(64 * 1024),
  })
  .transform((env) => ({
    http: { host: env.APP_SERVER_HOST, port: env.APP_SERVER_PORT },
    pool: { name: env.POOL_NAME, release: env.RELEASE },
    database: {
      url: env.POOL_DATABASE_URL,
      maxConnections: env.DB_POOL_MAX,
      connectionWaitMs: env.DB_CONNECTION_WAIT_MS,
      // Half the pool by default: one tenant can never hold every connection.
      maxConnectionsPerTenant: Math.min(env.DB_TENANT_MAX_CONNECTIONS ?? Math.ceil(env.DB_POOL_MAX / 2), env.DB_POOL_MAX),
      statementTimeoutMs: env.TENANT_STATEMENT_TIMEOUT_MS,
    },
    secrets: { tenantContext: env.TENANT_CONTEXT_SECRET, session: env.SESSION_SECRET },
    session: { ttlSeconds: env.SESSION_TTL_SECONDS },
    limits: { maxBodyBytes: env.MAX_BODY_BYTES },
  }));
export type AppServerConfig = z.output<typeof appServerSchema>;

const devStackSchema = z
  .object({
    PORT: port(3000),
    BASE_DOMAIN: baseDomain.default('localhost'),
    MYSAAS_DATA_DIR: z.string().optional(),
    DATABASE_URL: postgresUrl.optional(),
    CONTROL_DATABASE_URL: postgresUrl.optional(),
    POOL_ADMIN_DATABASE_URL: postgresUrl.optional(),
  })
  .transform((env) => ({
    gatewayPort: env.PORT,
    baseDomain: env.BASE_DOMAIN,
    dataDir: env.MYSAAS_DATA_DIR,
    databases: {
      serverUrl: env.DATABASE_URL,
      controlUrl: env.CONTROL_DATABASE_URL,
      poolUrl: env.POOL_ADMIN_DATABASE_URL,
    },
  }));
export type DevStackConfig = z.output<typeof devStackSchema>;

export const loadControlPlaneConfig = (env: Env = process.env): ControlPlaneConfig =>
  parseEnv('control-plane', controlPlaneSchema, env);
export const loadGatewayConfig = (env: Env = process.env): GatewayConfig =>
  parseEnv('gateway', gatewaySchema, env);
export const loadAppServerConfig = (env: Env = process.env): AppServerConfig =>
  parseEnv('app-server', appServerSchema, env);
export const loadDevStackConfig = (env: Env = process.env): DevStackConfig =>
  parseEnv('dev-stack', devStackSchema, env);

/** Test and tooling access to the environment without reading process.env elsewhere. */
export const readEnv = (name: string, env: Env = process.env): string | undefined => env[name] || undefined;
