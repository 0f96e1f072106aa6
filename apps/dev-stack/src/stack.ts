import { createServer } from 'node:net';
import { DEFAULT_METRICS_PORTS, DEFAULT_PORTS } from '@mysaas/config';
import { ensureLoginRole, grantRoutingAccess, hardenPoolDatabase, migratePlatform } from '@mysaas/db';
import { Client, Pool } from 'pg';
import { startAppProcess, type AppProcess } from './app-process';
import { ControlPlaneClient } from './control-plane-client';
import { loadOrCreateSecrets, type StackSecrets } from './data-dir';
import { ensureDatabase, JOBS_DATABASE, openDatabases, withDatabase, withLogin, type DatabaseSource, type StackDatabases } from './databases';
import { forEachPool, STACK_POOLS, type PoolName, type StackPool } from './pools';

export const DEMO_PASSWORD = 'demo-password-1';
export const DEMO_TENANTS = [
  { slug: 'acme', name: 'Acme Corp', pool: 'v1' },
  { slug: 'globex', name: 'Globex Corporation', pool: 'v1' },
  { slug: 'initech', name: 'Initech', pool: 'v2' },
] as const satisfies ReadonlyArray<{ slug: string; name: string; pool: PoolName }>;

const POOL_NAMES = STACK_POOLS.map((pool) => pool.name).join(' and ');
const GATEWAY_ROLE = 'mysaas_gateway';
/** Reads routing to find each job's tenant's pool; reaches pools with their app logins. */
const WORKER_ROLE = 'mysaas_worker';
/** Owns the job service's database (its store, and BullMQ's tables when it runs on Postgres) on the control server. */
const JOBS_ROLE = 'mysaas_jobs';

export interface StackOptions {
  dataDir: string;
  /** Gateway port; 0 picks a free one. */
  gatewayPort: number;
  baseDomain: string;
  databases: DatabaseSource;
  /** Passed on to the gateway (failed sign-ins are then counted in Redis) and the job service (its queue). */
  redisUrl?: string | undefined;
  /** Called as each step starts, for progress output. */
  onStep?: (step: string) => void;
  /** Lines the apps write (JSON log lines; anything they print on stderr), with the app's name. */
  onAppLog?: (app: string, line: string) => void;
  /** The apps' log level (default info: one line per request). */
  logLevel?: string | undefined;
}

export interface DemoTenant {
  slug: string;
  name: string;
  /** The pool it is on (as the control plane has it: a tenant made before keeps its pool). */
  pool: string;
  url: string;
  email: string;
  password: string;
}

export interface RunningStack {
  gatewayPort: number;
  controlPlaneUrl: string;
  appServerUrls: Record<PoolName, string>;
  /** Pool v1's app server (the one the benchmarks drive). */
  appServerUrl: string;
  /** Where Prometheus scrapes each app. */
  metricsUrls: { gateway: string; controlPlane: string; appServers: Record<PoolName, string>; worker: string };
  /** Where the job queue lives: BullMQ on Redis, or on Postgres (the embedded default). */
  jobQueue: string;
  adminToken: string;
  tenants: DemoTenant[];
  /** `pool` is pool v1's (what the benchmarks report). */
  databases: StackDatabases['description'] & { pool: string };
  /** The least-privilege logins, for tools that start more apps against this stack; `poolAppUrl` is pool v1's. */
  logins: { routingUrl: string; poolAppUrls: Record<PoolName, string>; poolAppUrl: string; jobsUrl: string; workerRoutingUrl: string };
  /** The control server's admin login, for tools that need a database of their own there (benchmarks). */
  controlAdminUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The whole platform on one machine: Postgres (embedded unless told otherwise), the control
 * plane, pools v1 (release 1) and v2 (release 2) with an app server each, the job worker, the
 * gateway, and the demo tenants on both pools. Each app runs as its
 * own process from its own build, configured through its environment, as it would be
 * deployed (the launcher imports none of them). Everything it makes is reused by the next
 * start; the data folder is the only state.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const step = options.onStep ?? (() => undefined);
  const secrets = await loadOrCreateSecrets(options.dataDir);
  const started: AppProcess[] = [];
  step('Postgres servers');
  const databases = await openDatabases(options.databases, options.dataDir, secrets);
  try {
    step('roles and platform schema');
    const { routingUrl, poolAppUrls, jobsUrl, workerRoutingUrl } = await prepareDatabases(databases, secrets);
    // The queue: Redis when the stack has one, else BullMQ's PostgreSQL backend beside the store.
    const jobsEnv = { JOBS_DATABASE_URL: jobsUrl, JOBS_QUEUE_URL: options.redisUrl ?? jobsUrl };

    const onLog = options.onAppLog ?? (() => undefined);
    const secretsEnv = { TENANT_CONTEXT_SECRET: secrets.tenantContextSecret, SESSION_SECRET: secrets.sessionSecret };
    const observing = async (port: PickPort, metricsPort: number) => ({ LOG_LEVEL: options.logLevel, METRICS_PORT: String(await port(metricsPort)) });

    // First, so the control plane can read its metrics: rollouts judge tenants' health there.
    step('gateway');
    const gateway = await onPreferredPorts(async (port) =>
      startAppProcess({
        name: 'gateway',
        app: 'gateway',
        env: {
          PORT: String(options.gatewayPort),
          BASE_DOMAIN: options.baseDomain,
          ROUTING_DATABASE_URL: routingUrl,
          REDIS_URL: options.redisUrl,
          ...secretsEnv,
          ...(await observing(port, DEFAULT_METRICS_PORTS.gateway)),
        },
        onLog,
      }),
    );
    started.push(gateway);
    step('control plane');
    const controlPlane = await onPreferredPorts(async (port) =>
      startAppProcess({
        name: 'control-plane',
        app: 'control-plane',
        env: {
          CONTROL_PLANE_PORT: String(await port(DEFAULT_PORTS.controlPlane)),
          CONTROL_DATABASE_URL: databases.controlAdminUrl,
          PLATFORM_ADMIN_TOKEN: secrets.adminToken,
          ROLLOUT_METRICS_URLS: gateway.listening.metricsUrl,
          ...jobsEnv,
          ...(await observing(port, DEFAULT_METRICS_PORTS.controlPlane)),
        },
        onLog,
      }),
    );
    started.push(controlPlane);
    const controlPlaneUrl = controlPlane.listening.url;

    step(`app servers of pools ${POOL_NAMES}`);
    const appServers = await startPerPool(started, (pool) =>
      onPreferredPorts(async (port) =>
        startAppProcess({
          name: `app-server ${pool.name}`,
          app: 'app-server',
          env: {
            APP_SERVER_PORT: String(await port(pool.port)),
            POOL_NAME: pool.name,
            RELEASE: String(pool.release),
            POOL_DATABASE_URL: poolAppUrls[pool.name],
            JOBS_DATABASE_URL: jobsUrl,
            ...secretsEnv,
            ...(await observing(port, pool.metricsPort)),
          },
          onLog,
        }),
      ),
    );
    const appServerUrls = await forEachPool((pool) => appServers[pool.name].listening.url);

    step('job worker');
    const worker = await onPreferredPorts(async (port) =>
      startAppProcess({
        name: 'worker',
        app: 'worker',
        env: {
          ...jobsEnv,
          ROUTING_DATABASE_URL: workerRoutingUrl,
          POOL_DATABASE_URLS: JSON.stringify(poolAppUrls),
          ...(await observing(port, DEFAULT_METRICS_PORTS.worker)),
        },
        onLog,
      }),
    );
    started.push(worker);

    const api = new ControlPlaneClient(controlPlaneUrl, secrets.adminToken);
    step(`pools ${POOL_NAMES} and demo tenants`);
    for (const pool of STACK_POOLS) await registerPool(api, pool, databases.poolAdminUrls[pool.name], appServerUrls[pool.name]);
    // New tenants go to the newest release unless an operator chose another default.
    const { pools } = (await api.get<{ pools: Array<{ name: string; isDefault?: boolean }> }>('/platform/pools'))!;
    if (!pools.some((p) => p.isDefault === true)) await api.patch(`/platform/pools/${STACK_POOLS[STACK_POOLS.length - 1]!.name}`, { isDefault: true });
    // One at a time: each creation grants a role to its pool's app login, and concurrent grants
    // involving one role can fail in Postgres ("tuple concurrently updated").
    const seeded: Array<{ slug: string; name: string; pool: string }> = [];
    for (const tenant of DEMO_TENANTS) seeded.push({ ...tenant, pool: await ensureTenant(api, tenant) });

    const gatewayPort = Number(new URL(gateway.listening.url).port);

    return {
      gatewayPort,
      controlPlaneUrl,
      appServerUrls,
      appServerUrl: appServerUrls.v1,
      metricsUrls: {
        gateway: gateway.listening.metricsUrl,
        controlPlane: controlPlane.listening.metricsUrl,
        appServers: await forEachPool((pool) => appServers[pool.name].listening.metricsUrl),
        worker: worker.listening.metricsUrl,
      },
      jobQueue: options.redisUrl === undefined ? 'BullMQ on Postgres (database mysaas_jobs on the control server)' : 'BullMQ on Redis',
      adminToken: secrets.adminToken,
      tenants: seeded.map((t) => ({
        ...t,
        url: `http://${t.slug}.${options.baseDomain}:${gatewayPort}`,
        email: `demo@${t.slug}.test`,
        password: DEMO_PASSWORD,
      })),
      databases: { ...databases.description, pool: databases.description.pools.v1 },
      logins: { routingUrl, poolAppUrls, poolAppUrl: poolAppUrls.v1, jobsUrl, workerRoutingUrl },
      controlAdminUrl: databases.controlAdminUrl,
      dataDir: options.dataDir,
      stop: () => stopAll(started, databases),
    };
  } catch (error) {
    await stopAll(started, databases).catch(() => undefined);
    throw error;
  }
}

/**
 * Starts one app per pool side by side, and adds each that started to `started` (so that
 * stopping the stack stops it too); then fails with the first that did not start.
 */
async function startPerPool(started: AppProcess[], start: (pool: StackPool) => Promise<AppProcess>): Promise<Record<PoolName, AppProcess>> {
  const settled = await Promise.allSettled(STACK_POOLS.map(start));
  const apps = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  started.push(...apps);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return Object.fromEntries(STACK_POOLS.map((pool, i) => [pool.name, apps[i]])) as Record<PoolName, AppProcess>;
}

/** Newest first: the gateway stops taking requests before what it forwards to goes away. */
async function stopAll(started: AppProcess[], databases: StackDatabases): Promise<void> {
  for (const app of [...started].reverse()) await app.stop().catch(() => undefined);
  await databases.stop();
}

/**
 * The least-privilege logins the apps use: the gateway and the worker may only read routing,
 * the pool's app servers (and the worker, on the pool) may only switch to tenant roles, the
 * job service owns its own schemas and nothing else. Passwords come from the data folder's
 * secrets.
 */
async function prepareDatabases(databases: StackDatabases, secrets: StackSecrets) {
  const control = new Pool({ connectionString: databases.controlAdminUrl, max: 1 });
  try {
    await migratePlatform(control);
    await ensureLoginRole(control, GATEWAY_ROLE, secrets.gatewayDbPassword);
    await grantRoutingAccess(control, GATEWAY_ROLE);
    await ensureLoginRole(control, WORKER_ROLE, secrets.workerDbPassword);
    await grantRoutingAccess(control, WORKER_ROLE);
    await ensureLoginRole(control, JOBS_ROLE, secrets.jobsDbPassword);
    // An embedded server gets a new port at each start: the pools registered by an earlier
    // start are pointed at this start's servers, before the control plane provisions on them.
    for (const pool of STACK_POOLS) {
      await control.query('UPDATE platform.pools SET database_url = $2, updated_at = now() WHERE name = $1 AND database_url <> $2', [pool.name, databases.poolAdminUrls[pool.name]]);
    }
  } finally {
    await control.end();
  }
  await ensureDatabase(databases.controlAdminUrl, JOBS_DATABASE, JOBS_ROLE);
  const poolAppUrls = await forEachPool(async (pool) => {
    const adminUrl = databases.poolAdminUrls[pool.name];
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await ensureLoginRole(client, pool.appRole, secrets[pool.appPasswordSecret]);
      await hardenPoolDatabase(client);
    } finally {
      await client.end();
    }
    return withLogin(adminUrl, pool.appRole, secrets[pool.appPasswordSecret]);
  });
  return {
    routingUrl: withLogin(databases.controlAdminUrl, GATEWAY_ROLE, secrets.gatewayDbPassword),
    poolAppUrls,
    workerRoutingUrl: withLogin(databases.controlAdminUrl, WORKER_ROLE, secrets.workerDbPassword),
    jobsUrl: withLogin(withDatabase(databases.controlAdminUrl, JOBS_DATABASE), JOBS_ROLE, secrets.jobsDbPassword),
  };
}

async function registerPool(api: ControlPlaneClient, pool: StackPool, poolAdminUrl: string, appServerUrl: string): Promise<void> {
  const existing = await api.get(`/platform/pools/${pool.name}`);
  if (existing) {
    await api.patch(`/platform/pools/${pool.name}`, { upstreams: [appServerUrl], status: 'active' });
  } else {
    await api.post('/platform/pools', {
      name: pool.name,
      release: pool.release,
      databaseUrl: poolAdminUrl,
      appRole: pool.appRole,
      upstreams: [appServerUrl],
    });
  }
}

/** Creates the demo tenant unless it exists; answers the pool it is on. */
async function ensureTenant(api: ControlPlaneClient, tenant: (typeof DEMO_TENANTS)[number]): Promise<string> {
  const existing = await api.get<{ pool: string }>(`/platform/tenants/${tenant.slug}`);
  if (existing) return existing.pool;
  await api.post('/platform/tenants', {
    slug: tenant.slug,
    name: tenant.name,
    adminEmail: `demo@${tenant.slug}.test`,
    adminPassword: DEMO_PASSWORD,
    pool: tenant.pool,
  });
  return tenant.pool;
}

/** What an internal port will be: the conventional one, or 0 (any free one). */
type PickPort = (conventional: number) => Promise<number>;

/**
 * Starts an app on its conventional ports where they are free. The probe and the app's own
 * bind are apart, and a stack starting at the same moment (tests run two) can take a port in
 * between: the app then starts again, on free ports.
 */
async function onPreferredPorts(start: (port: PickPort) => Promise<AppProcess>): Promise<AppProcess> {
  try {
    return await start(preferredPort);
  } catch (error) {
    if (!(error instanceof Error && error.message.includes('EADDRINUSE'))) throw error;
    return start(async () => 0);
  }
}

/** The conventional port when it is free, else any free one (internal services only). */
function preferredPort(port: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}
