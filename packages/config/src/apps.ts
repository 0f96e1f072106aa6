import { z } from 'zod';
import { baseDomain, logLevel, poolName, port, positiveInt, postgresUrl, redisUrl, secret, trustProxy } from './fields';
import { parseEnv, type Env } from './load';

/** Where each app listens unless told otherwise; metrics on a port of their own (127.0.0.1). */
export const DEFAULT_PORTS = { gateway: 3000, controlPlane: 3100, appServer: 3201 } as const;
export const DEFAULT_METRICS_PORTS = { gateway: 9400, controlPlane: 9401, appServer: 9402, worker: 9403 } as const;

/** The one BullMQ queue the fair dispatcher feeds and every worker takes from (ADR 16). */
export const JOB_QUEUE_NAME = 'mysaas-jobs';

/** A job queue's URL: Redis, or a Postgres database for BullMQ's PostgreSQL backend. */
const jobQueueUrl = z
  .string()
  .refine((value) => /^(rediss?|postgres(ql)?):\/\//.test(value), 'must be a redis://, rediss:// or postgres:// URL');

/** Logs and metrics, the same variables for every app. */
const observability = (metricsPort: number) => ({
  LOG_LEVEL: logLevel,
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: port(metricsPort),
});
const observabilityConfig = (env: { LOG_LEVEL: string; METRICS_HOST: string; METRICS_PORT: number }) => ({
  log: { level: env.LOG_LEVEL },
  metrics: { host: env.METRICS_HOST, port: env.METRICS_PORT },
});

const controlPlaneSchema = z
  .object({
    CONTROL_PLANE_HOST: z.string().default('127.0.0.1'),
    CONTROL_PLANE_PORT: port(DEFAULT_PORTS.controlPlane),
    CONTROL_DATABASE_URL: postgresUrl,
    PLATFORM_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters (try: openssl rand -hex 24)'),
    JOBS_DATABASE_URL: postgresUrl.optional(),
    JOBS_QUEUE_URL: jobQueueUrl.optional(),
    MOVES_RESUME_INTERVAL_MS: positiveInt(5_000),
    /** The gateways' metrics endpoints, comma-separated: where a rollout reads tenants' health. */
    ROLLOUT_METRICS_URLS: z.string().optional(),
    ...observability(DEFAULT_METRICS_PORTS.controlPlane),
  })
  .transform((env) => ({
    ...observabilityConfig(env),
    http: { host: env.CONTROL_PLANE_HOST, port: env.CONTROL_PLANE_PORT },
    database: { url: env.CONTROL_DATABASE_URL },
    adminToken: env.PLATFORM_ADMIN_TOKEN,
    /** The job service it administers (stats, plans, pauses, dead letters); none: those endpoints answer 503. */
    jobs: env.JOBS_DATABASE_URL === undefined ? undefined : { storeUrl: env.JOBS_DATABASE_URL, queueUrl: env.JOBS_QUEUE_URL ?? env.JOBS_DATABASE_URL },
    /** How often it looks for moves a dead mover left unfinished, and resumes them. */
    moves: {
      resumeIntervalMs: env.MOVES_RESUME_INTERVAL_MS,
      /** Empty: rollouts are refused (they have no health to compare). */
      rolloutMetricsUrls: (env.ROLLOUT_METRICS_URLS ?? '').split(',').map((url) => url.trim()).filter((url) => url !== ''),
    },
  }));
export type ControlPlaneConfig = z.output<typeof controlPlaneSchema>;

const gatewaySchema = z
  .object({
    GATEWAY_HOST: z.string().optional(),
    PORT: port(DEFAULT_PORTS.gateway),
    BASE_DOMAIN: baseDomain.default('localhost'),
    ROUTING_DATABASE_URL: postgresUrl,
    TENANT_CONTEXT_SECRET: secret,
    SESSION_SECRET: secret,
    ROUTING_CACHE_TTL_MS: positiveInt(30_000),
    ROUTING_NEGATIVE_TTL_MS: positiveInt(2_000),
    ROUTING_CACHE_MAX_ENTRIES: positiveInt(10_000),
    GATEWAY_MOVE_HOLD_MS: positiveInt(5_000),
    MAX_BODY_BYTES: positiveInt(1024 * 1024),
    BULK_MAX_BODY_BYTES: positiveInt(16 * 1024 * 1024),
    UPSTREAM_TIMEOUT_MS: positiveInt(30_000),
    UPSTREAM_FAILURES_TO_EJECT: positiveInt(3),
    UPSTREAM_EJECT_MS: positiveInt(10_000),
    UPSTREAM_EJECT_MAX_MS: positiveInt(120_000),
    HEADERS_TIMEOUT_MS: positiveInt(10_000),
    REQUEST_TIMEOUT_MS: positiveInt(30_000),
    KEEP_ALIVE_TIMEOUT_MS: positiveInt(5_000),
    MAX_CONNECTIONS: positiveInt(10_000),
    TRUST_PROXY: trustProxy,
    REDIS_URL: redisUrl.optional(),
    REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, 'must be 1 to 64 letters, digits, or : . - _').default('mysaas:'),
    TENANT_MAX_CONCURRENT_REQUESTS: positiveInt(16),
    TENANT_QUEUE_WAIT_MS: positiveInt(1_000),
    TENANT_MAX_QUEUED_REQUESTS: positiveInt(64),
    SIGNIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
    SIGNIN_MAX_FAILURES_PER_ADDRESS: positiveInt(20),
    SIGNIN_WINDOW_SECONDS: positiveInt(15 * 60),
    SIGNIN_MAX_CONCURRENT_PER_ACCOUNT: positiveInt(1),
    SIGNIN_MAX_CONCURRENT_PER_ADDRESS: positiveInt(8),
    SIGNIN_QUEUE_WAIT_MS: positiveInt(3_000),
    SIGNIN_REFUSAL_DELAY_MS: z.coerce.number().int().min(0).default(1_000),
    ...observability(DEFAULT_METRICS_PORTS.gateway),
  })
  .refine((env) => env.UPSTREAM_EJECT_MAX_MS >= env.UPSTREAM_EJECT_MS, {
    message: 'must be at least UPSTREAM_EJECT_MS (the first cool-down)',
    path: ['UPSTREAM_EJECT_MAX_MS'],
  })
  .transform((env) => ({
    ...observabilityConfig(env),
    http: {
      host: env.GATEWAY_HOST,
      port: env.PORT,
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: env.MAX_CONNECTIONS,
      trustProxy: env.TRUST_PROXY,
    },
    baseDomain: env.BASE_DOMAIN,
    redis: env.REDIS_URL === undefined ? undefined : { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    tenants: {
      maxConcurrentRequests: env.TENANT_MAX_CONCURRENT_REQUESTS,
      queueWaitMs: env.TENANT_QUEUE_WAIT_MS,
      maxQueuedRequests: env.TENANT_MAX_QUEUED_REQUESTS,
    },
    signIn: {
      maxFailuresPerAccount: env.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: env.SIGNIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: env.SIGNIN_WINDOW_SECONDS,
      maxConcurrentPerAccount: env.SIGNIN_MAX_CONCURRENT_PER_ACCOUNT,
      maxConcurrentPerAddress: env.SIGNIN_MAX_CONCURRENT_PER_ADDRESS,
      queueWaitMs: env.SIGNIN_QUEUE_WAIT_MS,
      refusalDelayMs: env.SIGNIN_REFUSAL_DELAY_MS,
    },
    routing: {
      databaseUrl: env.ROUTING_DATABASE_URL,
      cacheTtlMs: env.ROUTING_CACHE_TTL_MS,
      negativeTtlMs: env.ROUTING_NEGATIVE_TTL_MS,
      cacheMaxEntries: env.ROUTING_CACHE_MAX_ENTRIES,
      /** How long a request waits while a tenant move's cutover holds its tenant, before 503 TENANT_MOVING. */
      moveHoldMs: env.GATEWAY_MOVE_HOLD_MS,
    },
    secrets: { tenantContext: env.TENANT_CONTEXT_SECRET, session: env.SESSION_SECRET },
    /** Bulk uploads (`isBulkUpload`: POST …/imports) may send up to `bulkMaxBodyBytes`. */
    limits: { maxBodyBytes: env.MAX_BODY_BYTES, bulkMaxBodyBytes: env.BULK_MAX_BODY_BYTES, upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS },
    /**
     * Passive health of a pool's app servers (ADR 17): `failuresToEject` failures in a row take
     * one out of the rotation for `ejectMs`, doubling with each ejection that follows a failed
     * trial, up to `ejectMaxMs`.
     */
    upstreams: { failuresToEject: env.UPSTREAM_FAILURES_TO_EJECT, ejectMs: env.UPSTREAM_EJECT_MS, ejectMaxMs: env.UPSTREAM_EJECT_MAX_MS },
  }));
export type GatewayConfig = z.output<typeof gatewaySchema>;

const appServerSchema = z
  .object({
    APP_SERVER_HOST: z.string().default('127.0.0.1'),
    APP_SERVER_PORT: port(DEFAULT_PORTS.appServer),
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
    PASSWORD_CHECKS_PER_TENANT: positiveInt(1),
    PASSWORD_CHECK_WAIT_MS: positiveInt(5_000),
    MAX_BODY_BYTES: positiveInt(64 * 1024),
    BULK_MAX_BODY_BYTES: positiveInt(16 * 1024 * 1024),
    JOBS_DATABASE_URL: postgresUrl.optional(),
    ...observability(DEFAULT_METRICS_PORTS.appServer),
  })
  .transform((env) => ({
    ...observabilityConfig(env),
    http: { host: env.APP_SERVER_HOST, port: env.APP_SERVER_PORT },
    pool: { name: env.POOL_NAME, release: env.RELEASE },
    database: {
      url: env.POOL_DATABASE_URL,
      maxConnections: env.DB_POOL_MAX,
      connectionWaitMs: env.DB_CONNECTION_WAIT_MS,
      // A quarter of the pool by default: one tenant never holds most connections (and, as the
      // noisy-neighbour benchmark showed, more would not make it faster, only others slower).
      maxConnectionsPerTenant: Math.min(env.DB_TENANT_MAX_CONNECTIONS ?? Math.ceil(env.DB_POOL_MAX / 4), env.DB_POOL_MAX),
      statementTimeoutMs: env.TENANT_STATEMENT_TIMEOUT_MS,
    },
    secrets: { tenantContext: env.TENANT_CONTEXT_SECRET, session: env.SESSION_SECRET },
    session: { ttlSeconds: env.SESSION_TTL_SECONDS },
    signIn: { passwordChecksPerTenant: env.PASSWORD_CHECKS_PER_TENANT, waitMs: env.PASSWORD_CHECK_WAIT_MS },
    limits: { maxBodyBytes: env.MAX_BODY_BYTES, bulkMaxBodyBytes: env.BULK_MAX_BODY_BYTES },
    /** The job store modules enqueue into; none: enqueueing answers 503. */
    jobs: env.JOBS_DATABASE_URL === undefined ? undefined : { storeUrl: env.JOBS_DATABASE_URL },
  }));
export type AppServerConfig = z.output<typeof appServerSchema>;

/** `{"v1": "postgres://…"}`: each pool's database, reached with the pool's app login. */
const poolDatabaseUrls = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of pool name to postgres:// URL, such as {"v1":"postgres://…"}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(poolName, postgresUrl).refine((pools) => Object.keys(pools).length > 0, 'must name at least one pool'));

const workerSchema = z
  .object({
    JOBS_DATABASE_URL: postgresUrl,
    JOBS_QUEUE_URL: jobQueueUrl.optional(),
    ROUTING_DATABASE_URL: postgresUrl,
    POOL_DATABASE_URLS: poolDatabaseUrls,
    JOBS_CONCURRENCY: positiveInt(8),
    JOBS_WINDOW: z.coerce.number().int().positive().optional(),
    JOBS_QUEUE_MS: z.coerce.number().int().min(0, 'must be 0 (a window of JOBS_WINDOW jobs always) or a number of milliseconds').default(400),
    JOBS_RATE_PER_SECOND: z.coerce.number().positive().optional(),
    JOBS_DISPATCH: z.enum(['on', 'off', 'only']).default('on'),
    JOBS_DISPATCH_NICE: z.coerce.number().int().min(0, 'must be 0 (leave the priority as it is) to 19').max(19, 'must be 0 to 19 (a niceness, as nice(1) takes)').default(10),
    DB_POOL_MAX: positiveInt(8),
    DB_CONNECTION_WAIT_MS: positiveInt(10_000),
    TENANT_STATEMENT_TIMEOUT_MS: positiveInt(60_000),
    SHUTDOWN_GRACE_MS: positiveInt(30_000),
    ...observability(DEFAULT_METRICS_PORTS.worker),
  })
  .transform((env) => ({
    ...observabilityConfig(env),
    jobs: {
      storeUrl: env.JOBS_DATABASE_URL,
      queueUrl: env.JOBS_QUEUE_URL ?? env.JOBS_DATABASE_URL,
      concurrency: env.JOBS_CONCURRENCY,
      /**
       * Jobs handed to the queue and running or waiting for a worker, fleet-wide, at most (retries
       * waiting out their backoff are not counted): several times the workers' concurrency
       * together (a worker never waits for the dispatcher; a small tenant's job waits at most
       * for these to drain). With `queueMs`, the ceiling of the window, which starts at 128 and
       * follows the fleet's pace. Default: 1,024 on Redis, whose pace makes 400 ms many more jobs
       * than 128; 128 on BullMQ's PostgreSQL backend, where a larger window only lengthens the
       * small tenants' wait (docs/benchmarks.md, 2026-11-27 03:30).
       */
      window: env.JOBS_WINDOW ?? (/^rediss?:\/\//.test(env.JOBS_QUEUE_URL ?? '') ? 1024 : 128),
      /**
       * The window sized in time (ADR 16): the running jobs and this many milliseconds of jobs
       * queued behind them at the fleet's measured pace, up to `window`; undefined (0): always `window`.
       */
      queueMs: env.JOBS_QUEUE_MS === 0 ? undefined : env.JOBS_QUEUE_MS,
      /** Jobs started per second across every worker of the queue (BullMQ's limiter); none: as fast as they come. */
      ratePerSecond: env.JOBS_RATE_PER_SECOND,
      /** off: this worker only runs jobs (another process dispatches). */
      dispatch: env.JOBS_DISPATCH !== 'off',
      /** only: this process dispatches (or stands by to) and runs no jobs, keeping the dispatcher's CPU off the event loops that run them. */
      runJobs: env.JOBS_DISPATCH !== 'only',
      /**
       * The niceness a dispatch-only process takes (JOBS_DISPATCH=only; 0: it leaves its priority
       * as it is). Where it shares the CPUs with workers, Redis or Postgres, it then runs on the
       * time they leave idle: the window keeps some 400 ms of jobs queued, so a dispatcher a
       * little late delays no job, and a worker, Redis or Postgres kept waiting delays them all
       * (docs/benchmarks.md, 2026-11-27 09:30).
       */
      dispatchNice: env.JOBS_DISPATCH_NICE,
    },
    routingDatabaseUrl: env.ROUTING_DATABASE_URL,
    pools: env.POOL_DATABASE_URLS,
    database: {
      maxConnections: env.DB_POOL_MAX,
      connectionWaitMs: env.DB_CONNECTION_WAIT_MS,
      maxConnectionsPerTenant: Math.max(1, Math.ceil(env.DB_POOL_MAX / 4)),
      statementTimeoutMs: env.TENANT_STATEMENT_TIMEOUT_MS,
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
  }));
export type WorkerConfig = z.output<typeof workerSchema>;

const devStackSchema = z
  .object({
    PORT: port(DEFAULT_PORTS.gateway),
    BASE_DOMAIN: baseDomain.default('localhost'),
    MYSAAS_DATA_DIR: z.string().optional(),
    DATABASE_URL: postgresUrl.optional(),
    CONTROL_DATABASE_URL: postgresUrl.optional(),
    POOL_ADMIN_DATABASE_URL: postgresUrl.optional(),
    REDIS_URL: redisUrl.optional(),
    LOG_LEVEL: logLevel,
  })
  .transform((env) => ({
    gatewayPort: env.PORT,
    logLevel: env.LOG_LEVEL,
    redisUrl: env.REDIS_URL,
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
export const loadWorkerConfig = (env: Env = process.env): WorkerConfig =>
  parseEnv('worker', workerSchema, env);
export const loadDevStackConfig = (env: Env = process.env): DevStackConfig =>
  parseEnv('dev-stack', devStackSchema, env);

/** Test and tooling access to the environment without reading process.env elsewhere. */
export const readEnv = (name: string, env: Env = process.env): string | undefined => env[name] || undefined;
