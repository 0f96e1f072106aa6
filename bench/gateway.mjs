// Benchmark "gateway": what the gateway hop costs. In one run, on one freshly started
// platform, it measures side by side:
//   login     POST /auth/login {email, password}   through the gateway | straight to the app server
//   /api/me   GET /api/me with a valid session      through the gateway | straight to the app server
// Straight to the app server, each request carries a tenant context signed here, per request,
// exactly as the gateway would sign it (and, for /api/me, the session the cookie names).
//
// The gateway and the app server measured are separate Node processes, as deployed (started
// here from apps/*/dist/main.js, pool v1 pointed at that app server). startStack provides the
// databases, the control plane, the pool and the demo tenant; its in-process gateway and app
// server stay idle.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';
import { fetchOnce, runLoad } from './lib/load.mjs';
import { databaseSourceFromEnv, Interrupted, REPO_ROOT, requireBuilt, withStack } from './lib/platform.mjs';
import { cpuTimeSupported, startProcess } from './lib/processes.mjs';

export const summary = 'login and GET /api/me requests/s, p50/p99: through the gateway vs straight to the app server';

const DEFAULTS = { duration: 5, loginConcurrency: 4, meConcurrency: 8, warmupMs: 1_000, timeoutMs: 10_000 };

export const help = `  --duration <seconds>   measured time per measurement (default ${DEFAULTS.duration}), after a
                         ${DEFAULTS.warmupMs / 1000} s warm-up; 4 measurements in all
  --concurrency <n>      concurrent keep-alive connections for every measurement
                         (default ${DEFAULTS.meConcurrency} for /api/me, ${DEFAULTS.loginConcurrency} for login)
  --json                 print one JSON object on stdout instead of the markdown table
  -h, --help             show this help
  Database: embedded Postgres, or the server in DATABASE_URL when it is set (the stack then
  creates databases mysaas_control and mysaas_pool_v1 there).
  The gateway and the app server measured run as two separate Node processes
  (apps/*/dist/main.js), pool v1 pointed at that app server; on Linux the CPU time each
  process used per request is reported too.
`;

const TENANT = { slug: 'acme', email: 'demo@acme.test', password: 'demo-password-1' };
const POOL = { name: 'v1', release: 1 };
const BASE_DOMAIN = 'localhost';
const APP_SERVER_SCRIPT = 'apps/app-server/dist/main.js';
const GATEWAY_SCRIPT = 'apps/gateway/dist/main.js';

function parseOptions(args) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const duration = values.duration === undefined ? DEFAULTS.duration : Number(values.duration);
  if (!Number.isFinite(duration) || duration <= 0 || duration > 300) {
    throw new UsageError(`--duration: "${values.duration}" is not a number of seconds in (0, 300]`);
  }
  let concurrency;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
      throw new UsageError(`--concurrency: "${values.concurrency}" is not a whole number from 1 to 256`);
    }
  }
  return {
    help: values.help,
    json: values.json,
    durationMs: Math.round(duration * 1000),
    loginConcurrency: concurrency ?? DEFAULTS.loginConcurrency,
    meConcurrency: concurrency ?? DEFAULTS.meConcurrency,
  };
}

class UsageError extends Error {}

const log = (message) => process.stderr.write(`${message}\n`);

export async function main(args) {
  let options;
  try {
    options = parseOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError) && error?.code?.startsWith?.('ERR_PARSE_ARGS') !== true) throw error;
    process.stderr.write(`gateway: ${error.message}\n\nOptions of "gateway":\n${help}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`Usage: npm run bench -- gateway [options]\n\n${summary}\n\nOptions:\n${help}`);
    return 0;
  }

  // Fail here, not after the platform started, if something is not built.
  requireBuilt('@mysaas/auth');
  requireBuilt('@mysaas/tenancy'); // the load worker signs with it
  requireBuilt('@mysaas/embedded-db');
  for (const script of [APP_SERVER_SCRIPT, GATEWAY_SCRIPT]) {
    if (!existsSync(join(REPO_ROOT, script))) {
      throw new Error(`${script} is missing: run \`npm run build\`, or use \`npm run bench\`, which builds first`);
    }
  }
  const databases = databaseSourceFromEnv();
  const startedAt = new Date();
  const loadAtStart = loadavg().map((n) => round(n, 2));
  const busyNote = busy({ cpuCount: cpus().length, loadAverage: { atStart: loadAtStart } }).replace(/\*\*/g, '');
  if (busyNote) log(busyNote.trim());
  log(databases.kind === 'embedded'
    ? 'Database: embedded Postgres (two servers, started for this run)'
    : `Database: the Postgres server in DATABASE_URL (${redact(databases.url)}); databases mysaas_control and mysaas_pool_v1 are created there if missing`);

  try {
    const report = await withStack({ databases, log }, async ({ stack, secrets, signal }) => {
      // The two processes compared; stopped (gateway first) before the stack, whatever happens.
      const processes = {};
      try {
        await startProcesses({ stack, secrets, signal, processes });
        return await measure({ stack, secrets, signal, options, databases, startedAt, loadAtStart, processes });
      } finally {
        for (const name of ['gateway', 'appServer']) {
          if (processes[name]) {
            log(`Stopping the ${processes[name].name} process (pid ${processes[name].pid})…`);
            await processes[name].stop();
          }
        }
      }
    });

    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(markdown(report));
    const failed = report.results.filter((r) => r.errors.total > 0);
    if (failed.length > 0) {
      log(`\n⚠ WARNING: ${failed.length} measurement(s) had non-2xx responses or failed requests: ` +
        `${failed.map((r) => `${r.label} → ${r.target}: ${errorSummary(r.errors)}`).join('; ')}. Their figures are not trustworthy.`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof Interrupted) {
      log(`Interrupted (${error.signal}); no results.`);
      return error.exitCode;
    }
    throw error;
  }
}

/**
 * Starts the app server and the gateway as child processes (in parallel), fills `processes`
 * with the ones that started (so the caller can stop them), and points pool v1 at the new app
 * server. The control plane's change also tells gateways to drop what they cached for the pool.
 */
async function startProcesses({ stack, secrets, signal, processes }) {
  const secretsEnv = { TENANT_CONTEXT_SECRET: secrets.tenantContextSecret, SESSION_SECRET: secrets.sessionSecret };
  const began = Date.now();
  log(`Starting the app-server and gateway processes (node ${APP_SERVER_SCRIPT}, node ${GATEWAY_SCRIPT})…`);
  const started = await Promise.allSettled([
    startProcess({
      name: 'app-server',
      script: APP_SERVER_SCRIPT,
      // Port 0: the kernel picks a free port as it binds; the ready line names it.
      env: {
        POOL_NAME: POOL.name, RELEASE: String(POOL.release), POOL_DATABASE_URL: stack.logins.poolAppUrl,
        APP_SERVER_HOST: '127.0.0.1', APP_SERVER_PORT: '0', ...secretsEnv,
      },
      ready: /^app server: .* listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/,
      log,
      signal,
    }).then((p) => (processes.appServer = p)),
    startProcess({
      name: 'gateway',
      script: GATEWAY_SCRIPT,
      env: {
        PORT: '0', GATEWAY_HOST: '127.0.0.1', BASE_DOMAIN, ROUTING_DATABASE_URL: stack.logins.routingUrl, ...secretsEnv,
      },
      ready: /^gateway: listening on port (\d+);/,
      log,
      signal,
    }).then((p) => (processes.gateway = p)),
  ]);
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  const { appServer, gateway } = processes;
  appServer.url = appServer.match[1];
  gateway.port = Number(gateway.match[1]);
  gateway.url = `http://127.0.0.1:${gateway.port}`;
  log(`  ✓ app-server process: pid ${appServer.pid}, ${appServer.url}; gateway process: pid ${gateway.pid}, ${gateway.url} ` +
    `(${((Date.now() - began) / 1000).toFixed(1)} s)`);

  const pool = await fetchOnce(`${stack.controlPlaneUrl}/platform/pools/${POOL.name}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${secrets.adminToken}` },
    body: { upstreams: [appServer.url] },
  });
  if (pool.status !== 200) throw new Error(`PATCH /platform/pools/${POOL.name}: ${pool.status} ${pool.text}`);
  const upstreams = JSON.parse(pool.text).upstreams;
  if (JSON.stringify(upstreams) !== JSON.stringify([appServer.url])) {
    throw new Error(`pool ${POOL.name} should now have the upstream ${appServer.url} only, but has ${JSON.stringify(upstreams)}`);
  }
  log(`  ✓ pool ${POOL.name} now points at ${appServer.url} (was ${stack.appServerUrl}, the stack's idle in-process app server)`);
}

async function measure({ stack, secrets, signal, options, databases, startedAt, loadAtStart, processes }) {
  const { SESSION_COOKIE, SessionTokenCodec } = requireBuilt('@mysaas/auth');
  const { appServer, gateway } = processes;
  const gatewayOrigin = gateway.url;
  const appOrigin = appServer.url;
  const tenantHost = `${TENANT.slug}.${BASE_DOMAIN}:${gateway.port}`;
  const cpuMeasured = cpuTimeSupported();
  if (!cpuMeasured) log('CPU time per process is not measured: it is read from /proc/<pid>/stat, which only Linux has.');
  const pids = cpuMeasured ? { gateway: gateway.pid, appServer: appServer.pid } : {};
  const assertRunning = () => {
    gateway.assertRunning();
    appServer.assertRunning();
  };

  // The tenant as the control plane knows it: what the gateway puts in the context.
  const tenantRes = await fetchOnce(`${stack.controlPlaneUrl}/platform/tenants/${TENANT.slug}`, {
    headers: { authorization: `Bearer ${secrets.adminToken}` },
  });
  if (tenantRes.status !== 200) throw new Error(`GET /platform/tenants/${TENANT.slug}: ${tenantRes.status} ${tenantRes.text}`);
  const tenantRecord = JSON.parse(tenantRes.text);
  const tenantClaims = { tenant: { id: tenantRecord.id, slug: tenantRecord.slug, name: tenantRecord.name }, pool: tenantRecord.pool };

  // One session, opened through the gateway process, for the /api/me measurements.
  const loginBody = JSON.stringify({ email: TENANT.email, password: TENANT.password });
  const login = await fetchOnce(`${gatewayOrigin}/auth/login`, { method: 'POST', headers: { host: tenantHost }, body: loginBody });
  if (login.status !== 200) throw new Error(`signing in as ${TENANT.email} through the gateway: ${login.status} ${login.text}`);
  const cookieValue = sessionCookieValue(login.headers['set-cookie'], SESSION_COOKIE);
  const session = new SessionTokenCodec(secrets.sessionSecret).verify(cookieValue);
  if (!session.ok) throw new Error(`the session cookie does not verify: ${session.failure}`);
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(cookieValue)}`;
  const sessionClaims = { session: { id: session.claims.sid, userId: session.claims.uid } };

  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const measurements = [
    {
      name: 'login', label: 'login (POST /auth/login)', target: 'gateway', concurrency: options.loginConcurrency,
      request: { origin: gatewayOrigin, method: 'POST', path: '/auth/login', headers: { ...json, host: tenantHost }, body: loginBody },
    },
    {
      name: 'login', label: 'login (POST /auth/login)', target: 'direct', concurrency: options.loginConcurrency,
      request: { origin: appOrigin, method: 'POST', path: '/auth/login', headers: json, body: loginBody, context: { secret: secrets.tenantContextSecret, claims: tenantClaims } },
    },
    {
      name: 'me', label: 'GET /api/me', target: 'gateway', concurrency: options.meConcurrency,
      request: { origin: gatewayOrigin, method: 'GET', path: '/api/me', headers: { accept: 'application/json', host: tenantHost, cookie } },
    },
    {
      // The cookie is sent here too: the gateway forwards it, so the app server gets the same bytes.
      name: 'me', label: 'GET /api/me', target: 'direct', concurrency: options.meConcurrency,
      request: { origin: appOrigin, method: 'GET', path: '/api/me', headers: { accept: 'application/json', cookie }, context: { secret: secrets.tenantContextSecret, claims: { ...tenantClaims, ...sessionClaims } } },
    },
  ];

  // Each request shape once, unmeasured: a wrong header must fail here, not as 5 s of errors.
  for (const m of measurements) await preflight(m, secrets);

  const results = [];
  for (const [index, m] of measurements.entries()) {
    assertRunning();
    log(`[${index + 1}/${measurements.length}] ${m.label} → ${m.target} (${m.request.origin}): ` +
      `${DEFAULTS.warmupMs / 1000} s warm-up, then ${options.durationMs / 1000} s measured, concurrency ${m.concurrency}…`);
    const r = await runLoad(
      { ...m.request, concurrency: m.concurrency, warmupMs: DEFAULTS.warmupMs, durationMs: options.durationMs, timeoutMs: DEFAULTS.timeoutMs },
      signal,
      pids,
    );
    // A process that died mid-measurement makes its figures meaningless: fail, do not report them.
    assertRunning();
    const cpu = (ms) => ms == null ? null : {
      ms: round(ms, 1),
      msPerRequest: r.successes === 0 ? null : round(ms / r.successes, 3),
      coreShare: round(ms / r.elapsedMs, 3), // 1 = one CPU core busy for the whole measurement
    };
    const result = {
      measurement: m.name, label: m.label, target: m.target, url: `${m.request.origin}${m.request.path}`, concurrency: m.concurrency,
      requests: r.requests, successes: r.successes, elapsedMs: round(r.elapsedMs, 1),
      rps: round(r.successes / (r.elapsedMs / 1000), 2),
      latencyMs: { p50: round(r.latencyMs.p50, 3), p99: round(r.latencyMs.p99, 3), mean: round(r.latencyMs.mean, 3), max: round(r.latencyMs.max, 3) },
      errors: r.errors,
      cpu: { gatewayProcess: cpu(r.cpuMs.gateway), appServerProcess: cpu(r.cpuMs.appServer), benchProcess: cpu(r.processCpuMs) },
      machineCpuBusyShare: round(r.machineBusyShare, 3), // of all CPUs, every process on the machine
    };
    results.push(result);
    log(`      ${fmt(result.rps)} rps, p50 ${fmtMs(result.latencyMs.p50)} ms, p99 ${fmtMs(result.latencyMs.p99)} ms, ` +
      `${result.successes} ok / ${result.requests} requests` +
      (result.errors.total > 0 ? `  ⚠ ${result.errors.total} ERRORS: ${errorSummary(result.errors)}; first: ${result.errors.sample}` : ''));
    if (cpuMeasured) {
      const { gatewayProcess: g, appServerProcess: a, benchProcess: b } = result.cpu;
      log(`      CPU per request: gateway process ${cpuText(g)}, app-server process ${cpuText(a)}, benchmark process ${cpuText(b)}; ` +
        `the machine's ${machineInfo().cpuCount} CPUs were ${pct(result.machineCpuBusyShare)} busy`);
    }
  }

  return {
    benchmark: 'gateway',
    date: startedAt.toISOString(),
    machine: { ...machineInfo(), loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((n) => round(n, 2)) } },
    database: { mode: databases.kind, ...stack.databases },
    processes: {
      gateway: { command: `node ${GATEWAY_SCRIPT}`, pid: gateway.pid, url: gateway.url },
      appServer: { command: `node ${APP_SERVER_SCRIPT}`, pid: appServer.pid, url: appServer.url },
      idleInProcess: { gateway: `http://127.0.0.1:${stack.gatewayPort}`, appServer: stack.appServerUrl },
    },
    settings: {
      durationSeconds: options.durationMs / 1000, warmupSeconds: DEFAULTS.warmupMs / 1000,
      concurrency: { login: options.loginConcurrency, me: options.meConcurrency },
      keepAlive: true,
      loadGenerator: 'node:http in a worker thread of the benchmark process (which also hosts the idle in-process stack)',
      cpuPerProcess: cpuMeasured ? 'utime + stime from /proc/<pid>/stat (all threads), over the measured phase' : 'not measured (not Linux)',
      tenant: TENANT.slug,
    },
    results,
    ratios: ['login', 'me'].map((name) => ratio(name, results)),
  };
}

const pct = (share) => (share == null ? 'n/a' : `${Math.round(share * 100)}%`);
const cpuText = (c) => (c == null ? 'n/a' : `${fmtMs(c.msPerRequest)} ms (${Math.round(c.coreShare * 100)}% of a core)`);

/** One unmeasured request of the shape of `m`, which must answer 2xx. */
async function preflight(m, secrets) {
  const { TENANT_CONTEXT_HEADER, TenantContextSigner } = requireBuilt('@mysaas/tenancy');
  const headers = { ...m.request.headers };
  if (m.request.context) {
    headers[TENANT_CONTEXT_HEADER] = new TenantContextSigner(secrets.tenantContextSecret).sign({ ...m.request.context.claims, requestId: `bench-${randomUUID()}` });
  }
  const res = await fetchOnce(`${m.request.origin}${m.request.path}`, { method: m.request.method, headers, body: m.request.body });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`preflight ${m.request.method} ${m.request.path} → ${m.target} answered ${res.status}: ${res.text.slice(0, 500)}`);
  }
}

function sessionCookieValue(setCookie, name) {
  for (const line of [setCookie ?? []].flat()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name) return decodeURIComponent(pair.slice(eq + 1).trim());
  }
  throw new Error(`the sign-in response set no ${name} cookie`);
}

function ratio(name, results) {
  const gateway = results.find((r) => r.measurement === name && r.target === 'gateway');
  const direct = results.find((r) => r.measurement === name && r.target === 'direct');
  const div = (a, b) => (a == null || b == null || b === 0 ? null : round(a / b, 3));
  const sub = (a, b) => (a == null || b == null ? null : round(a - b, 3));
  return {
    measurement: name,
    label: gateway.label,
    rpsGatewayOverDirect: div(gateway.rps, direct.rps),
    p50GatewayOverDirect: div(gateway.latencyMs.p50, direct.latencyMs.p50),
    p50AddedMs: sub(gateway.latencyMs.p50, direct.latencyMs.p50),
    p99AddedMs: sub(gateway.latencyMs.p99, direct.latencyMs.p99),
    trustworthy: gateway.errors.total === 0 && direct.errors.total === 0,
  };
}

function machineInfo() {
  const list = cpus();
  const models = [...new Set(list.map((c) => c.model.trim()))];
  return {
    node: process.version,
    cpuCount: list.length,
    cpuModel: models.join(' + '),
    platform: `${platform()} ${release()} ${arch()}`,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
  };
}

function markdown(report) {
  const { machine, database, settings, processes } = report;
  const rows = report.results.map((r) =>
    `| ${r.label} | ${r.target} | ${fmt(r.rps)} | ${fmtMs(r.latencyMs.p50)} | ${fmtMs(r.latencyMs.p99)} | ${r.errors.total === 0 ? '0' : `**${r.errors.total} ⚠** (${errorSummary(r.errors)})`} |`,
  );
  const ratios = report.ratios.map((q) =>
    `- ${q.label}: gateway/direct rps = **${q.rpsGatewayOverDirect ?? 'n/a'}**` +
    `; p50 ${signed(q.p50AddedMs)} ms, p99 ${signed(q.p99AddedMs)} ms through the gateway` +
    (q.trustworthy ? '' : '  ⚠ **not trustworthy: a side had errors**'),
  );
  const cpuMeasured = report.results.some((r) => r.cpu.gatewayProcess !== null);
  const cell = (c) => (c == null ? 'n/a' : `${fmtMs(c.msPerRequest)} (${Math.round(c.coreShare * 100)}%)`);
  const cpuSection = cpuMeasured
    ? `CPU time per successful request, in ms, of each process (in brackets: its CPU use during the measurement, 100% = one core busy throughout; Postgres not included), and how busy the whole machine's ${machine.cpuCount} CPUs were meanwhile (every process: these, Postgres, anything else running):

| measurement | target | gateway process | app-server process | benchmark process (load generator; idle in-process stack) | machine CPUs busy |
|---|---|---:|---:|---:|---:|
${report.results.map((r) => `| ${r.label} | ${r.target} | ${cell(r.cpu.gatewayProcess)} | ${cell(r.cpu.appServerProcess)} | ${cell(r.cpu.benchProcess)} | ${pct(r.machineCpuBusyShare)} |`).join('\n')}
`
    : `CPU time per process: not measured (it is read from /proc/<pid>/stat, which only Linux has). The benchmark process (load generator; idle in-process stack) used per request: ${report.results.map((r) => `${r.measurement} ${r.target} ${fmtMs(r.cpu.benchProcess?.msPerRequest)} ms`).join(', ')}
`;
  const failed = report.results.filter((r) => r.errors.total > 0);
  const warning = failed.length === 0 ? '' :
    `\n> ⚠ **WARNING: ${failed.length} measurement(s) had errors** (non-2xx or failed requests); their figures do not measure what they claim.\n` +
    failed.map((r) => `> - ${r.label} → ${r.target}: ${errorSummary(r.errors)}; first: \`${String(r.errors.sample).replace(/\s+/g, ' ').slice(0, 200)}\``).join('\n') + '\n';
  const dbLine = database.mode === 'embedded'
    ? 'embedded Postgres (two servers started for this run, in the temp data folder)'
    : `Postgres server from DATABASE_URL (control: ${database.control}; pool v1: ${database.pool})`;
  return `## gateway benchmark (${report.date})

- Machine: Node ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}, ${machine.platform}, ${machine.memoryGiB} GiB RAM
- Load average (1/5/15 min): ${machine.loadAverage.atStart.join(' / ')} before the run, ${machine.loadAverage.atEnd.join(' / ')} after it${busy(machine)}
- Database: ${dbLine}
- Processes: gateway \`${processes.gateway.command}\` (pid ${processes.gateway.pid}, ${processes.gateway.url}); app server \`${processes.appServer.command}\` (pid ${processes.appServer.pid}, ${processes.appServer.url}), pool v1's only upstream. The load generator runs in the benchmark process, with the stack's idle in-process apps.
- Settings: ${settings.durationSeconds} s measured per row after a ${settings.warmupSeconds} s warm-up; concurrency ${settings.concurrency.login} for login, ${settings.concurrency.me} for /api/me; keep-alive; tenant ${settings.tenant}; latencies of 2xx responses only
${warning}
| measurement | target | rps | p50 ms | p99 ms | errors |
|---|---|---:|---:|---:|---:|
${rows.join('\n')}

Gateway / direct:
${ratios.join('\n')}

${cpuSection}
Requests measured (2xx / all): ${report.results.map((r) => `${r.measurement} ${r.target} ${r.successes}/${r.requests}${r.successes < 100 ? ' (so few that p99 ≈ the slowest)' : ''}`).join(', ')}
`;
}

/** Other work on the machine skews every figure; say so when the load says it was there. */
function busy(machine) {
  const before = machine.loadAverage.atStart[0];
  return before > machine.cpuCount / 2
    ? ` ⚠ **the machine was already busy before the run (1-min load ${before} on ${machine.cpuCount} CPUs): other processes competed for the CPUs**`
    : '';
}

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function errorSummary(errors) {
  return Object.entries(errors.byKind).map(([kind, n]) => `${kind}×${n}`).join(', ');
}

function round(value, digits) {
  if (value == null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const fmt = (n) => (n == null ? 'n/a' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const fmtMs = (n) => (n == null ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const signed = (n) => (n == null ? 'n/a' : n >= 0 ? `+${fmtMs(n)}` : `−${fmtMs(-n)}`);
