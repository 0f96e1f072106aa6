import { createServer } from 'node:net';
import { DEFAULT_METRICS_PORTS, DEFAULT_PORTS } from '@mysaas/config';
import { ensureLoginRole, grantRoutingAccess, hardenPoolDatabase, migratePlatform } from '@mysaas/db';
import { Client, Pool } from 'pg';
import { startAppProcess, type AppProcess } from './app-process';
import { ControlPlaneClient } from './control-plane-client';
import { loadOrCreateSecrets, type StackSecrets } from './data-dir';
import { ensureDatabase, JOBS_DATABASE, openDatabases, withDatabase, withLogin, type DatabaseSource, type StackDatabases } from './databases';

export const DEMO_PASSWORD = 'demo-password-1';
export const DEMO_TENANTS = [
  { slug: 'acme', name: 'Acme Corp' },
  { slug: 'globex', name: 'Globex Corporation' },
] as const;

const POOL = { name: 'v1', release: 1 };
const GATEWAY_ROLE = 'mysaas_gateway';
const APP_ROLE = 'mysaas_app_v1';
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
  url: string;
  email: string;
  password: string;
}

export interface RunningStack {
  gatewayPort: number;
  controlPlaneUrl: string;
  appServerUrl: string;
  /** Where Prometheus scrapes each app. */
  metricsUrls: { gateway: string; controlPlane: string; appServer: string; worker: string };
  /** Where the job queue lives: BullMQ on Redis, or on Postgres (the embedded default). */
  jobQueue: string;
  adminToken: string;
  tenants: DemoTenant[];
  databases: StackDatabases['description'];
  /** The least-privilege logins, for tools that start more apps against this stack. */
  logins: { routingUrl: string; poolAppUrl: string; jobsUrl: string; workerRoutingUrl: string };
  /** The control server's admin login, for tools that need a database of their own there (benchmarks). */
  controlAdminUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The whole platform on one machine: Postgres (embedded unless told otherwise), the control
 * plane, pool v1 with its app server, the job worker, the gateway, and the demo tenants. Each app runs as its
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
    const { routingUrl, poolAppUrl, jobsUrl, workerRoutingUrl } = await prepareDatabases(databases, secrets);
    // The queue: Redis when the stack has one, else BullMQ's PostgreSQL backend beside the store.
    const jobsEnv = { JOBS_DATABASE_URL: jobsUrl, JOBS_QUEUE_URL: options.redisUrl ?? jobsUrl };

    const onLog = options.onAppLog ?? (() => undefined);
    const secretsEnv = { TENANT_CONTEXT_SECRET: secrets.tenantContextSecret, SESSION_SECRET: secrets.sessionSecret };
    const observing = async (metricsPort: number) => ({ LOG_LEVEL: options.logLevel, METRICS_PORT: String(await preferredPort(metricsPort)) });

    step('control plane');
    const controlPlane = await startAppProcess({
      name: 'control-plane',
      app: 'control-plane',
      env: {
        CONTROL_PLANE_PORT: String(await preferredPort(DEFAULT_PORTS.controlPlane)),
        CONTROL_DATABASE_URL: databases.controlAdminUrl,
        PLATFORM_ADMIN_TOKEN: secrets.adminToken,
        ...jobsEnv,
        ...(await observing(DEFAULT_METRICS_PORTS.controlPlane)),
      },
      onLog,
    });
    started.push(controlPlane);
    const controlPlaneUrl = controlPlane.listening.url;

    step(`app server of pool ${POOL.name}`);
    const appServer = await startAppProcess({
      name: `app-server ${POOL.name}`,
      app: 'app-server',
      env: {
        APP_SERVER_PORT: String(await preferredPort(DEFAULT_PORTS.appServer)),
        POOL_NAME: POOL.name,
        RELEASE: String(POOL.release),
        POOL_DATABASE_URL: poolAppUrl,
        JOBS_DATABASE_URL: jobsUrl,
        ...secretsEnv,
        ...(await observing(DEFAULT_METRICS_PORTS.appServer)),
      },
      onLog,
    });
    started.push(appServer);
    const appServerUrl = appServer.listening.url;

    step('job worker');
    const worker = await startAppProcess({
      name: 'worker',
      app: 'worker',
      env: {
        ...jobsEnv,
        ROUTING_DATABASE_URL: workerRoutingUrl,
        POOL_DATABASE_URLS: JSON.stringify({ [POOL.name]: poolAppUrl }),
        ...(await observing(DEFAULT_METRICS_PORTS.worker)),
      },
      onLog,
    });
    started.push(worker);

    const api = new ControlPlaneClient(controlPlaneUrl, secrets.adminToken);
    step(`pool ${POOL.name} and demo tenants`);
    await registerPool(api, databases.poolAdminUrl, appServerUrl);
    for (const tenant of DEMO_TENANTS) await ensureTenant(api, tenant);

    step('gateway');
    const gateway = await startAppProcess({
      name: 'gateway',
      app: 'gateway',
      env: {
        PORT: String(options.gatewayPort),
        BASE_DOMAIN: options.baseDomain,
        ROUTING_DATABASE_URL: routingUrl,
        REDIS_URL: options.redisUrl,
        ...secretsEnv,
        ...(await observing(DEFAULT_METRICS_PORTS.gateway)),
      },
      onLog,
    });
    started.push(gateway);
    const gatewayPort = Number(new URL(gateway.listening.url).port);

    return {
      gatewayPort,
      controlPlaneUrl,
      appServerUrl,
      metricsUrls: {
        gateway: gateway.listening.metricsUrl,
        controlPlane: controlPlane.listening.metricsUrl,
        appServer: appServer.listening.metricsUrl,
        worker: worker.listening.metricsUrl,
      },
      jobQueue: options.redisUrl === undefined ? 'BullMQ on Postgres (database mysaas_jobs on the control server)' : 'BullMQ on Redis',
      adminToken: secrets.adminToken,
      tenants: DEMO_TENANTS.map((t) => ({
        ...t,
        url: `http://${t.slug}.${options.baseDomain}:${gatewayPort}`,
        email: `demo@${t.slug}.test`,
        password: DEMO_PASSWORD,
      })),
      databases: databases.description,
      logins: { routingUrl, poolAppUrl, jobsUrl, workerRoutingUrl },
      controlAdminUrl: databases.controlAdminUrl,
      dataDir: options.dataDir,
      stop: () => stopAll(started, databases),
    };
  } catch (error) {
    await stopAll(started, databases).catch(() => undefined);
    throw error;
  }
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
  } finally {
    await control.end();
  }
  await ensureDatabase(databases.controlAdminUrl, JOBS_DATABASE, JOBS_ROLE);
  const pool = new Client({ connectionString: databases.poolAdminUrl });
  await pool.connect();
  try {
    await ensureLoginRole(pool, APP_ROLE, secrets.appDbPassword);
    await hardenPoolDatabase(pool);
  } finally {
    await pool.end();
  }
  return {
    routingUrl: withLogin(databases.controlAdminUrl, GATEWAY_ROLE, secrets.gatewayDbPassword),
    poolAppUrl: withLogin(databases.poolAdminUrl, APP_ROLE, secrets.appDbPassword),
    workerRoutingUrl: withLogin(databases.controlAdminUrl, WORKER_ROLE, secrets.workerDbPassword),
    jobsUrl: withLogin(withDatabase(databases.controlAdminUrl, JOBS_DATABASE), JOBS_ROLE, secrets.jobsDbPassword),
  };
}

async function registerPool(api: ControlPlaneClient, poolAdminUrl: string, appServerUrl: string): Promise<void> {
  const existing = await api.get(`/platform/pools/${POOL.name}`);
  if (existing) {
    await api.patch(`/platform/pools/${POOL.name}`, { upstreams: [appServerUrl], status: 'active' });
  } else {
    await api.post('/platform/pools', { ...POOL, databaseUrl: poolAdminUrl, appRole: APP_ROLE, upstreams: [appServerUrl] });
  }
}

async function ensureTenant(api: ControlPlaneClient, tenant: { slug: string; name: string }): Promise<void> {
  if (await api.get(`/platform/tenants/${tenant.slug}`)) return;
  await api.post('/platform/tenants', {
    slug: tenant.slug,
    name: tenant.name,
    adminEmail: `demo@${tenant.slug}.test`,
    adminPassword: DEMO_PASSWORD,
    pool: POOL.name,
  });
}

/** The conventional port when it is free, else any free one (internal services only). */
function preferredPort(port: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}
