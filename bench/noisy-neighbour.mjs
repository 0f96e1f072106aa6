// Benchmark "noisy-neighbour": how much one tenant's flood slows another tenant down. In one
// run, on one freshly started platform, it measures tenant globex's latency through a gateway
// process in front of an app-server process:
//   idle                       globex alone
//   acme flood, defences on    while acme floods through the same gateway: half correct
//                              sign-ins (POST /auth/login, one account), half GET /api/links
//                              with a session
//   idle, defences off         globex alone again, the processes restarted with everything that
//                              holds one tenant back lifted (see SETTINGS)
//   acme flood, defences off   the same flood against those processes: what the defences buy
//   acme flood, defaults but an account's sign-ins do not take turns
//                              the app server's cap on one tenant's password checks, rather than
//                              the gateway's turns, holds the sign-ins back
//   (--knobs: the same flood under other settings)
//   acme flood of wrong passwords, defences on (last: its failures stay counted against acme's
//                              account and 127.0.0.1 until the processes restart)
// For each flood it reports acme's answers per second by status and by the defence that
// refused them, globex's p99 under the flood against its idle p99, and where globex's time
// went: paced probes of each process, the pool's connections in use, and the CPU each process
// used and waited for.
//
// The gateway and the app server are separate Node processes, as deployed (started here from
// apps/*/dist/main.js, pool v1 pointed at that app server), as in bench/gateway.mjs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APP_SERVER_SCRIPT, BASE_DOMAIN, controlPlaneTenant, GATEWAY_SCRIPT, POOL, preflight, signInThroughGateway, startPoolProcesses,
  stopPoolProcesses, tenantContextClaims,
} from './lib/apps.mjs';
import { durationMs, log, parseBenchmarkArgs, runBenchmark, wholeNumber } from './lib/benchmark.mjs';
import { fetchOnce, runMixedLoad } from './lib/load.mjs';
import { requireBuilt } from './lib/platform.mjs';
import { cpuTimeSupported, processCpuTimeMs } from './lib/processes.mjs';
import { errorSummary, fmt, fmtMs, machineInfo, machineMarkdown, pct, round, roundedLatencies } from './lib/report.mjs';

export const summary = "globex p50/p99 idle vs while acme floods sign-ins and /api/links, the platform's per-tenant defences on vs off";

const DEFAULTS = {
  duration: 5,
  flood: 64,
  probe: 2,
  warmupMs: 1_000,
  settleMs: 1_000, // the flood runs this long before globex's warm-up starts
  floodTailMs: 500, // the flood's measured phase outlasts globex's by this much
  timeoutMs: 10_000,
  diagnosticIntervalMs: 50, // each diagnostic request starts at most this often
  target: 2, // globex p99 under the flood at most this many times its idle p99
};

const NOISY = 'acme';
const VICTIM = 'globex';
const WRONG_PASSWORD = 'not-the-password-1';
const SEEDED_LINKS = 50;
/** The app server's pool size, as packages/config/src/apps.ts defaults it; set explicitly below. */
const DB_POOL_MAX = 10;
/** application_name of the app servers' database connections (the stack's idle one's too). */
const APP_SERVER_DB_APPLICATION = `mysaas-app-server/${POOL.name}`;

/** A limit so high that it never holds anyone back. */
const LIFTED = '100000';
/** The one setting every row gives the app server: its pool's size. */
const POOL_SIZE = { DB_POOL_MAX: String(DB_POOL_MAX) };

/**
 * The settings the processes run with, beyond what every run passes. Everything not named
 * takes its default from packages/config/src/apps.ts.
 */
const SETTINGS = {
  on: {
    label: 'defences on (defaults)',
    gateway: {},
    appServer: { ...POOL_SIZE },
  },
  off: {
    label: 'defences off',
    // Everything that holds one tenant back. The gateway: its per-tenant cap on requests in
    // flight; the sign-in throttle's failure limits and its turns (an account's sign-ins, and
    // an address's, otherwise wait for one another, then get 429 after a few seconds). The app
    // server: the tenant's share of the pool's connections, and its cap on one tenant's
    // password checks (argon2) at a time.
    gateway: {
      TENANT_MAX_CONCURRENT_REQUESTS: LIFTED,
      SIGNIN_MAX_FAILURES_PER_ACCOUNT: LIFTED,
      SIGNIN_MAX_FAILURES_PER_ADDRESS: LIFTED,
      SIGNIN_MAX_CONCURRENT_PER_ACCOUNT: LIFTED,
      SIGNIN_MAX_CONCURRENT_PER_ADDRESS: LIFTED,
    },
    appServer: { ...POOL_SIZE, DB_TENANT_MAX_CONNECTIONS: String(DB_POOL_MAX), PASSWORD_CHECKS_PER_TENANT: LIFTED },
  },
  // acme's flood signs in to one account, so with the defaults the gateway lets one of its
  // sign-ins through at a time and the app server's cap on password checks never comes into
  // play. A flood spread over many accounts would meet that cap (and the per-address turns).
  accountTurnsOff: {
    label: "defaults, but an account's sign-ins do not take turns",
    gateway: { SIGNIN_MAX_CONCURRENT_PER_ACCOUNT: LIFTED },
    appServer: { ...POOL_SIZE },
  },
};

/** Extra rows (--knobs): other settings, under the same flood as "acme flood, defences on". */
const KNOB_SETTINGS = {
  passwordChecks2: {
    // On top of accountTurnsOff: with the turns on, one sign-in at a time reaches the app server.
    label: "account's sign-ins not taking turns, PASSWORD_CHECKS_PER_TENANT=2",
    gateway: { SIGNIN_MAX_CONCURRENT_PER_ACCOUNT: LIFTED },
    appServer: { ...POOL_SIZE, PASSWORD_CHECKS_PER_TENANT: '2' },
  },
  passwordChecksLifted: {
    label: "account's sign-ins not taking turns, PASSWORD_CHECKS_PER_TENANT lifted",
    gateway: { SIGNIN_MAX_CONCURRENT_PER_ACCOUNT: LIFTED },
    appServer: { ...POOL_SIZE, PASSWORD_CHECKS_PER_TENANT: LIFTED },
  },
  noTurns: {
    label: 'no sign-in turns at all (account and address)',
    gateway: { SIGNIN_MAX_CONCURRENT_PER_ACCOUNT: LIFTED, SIGNIN_MAX_CONCURRENT_PER_ADDRESS: LIFTED },
    appServer: { ...POOL_SIZE },
  },
  tenantCap4: {
    label: 'defaults, but TENANT_MAX_CONCURRENT_REQUESTS=4',
    gateway: { TENANT_MAX_CONCURRENT_REQUESTS: '4' },
    appServer: { ...POOL_SIZE },
  },
  dbShareHalf: {
    // The default until the runs recorded in docs/benchmarks.md showed a quarter isolates better.
    label: 'defaults, but DB_TENANT_MAX_CONNECTIONS=5 (half the pool)',
    gateway: {},
    appServer: { ...POOL_SIZE, DB_TENANT_MAX_CONNECTIONS: '5' },
  },
  dbShare2: {
    label: 'defaults, but DB_TENANT_MAX_CONNECTIONS=2',
    gateway: {},
    appServer: { ...POOL_SIZE, DB_TENANT_MAX_CONNECTIONS: '2' },
  },
};

function rowsFor(options) {
  const rows = [
    { key: 'idle', label: 'idle', settings: 'on', flood: null },
    { key: 'flood-on', label: 'acme flood, defences on', settings: 'on', flood: 'mixed' },
    { key: 'idle-off', label: 'idle, defences off', settings: 'off', flood: null },
    { key: 'flood-off', label: 'acme flood, defences off', settings: 'off', flood: 'mixed' },
    { key: 'flood-account-turns-off', label: `acme flood, ${SETTINGS.accountTurnsOff.label}`, settings: 'accountTurnsOff', flood: 'mixed' },
  ];
  if (options.knobs) {
    for (const [key, knob] of Object.entries(KNOB_SETTINGS)) {
      rows.push({ key: `flood-${key}`, label: `acme flood, ${knob.label}`, settings: key, flood: 'mixed', knob: true });
    }
  }
  // Last: its failures stay counted against acme's account and 127.0.0.1 (in the processes'
  // memory: a restart clears them, and this is the end).
  rows.push({ key: 'flood-wrong', label: 'acme flood of wrong passwords, defences on', settings: 'on', flood: 'wrong', restart: true });
  return rows;
}

export const help = `  --duration <seconds>   measured time per row (default ${DEFAULTS.duration}); each row warms up first
                         (${DEFAULTS.warmupMs / 1000} s; under a flood, the flood runs ${DEFAULTS.settleMs / 1000} s more before that)
  --flood <n>            acme's concurrent connections during a flood (default ${DEFAULTS.flood}; half sign in,
                         half list links; all of them sign in with a wrong password in the last row)
  --probe <n>            globex's concurrent connections per request (default ${DEFAULTS.probe}, for GET /login
                         and for GET /api/me each)
  --knobs                also try other settings (env variables, listed in the output) under the
                         same flood: ${Object.keys(KNOB_SETTINGS).length} more rows, about 40 s
  --json                 print one JSON object on stdout instead of the markdown tables
  -h, --help             show this help
  Database: embedded Postgres, or the server in DATABASE_URL when it is set (the stack then
  creates databases mysaas_control and mysaas_pool_v1 there).
  The gateway and the app server run as two separate Node processes (apps/*/dist/main.js),
  restarted for each setting; pool v1 points at the app server. On Linux the CPU each process
  used is reported too. With the defaults a run takes about a minute.
`;

function parseOptions(args) {
  const values = parseBenchmarkArgs(args, {
    flood: { type: 'string' },
    probe: { type: 'string' },
    knobs: { type: 'boolean', default: false },
  });
  return {
    help: values.help,
    json: values.json,
    knobs: values.knobs,
    durationMs: durationMs(values.duration, DEFAULTS.duration),
    flood: wholeNumber('flood', values.flood, DEFAULTS.flood, 2, 512),
    probe: wholeNumber('probe', values.probe, DEFAULTS.probe, 1, 16),
  };
}

export function main(args) {
  return runBenchmark(args, {
    name: 'noisy-neighbour',
    summary,
    help,
    parseOptions,
    // The load worker signs with @mysaas/tenancy.
    packages: ['@mysaas/auth', '@mysaas/tenancy', '@mysaas/embedded-db'],
    scripts: [APP_SERVER_SCRIPT, GATEWAY_SCRIPT],
    measure: async (context) => {
      // The processes measured; stopped (gateway first) before the stack, whatever happens.
      const processes = {};
      const sampler = await ConnectionSampler.open(context.stack.logins.poolAppUrl);
      try {
        return await measure({ ...context, processes, sampler });
      } finally {
        await stopPoolProcesses(processes, log);
        await sampler.close();
      }
    },
    markdown,
    failures(report) {
      const failed = report.rows.flatMap((row) => [...Object.values(row.globex), ...Object.values(row.diagnostics)]
        .filter((s) => s.errors.total > 0).map((s) => `${row.label}: ${s.label} ${errorSummary(s.errors)}`));
      return failed.length === 0 ? undefined
        : `globex's requests or the diagnostic probes got non-2xx answers or failed: ${failed.join('; ')}. Those figures are not trustworthy.`;
    },
  });
}

/**
 * (Re)starts the app server and the gateway with the given settings, points pool v1 at the
 * new app server, and waits until the new gateway routes both tenants.
 */
async function startProcesses({ stack, secrets, signal, processes, settingsKey }) {
  await stopPoolProcesses(processes, log);
  const settings = settingsOf(settingsKey);
  await startPoolProcesses({
    stack, secrets, signal, processes, log,
    env: { appServer: settings.appServer, gateway: settings.gateway },
    description: `, ${settings.label}`,
  });
  const { appServer, gateway } = processes;
  await untilRouted(gateway);
  return {
    key: settingsKey,
    label: settings.label,
    // What differs from the defaults (the rest of the env is the same in every row).
    env: { gateway: settings.gateway, appServer: settings.appServer },
    gateway: { pid: gateway.pid, url: gateway.url },
    appServer: { pid: appServer.pid, url: appServer.url },
  };
}

/**
 * Waits until the new gateway routes both tenants. The pool change's announcement makes the
 * gateway clear its route cache; a route lookup in flight at that moment fails (503
 * ROUTING_UNAVAILABLE, "deleted"), so the first requests after a change may be refused.
 */
async function untilRouted(gateway) {
  const deadline = Date.now() + 5_000;
  let refused = 0;
  for (const slug of [VICTIM, NOISY]) {
    for (;;) {
      const res = await fetchOnce(`${gateway.url}/login`, { headers: { accept: 'text/html', host: `${slug}.${BASE_DOMAIN}:${gateway.port}` } });
      if (res.status >= 200 && res.status < 300) break;
      if (res.status !== 503 || Date.now() > deadline) throw new Error(`GET /login for ${slug} through the new gateway answered ${res.status}: ${res.text.slice(0, 300)}`);
      refused += 1;
      await sleep(100);
    }
  }
  await sleep(200); // a late announcement lands before anything is measured
  if (refused > 0) log(`  (the gateway refused ${refused} request(s) with 503 just after the pool change; retried)`);
}

function settingsOf(key) {
  const settings = SETTINGS[key] ?? KNOB_SETTINGS[key];
  if (!settings) throw new Error(`no settings named ${key}`);
  return settings;
}

async function measure({ stack, secrets, signal, dataDir, options, databases, processes, sampler }) {
  const { SESSION_COOKIE } = requireBuilt('@mysaas/auth');
  const cpuMeasured = cpuTimeSupported();
  if (!cpuMeasured) log('CPU time per process is not measured: it is read from /proc/<pid>/stat, which only Linux has.');
  const postgresCpu = cpuMeasured && databases.kind === 'embedded' ? await postgresCpuReader(dataDir) : null;
  const postgresVersion = await sampler.serverVersion();
  const tenants = Object.fromEntries(stack.tenants.map((t) => [t.slug, t]));
  for (const slug of [NOISY, VICTIM]) if (!tenants[slug]) throw new Error(`the stack has no demo tenant ${slug}`);

  const rows = rowsFor(options);
  let current = await startProcesses({ stack, secrets, signal, processes, settingsKey: rows[0].settings });
  const hostOf = (slug) => `${slug}.${BASE_DOMAIN}:${processes.gateway.port}`;

  // globex as the control plane knows it: what the gateway puts in the context, for the
  // diagnostic request straight to the app server.
  const victimClaims = tenantContextClaims(await controlPlaneTenant(stack, secrets, VICTIM));

  // Sessions before any flood: the wrong-password flood later throttles acme's sign-ins.
  // Sessions live in the pool database, so they outlive the processes' restarts.
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const cookies = {};
  for (const slug of [VICTIM, NOISY]) {
    const { email, password } = tenants[slug];
    const value = await signInThroughGateway({ gatewayUrl: processes.gateway.url, host: hostOf(slug), email, password, cookieName: SESSION_COOKIE });
    cookies[slug] = `${SESSION_COOKIE}=${encodeURIComponent(value)}`;
  }
  // acme's links, so that its GET /api/links returns a page of them.
  for (let i = 0; i < SEEDED_LINKS; i += 1) {
    const res = await fetchOnce(`${processes.gateway.url}/api/links`, {
      method: 'POST',
      headers: { ...json, host: hostOf(NOISY), cookie: cookies[NOISY] },
      body: { url: `https://example.com/noisy-neighbour/${i}` },
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`creating a link for ${NOISY}: ${res.status} ${res.text}`);
  }
  log(`  ✓ signed in as ${tenants[VICTIM].email} and ${tenants[NOISY].email}; ${SEEDED_LINKS} links created for ${NOISY}`);

  // The request shapes; origins and hosts follow the current processes.
  const probeStreams = () => [
    { name: 'loginPage', label: 'GET /login', role: 'probe', concurrency: options.probe, origin: processes.gateway.url, method: 'GET', path: '/login', headers: { accept: 'text/html', host: hostOf(VICTIM) } },
    { name: 'me', label: 'GET /api/me', role: 'probe', concurrency: options.probe, origin: processes.gateway.url, method: 'GET', path: '/api/me', headers: { accept: 'application/json', host: hostOf(VICTIM), cookie: cookies[VICTIM] } },
    // Diagnostics, one paced connection each: where globex's time goes.
    { name: 'gatewayHealth', intervalMs: DEFAULTS.diagnosticIntervalMs, label: 'gateway GET /healthz', role: 'diagnostic', concurrency: 1, origin: processes.gateway.url, method: 'GET', path: '/healthz', headers: { accept: 'application/json' } },
    { name: 'appServerHealth', intervalMs: DEFAULTS.diagnosticIntervalMs, label: 'app server GET /healthz', role: 'diagnostic', concurrency: 1, origin: processes.appServer.url, method: 'GET', path: '/healthz', headers: { accept: 'application/json' } },
    { name: 'loginPageDirect', intervalMs: DEFAULTS.diagnosticIntervalMs, label: 'GET /login straight to the app server', role: 'diagnostic', concurrency: 1, origin: processes.appServer.url, method: 'GET', path: '/login', headers: { accept: 'text/html' }, context: { secret: secrets.tenantContextSecret, claims: victimClaims } },
  ];
  const floodStreams = (kind) => {
    const origin = processes.gateway.url;
    const host = hostOf(NOISY);
    if (kind === 'wrong') {
      return [{ name: 'signInWrong', label: 'POST /auth/login (wrong password)', concurrency: options.flood, origin, method: 'POST', path: '/auth/login', headers: { ...json, host }, body: JSON.stringify({ email: tenants[NOISY].email, password: WRONG_PASSWORD }) }];
    }
    const signIns = Math.ceil(options.flood / 2);
    return [
      { name: 'signIn', label: 'POST /auth/login', concurrency: signIns, origin, method: 'POST', path: '/auth/login', headers: { ...json, host }, body: JSON.stringify({ email: tenants[NOISY].email, password: tenants[NOISY].password }) },
      { name: 'links', label: 'GET /api/links', concurrency: options.flood - signIns, origin, method: 'GET', path: '/api/links', headers: { accept: 'application/json', host, cookie: cookies[NOISY] } },
    ];
  };
  const preflightAll = async (streams) => {
    for (const s of streams) await preflight(s, `(${s.label})`);
  };

  const results = [];
  for (const [index, row] of rows.entries()) {
    if (row.settings !== current.key || row.restart) {
      current = await startProcesses({ stack, secrets, signal, processes, settingsKey: row.settings });
    }
    // Each shape once, unmeasured: a wrong header fails here, not as seconds of errors. The
    // wrong-password flood is not tried: its one failure would count against the throttle anyway.
    await preflightAll([...probeStreams(), ...(row.flood === 'mixed' ? floodStreams('mixed') : [])]);
    processes.gateway.assertRunning();
    processes.appServer.assertRunning();

    const warmupMs = row.flood ? DEFAULTS.settleMs + DEFAULTS.warmupMs : DEFAULTS.warmupMs;
    log(`[${index + 1}/${rows.length}] ${row.label}: ${row.flood ? `acme floods with ${options.flood} connections; ` : ''}` +
      `globex measured for ${options.durationMs / 1000} s after ${warmupMs / 1000} s…`);
    const cpu = cpuMeasured
      ? { ...threadReaders('gateway', processes.gateway.pid), ...threadReaders('appServer', processes.appServer.pid), ...(postgresCpu ? { postgres: postgresCpu } : {}) }
      : {};
    const probeJob = { streams: probeStreams(), warmupMs, durationMs: options.durationMs, timeoutMs: DEFAULTS.timeoutMs };
    const runs = [
      runMixedLoad(probeJob, signal, {
        cpu,
        onPhase: (phase) => (phase === 'measuring' ? sampler.start() : sampler.stop()),
      }),
    ];
    let floodJob;
    if (row.flood) {
      floodJob = { streams: floodStreams(row.flood), warmupMs, durationMs: options.durationMs + DEFAULTS.floodTailMs, timeoutMs: DEFAULTS.timeoutMs };
      runs.push(runMixedLoad(floodJob, signal));
    }
    const settled = await Promise.allSettled(runs);
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    // A process that died mid-measurement makes its figures meaningless: fail, do not report them.
    processes.gateway.assertRunning();
    processes.appServer.assertRunning();
    const [probe, flood] = settled.map((s) => s.value);
    const result = rowResult({ row, probe, flood, probeJob, floodJob, current, connections: sampler.result(), options });
    results.push(result);
    logRow(result);
  }

  const baseline = results.find((r) => r.key === 'idle');
  for (const r of results) r.vsIdle = vsIdle(r, baseline);

  return {
    database: { mode: databases.kind, postgresVersion, ...stack.databases },
    processes: {
      gateway: `node ${GATEWAY_SCRIPT}`,
      appServer: `node ${APP_SERVER_SCRIPT}`,
      settings: Object.fromEntries(Object.entries({ ...SETTINGS, ...(options.knobs ? KNOB_SETTINGS : {}) }).map(([key, s]) => [key, { label: s.label, gateway: s.gateway, appServer: s.appServer }])),
      idleInProcess: { gateway: `http://127.0.0.1:${stack.gatewayPort}`, appServer: stack.appServerUrl },
    },
    settings: {
      durationSeconds: options.durationMs / 1000,
      warmupSeconds: DEFAULTS.warmupMs / 1000,
      floodSettleSeconds: DEFAULTS.settleMs / 1000,
      floodTailSeconds: DEFAULTS.floodTailMs / 1000,
      floodConnections: options.flood,
      probeConnections: options.probe,
      target: `globex p99 under a flood ≤ ${DEFAULTS.target} × its idle p99`,
      keepAlive: true,
      loadGenerator: 'node:http, the globex probe and the acme flood each in their own worker thread of the benchmark process (the stack\'s own app processes stay idle)',
      cpuPerProcess: cpuMeasured ? 'utime + stime from /proc/<pid>/stat (all threads), over globex\'s measured phase' : 'not measured (not Linux)',
      tenants: { noisy: NOISY, victim: VICTIM },
      seededLinks: SEEDED_LINKS,
      floodAccount: tenants[NOISY].email,
    },
    rows: results,
  };
}

function rowResult({ row, probe, flood, probeJob, floodJob, current, connections, options }) {
  const stat = (stream, r) => {
    const successes = r.successes;
    const errors = Object.entries(r.outcomes).filter(([k]) => !/^2\d\d$/.test(k));
    return {
      label: stream.label,
      role: stream.role,
      concurrency: stream.concurrency,
      requests: r.requests,
      successes,
      elapsedMs: round(r.elapsedMs, 1),
      rps: round(successes / (r.elapsedMs / 1000), 2),
      latencyMs: roundedLatencies(r.latencyMs),
      errors: {
        total: r.requests - successes,
        byKind: Object.fromEntries(errors.map(([k, v]) => [k, v.count])),
        sample: errors[0]?.[1].sample,
      },
    };
  };
  const globex = {};
  const diagnostics = {};
  for (const s of probeJob.streams) (s.role === 'probe' ? globex : diagnostics)[s.name] = stat(s, probe.streams[s.name]);
  const cpu = (ms) => (ms == null ? null : { ms: round(ms, 1), coreShare: round(ms / probe.elapsedMs, 3) });
  // Per process: its main thread (the event loop) and its other threads (libuv's pool, where
  // argon2 hashes, and V8's helpers), and how long the main thread waited for a CPU while
  // runnable (ms per second of measurement).
  const threads = (name) => {
    const c = probe.cpuMs;
    if (c[`${name}Main`] == null) return null;
    return {
      mainThreadCores: round(c[`${name}Main`] / probe.elapsedMs, 3),
      otherThreadsCores: c[name] == null ? null : round((c[name] - c[`${name}Main`]) / probe.elapsedMs, 3),
      mainThreadRunQueueWaitMsPerSecond: c[`${name}MainWait`] == null ? null : round(c[`${name}MainWait`] / (probe.elapsedMs / 1000), 1),
    };
  };
  // Everything the gateway process answered per second: globex's requests, the gateway probe, acme's flood.
  const rate = (r) => r.requests / (r.elapsedMs / 1000);
  const gatewayRps = probeJob.streams.filter((s) => s.origin === current.gateway.url).reduce((sum, s) => sum + rate(probe.streams[s.name]), 0) +
    (flood ? Object.values(flood.streams).reduce((sum, r) => sum + rate(r), 0) : 0);
  const gatewayCpuMs = probe.cpuMs.gateway;
  return {
    key: row.key,
    label: row.label,
    knob: row.knob === true,
    settings: { key: current.key, label: current.label, gatewayPid: current.gateway.pid, appServerPid: current.appServer.pid },
    flood: row.flood === null ? null : floodResult(flood, floodJob, row.flood === 'wrong' ? 'wrong passwords' : 'sign-ins + links', options),
    globex,
    diagnostics,
    // Over globex's measured phase; 1 = one CPU core busy for the whole phase.
    cpu: {
      gatewayProcess: cpu(probe.cpuMs.gateway),
      appServerProcess: cpu(probe.cpuMs.appServer),
      postgres: cpu(probe.cpuMs.postgres),
      benchProcess: cpu(probe.processCpuMs),
    },
    threads: { gatewayProcess: threads('gateway'), appServerProcess: threads('appServer') },
    machineCpuBusyShare: round(probe.machineBusyShare, 3),
    // The machine's busy CPU time not accounted for by the processes above: other processes,
    // the kernel's own work, and time the hypervisor took away (steal).
    otherCores: probe.machineBusyShare == null || probe.cpuMs.gateway == null || probe.cpuMs.appServer == null
      ? null
      : round(probe.machineBusyShare * machineInfo().cpuCount - (probe.cpuMs.gateway + probe.cpuMs.appServer + (probe.cpuMs.postgres ?? 0) + probe.processCpuMs) / probe.elapsedMs, 2),
    gateway: {
      requestsPerSecond: round(gatewayRps, 1),
      cpuMsPerRequest: gatewayCpuMs == null || gatewayRps === 0 ? null : round(gatewayCpuMs / (gatewayRps * probe.elapsedMs / 1000), 3),
    },
    appServerDbConnections: connections,
  };
}

/** acme's answers per second by status, and its 429s by cause. */
function floodResult(flood, floodJob, kind, options) {
  const streams = {};
  for (const [name, r] of Object.entries(flood.streams)) {
    const seconds = r.elapsedMs / 1000;
    const perSecond = { 200: 0, 401: 0, 429: 0, other: 0 };
    const tooMany = {};
    const other = {};
    for (const [key, outcome] of Object.entries(r.outcomes)) {
      const status = key.split(' ')[0];
      if (status === '200' || status === '401' || status === '429') perSecond[status] += outcome.count;
      else {
        perSecond.other += outcome.count;
        other[key] = outcome.count;
      }
      if (status === '429') {
        for (const [message, n] of Object.entries(outcome.messages ?? { '': outcome.count })) {
          const cause = causeOf(key, message);
          tooMany[cause] = (tooMany[cause] ?? 0) + n;
        }
      }
    }
    streams[name] = {
      label: floodJob.streams.find((s) => s.name === name).label,
      connections: floodJob.streams.find((s) => s.name === name).concurrency,
      requests: r.requests,
      elapsedMs: round(r.elapsedMs, 1),
      perSecond: Object.fromEntries(Object.entries(perSecond).map(([k, n]) => [k, round(n / seconds, 1)])),
      tooManyPerSecond: Object.fromEntries(Object.entries(tooMany).map(([k, n]) => [k, round(n / seconds, 1)])),
      other,
      latency200Ms: { p50: round(r.latencyMs.p50, 3), p99: round(r.latencyMs.p99, 3) },
      sampleOther: Object.entries(r.outcomes).find(([k]) => !/^(200|401|429)/.test(k))?.[1].sample,
    };
  }
  return { kind, connections: options.flood, streams };
}

/**
 * Which defence answered a 429, from its code and message: the gateway's cap on a tenant's
 * requests in flight and the app server's share of the pool both say TENANT_BUSY; the sign-in
 * throttle says SIGNIN_THROTTLED both when an attempt waited too long for its turn ("in
 * progress") and when the account or address had too many failures; SIGNIN_BUSY is the app
 * server's cap on one tenant's password checks.
 */
function causeOf(key, message) {
  const who = /account/.test(message) ? 'account' : 'address';
  if (key.endsWith('SIGNIN_THROTTLED')) return /in progress/.test(message) ? `gateway: sign-in turns (${who})` : `gateway: failed sign-ins (${who})`;
  if (key.endsWith('SIGNIN_BUSY')) return 'app server: password checks';
  if (key.endsWith('TENANT_BUSY')) return /database connections/.test(message) ? 'app server: DB connection share' : 'gateway: tenant request cap';
  return key;
}

function vsIdle(r, baseline) {
  if (r === baseline) return null;
  const ratio = (name) => {
    const idle = baseline.globex[name].latencyMs.p99;
    const now = r.globex[name].latencyMs.p99;
    const value = idle == null || now == null || idle === 0 ? null : round(now / idle, 2);
    return { idleP99Ms: idle, p99Ms: now, ratio: value, meetsTarget: value != null && value <= DEFAULTS.target };
  };
  const byRequest = { loginPage: ratio('loginPage'), me: ratio('me') };
  return { ...byRequest, meetsTarget: Object.values(byRequest).every((q) => q.meetsTarget) };
}

function logRow(r) {
  for (const s of Object.values(r.globex)) {
    log(`      globex ${s.label}: ${fmt(s.rps)} rps, p50 ${fmtMs(s.latencyMs.p50)} ms, p99 ${fmtMs(s.latencyMs.p99)} ms, max ${fmtMs(s.latencyMs.max)} ms, ` +
      `${s.successes} ok / ${s.requests}` + (s.errors.total > 0 ? `  ⚠ ${s.errors.total} ERRORS: ${errorSummary(s.errors)}; first: ${s.errors.sample}` : ''));
  }
  log(`      diagnostics (p50 / p99 ms): ${Object.values(r.diagnostics).map((d) => `${d.label} ${fmtMs(d.latencyMs.p50)} / ${fmtMs(d.latencyMs.p99)}` +
    (d.errors.total > 0 ? ` ⚠ ${errorSummary(d.errors)}` : '')).join('; ')}`);
  if (r.flood) {
    for (const [name, s] of Object.entries(r.flood.streams)) {
      log(`      acme ${name}: ${Object.entries(s.perSecond).map(([k, v]) => `${k} ${v}/s`).join(', ')}` +
        (Object.keys(s.tooManyPerSecond).length > 0 ? ` (429: ${Object.entries(s.tooManyPerSecond).map(([k, v]) => `${k} ${v}/s`).join(', ')})` : '') +
        (Object.keys(s.other).length > 0 ? ` other: ${JSON.stringify(s.other)}` : ''));
    }
  }
  const c = r.cpu;
  const t = r.threads;
  const thread = (x) => (x == null ? '' : ` (main ${x.mainThreadCores.toFixed(2)}, waiting for a CPU ${fmt(x.mainThreadRunQueueWaitMsPerSecond)} ms/s)`);
  log(`      CPU (cores): gateway ${share(c.gatewayProcess)}${thread(t.gatewayProcess)}, app server ${share(c.appServerProcess)}${thread(t.appServerProcess)}, Postgres ${share(c.postgres)}, ` +
    `benchmark ${share(c.benchProcess)}; machine ${pct(r.machineCpuBusyShare)} busy; app-server DB connections busy: ${connectionsText(r.appServerDbConnections)}`);
}

/**
 * Samples the pool database's pg_stat_activity while globex is measured: how many of the app
 * servers' connections are in use (in a transaction or running a statement). One extra
 * connection, one small query every 50 ms.
 */
class ConnectionSampler {
  static async open(url) {
    const { Client } = requireBuilt('pg');
    const client = new Client({ connectionString: url, application_name: 'mysaas-bench/noisy-neighbour' });
    await client.connect();
    return new ConnectionSampler(client);
  }

  constructor(client) {
    this.client = client;
    this.current = undefined;
    this.running = undefined;
  }

  async serverVersion() {
    return (await this.client.query('SHOW server_version')).rows[0].server_version;
  }

  start() {
    const run = { samples: [], stopped: false };
    this.current = run;
    this.running = (async () => {
      while (!run.stopped) {
        try {
          const { rows } = await this.client.query(
            "SELECT count(*) FILTER (WHERE state <> 'idle')::int AS busy FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend'",
            [APP_SERVER_DB_APPLICATION],
          );
          if (!run.stopped) run.samples.push(rows[0].busy);
        } catch {
          return; // the figures say how many samples there are
        }
        await sleep(50);
      }
    })();
  }

  stop() {
    if (this.current) this.current.stopped = true;
  }

  /** Connections in use while globex was measured: mean, max, and the share of samples with every one in use. */
  result() {
    const samples = this.current?.samples ?? [];
    const n = samples.length;
    if (n === 0) return null;
    return {
      samples: n,
      poolSize: DB_POOL_MAX,
      meanBusy: round(samples.reduce((a, b) => a + b, 0) / n, 2),
      maxBusy: Math.max(...samples),
      allBusyShare: round(samples.filter((b) => b >= DB_POOL_MAX).length / n, 3),
    };
  }

  async close() {
    this.stop();
    await this.running;
    await this.client.end().catch(() => undefined);
  }
}

/**
 * CPU time of the embedded Postgres servers of this run: each postmaster and every process it
 * forked (backends, background workers), summed; null when it cannot be read. Backends that
 * exit during a measurement take their CPU time with them (the app servers' pooled
 * connections stay open, so that is rare).
 */
async function postgresCpuReader(dataDir) {
  const { runningServerPid } = requireBuilt('@mysaas/embedded-db');
  const postgresDir = join(dataDir, 'postgres');
  if (!existsSync(postgresDir)) return null;
  const pids = (await Promise.all(readdirSync(postgresDir).map((server) => runningServerPid(join(postgresDir, server)))))
    .filter((pid) => pid !== undefined);
  return pids.length === 0 ? null : () => postgresFamiliesCpuMs(pids);
}

/**
 * CPU readers for one process, for runMixedLoad: `<name>` all its threads, `<name>Main` its main
 * thread, `<name>MainWait` the time its main thread spent runnable but waiting for a CPU, all in
 * ms so far, from /proc/<pid>/task/<tid>/schedstat (ns resolution). Without schedstat, only
 * `<name>`, from /proc/<pid>/stat.
 */
function threadReaders(name, pid) {
  const read = (field) => () => {
    const t = schedstat(pid);
    return t === null ? (field === 'cpuMs' ? processCpuTimeMs(pid) : null) : t[field];
  };
  return { [name]: read('cpuMs'), [`${name}Main`]: read('mainCpuMs'), [`${name}MainWait`]: read('mainWaitMs') };
}

function schedstat(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const times = { cpuMs: 0, mainCpuMs: null, mainWaitMs: null };
  for (const tid of tids) {
    let line;
    try {
      line = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
    } catch {
      continue; // a thread that just ended
    }
    const [onCpuNs, waitNs] = line.trim().split(/\s+/).map(Number);
    if (!Number.isFinite(onCpuNs) || !Number.isFinite(waitNs)) return null;
    times.cpuMs += onCpuNs / 1e6;
    if (tid === String(pid)) {
      times.mainCpuMs = onCpuNs / 1e6;
      times.mainWaitMs = waitNs / 1e6;
    }
  }
  return times.mainCpuMs === null ? null : times;
}

/** CPU time of the given postmasters and of every process whose parent one of them is, in ms. */
function postgresFamiliesCpuMs(postmasterPids) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    if (postmasterPids.includes(pid) || postmasterPids.includes(ppid)) total += processCpuTimeMs(pid) ?? 0;
  }
  return total;
}

function markdown(report) {
  const { machine, database, settings, processes, rows } = report;
  const ratioCell = (q) => (q == null || q.ratio == null ? '—' : `${q.ratio}×`);
  const globexRows = rows.flatMap((r) => Object.entries(r.globex).map(([name, s]) =>
    `| ${r.label} | ${s.label} | ${fmt(s.rps)} | ${fmtMs(s.latencyMs.p50)} | ${fmtMs(s.latencyMs.p99)} | ${fmtMs(s.latencyMs.max)} | ` +
    `${s.errors.total === 0 ? '0' : `**${s.errors.total} ⚠** (${errorSummary(s.errors)})`} | ${ratioCell(r.vsIdle?.[name])} |`));
  const verdicts = rows.filter((r) => r.vsIdle && r.flood).map((r) =>
    `- ${r.label}: globex p99 under the flood / idle p99 = **${r.vsIdle.loginPage.ratio ?? 'n/a'}×** (GET /login), ` +
    `**${r.vsIdle.me.ratio ?? 'n/a'}×** (GET /api/me): ${r.vsIdle.meetsTarget ? '✓ meets' : '✗ misses'} the target (≤ ${DEFAULTS.target}×)`);
  const floodRows = rows.filter((r) => r.flood).flatMap((r) => Object.values(r.flood.streams).map((s) => {
    const causes = Object.entries(s.tooManyPerSecond).map(([cause, n]) => `${cause} ${fmt(n)}`).join(', ') || '—';
    const other = Object.keys(s.other).length === 0 ? '' : ` (${Object.entries(s.other).map(([k, n]) => `${k}×${n}`).join(', ')})`;
    return `| ${r.label} | ${s.label} (${s.connections} conns) | ${fmt(s.perSecond[200])} | ${fmt(s.perSecond[401])} | ${fmt(s.perSecond[429])} | ` +
      `${fmt(s.perSecond.other)}${other} | ${causes} | ${fmtMs(s.latency200Ms.p50)} / ${fmtMs(s.latency200Ms.p99)} |`;
  }));
  const pair = (d) => `${fmtMs(d.latencyMs.p50)} / ${fmtMs(d.latencyMs.p99)}${d.errors.total > 0 ? ` ⚠ ${errorSummary(d.errors)}` : ''}`;
  const connections = (c) => (c == null ? 'n/a' : `${c.meanBusy} / ${c.maxBusy} (${pct(c.allBusyShare)})`);
  const diagnosticRows = rows.map((r) =>
    `| ${r.label} | ${pair(r.diagnostics.gatewayHealth)} | ${pair(r.diagnostics.appServerHealth)} | ${pair(r.diagnostics.loginPageDirect)} | ${connections(r.appServerDbConnections)} |`);
  const cores = (c) => (c == null ? 'n/a' : c.coreShare.toFixed(2));
  const cpuRows = rows.map((r) => {
    const { gatewayProcess: g, appServerProcess: a } = r.threads;
    return `| ${r.label} | ${cores(r.cpu.gatewayProcess)}${g ? ` (${g.mainThreadCores.toFixed(2)})` : ''} | ${g ? fmt(g.mainThreadRunQueueWaitMsPerSecond) : 'n/a'} | ` +
      `${cores(r.cpu.appServerProcess)}${a ? ` (${a.mainThreadCores.toFixed(2)} + ${a.otherThreadsCores.toFixed(2)})` : ''} | ${a ? fmt(a.mainThreadRunQueueWaitMsPerSecond) : 'n/a'} | ` +
      `${cores(r.cpu.postgres)} | ${cores(r.cpu.benchProcess)} | ${r.otherCores == null ? 'n/a' : r.otherCores.toFixed(2)} | ${pct(r.machineCpuBusyShare)} | ${fmt(r.gateway.requestsPerSecond)} | ${fmtMs(r.gateway.cpuMsPerRequest)} |`;
  });
  const settingLines = Object.entries(processes.settings).map(([, s]) => {
    const env = [...Object.entries(s.gateway).map(([k, v]) => `gateway ${k}=${v}`), ...Object.entries(s.appServer).map(([k, v]) => `app server ${k}=${v}`)];
    return `  - ${s.label}: ${env.length === 0 ? 'no variable beyond the common ones' : env.join(', ')}`;
  });
  const failed = rows.flatMap((r) => [...Object.values(r.globex), ...Object.values(r.diagnostics)]
    .filter((s) => s.errors.total > 0).map((s) => `> - ${r.label}, ${s.label}: ${errorSummary(s.errors)}; first: \`${String(s.errors.sample).replace(/\s+/g, ' ').slice(0, 200)}\``));
  const warning = failed.length === 0 ? '' :
    `\n> ⚠ **WARNING: globex's requests or the diagnostic probes got non-2xx answers or failed**; those figures do not measure what they claim.\n${failed.join('\n')}\n`;
  const few = rows.flatMap((r) => Object.values(r.globex).filter((s) => s.successes < 100).map((s) => `${r.label} ${s.label} (${s.successes})`));
  const dbLine = database.mode === 'embedded'
    ? `embedded Postgres ${database.postgresVersion} (two servers started for this run, in the temp data folder)`
    : `Postgres ${database.postgresVersion} from DATABASE_URL (control: ${database.control}; pool v1: ${database.pool})`;
  return `## noisy-neighbour benchmark (${report.date})

${machineMarkdown(machine, '. The load generator, the gateway, the app server and Postgres share these CPUs.')}
- Database: ${dbLine}
- Processes: gateway \`${processes.gateway}\` and app server \`${processes.appServer}\` (pool v1's only upstream; DB_POOL_MAX=${DB_POOL_MAX}), restarted for each setting:
${settingLines.join('\n')}
- globex: ${settings.probeConnections} closed-loop keep-alive connections each for GET /login and GET /api/me (with a session), through the gateway; latencies of 2xx answers only
- acme's flood: ${settings.floodConnections} closed-loop connections through the same gateway: half POST /auth/login with the correct password (one account, ${settings.floodAccount}), half GET /api/links (a session, ${settings.seededLinks} links); in the last row all of them sign in with a wrong password
- Timing: ${settings.durationSeconds} s measured per row after a ${settings.warmupSeconds} s warm-up; a flood starts ${settings.floodSettleSeconds} s before globex's warm-up and is measured ${settings.floodTailSeconds} s longer
${warning}
### globex

| row | globex request | rps | p50 ms | p99 ms | max ms | errors | p99 / idle p99 |
|---|---|---:|---:|---:|---:|---:|---:|
${globexRows.join('\n')}

${verdicts.join('\n')}
${few.length > 0 ? `\nFew samples (p99 ≈ the slowest): ${few.join(', ')}.\n` : ''}
### acme's flood: answers per second

| row | acme request | 200/s | 401/s | 429/s | other/s | 429s by cause, /s | 200s p50 / p99 ms |
|---|---|---:|---:|---:|---:|---|---:|
${floodRows.join('\n')}

### Where globex's time goes

Paced probes, one request at most every ${DEFAULTS.diagnosticIntervalMs} ms each, p50 / p99 in ms; app-server database connections in use (pg_stat_activity, sampled every 50 ms): mean / max of ${DB_POOL_MAX} (share of samples with all ${DB_POOL_MAX} in use):

| row | gateway GET /healthz | app server GET /healthz | globex GET /login straight to the app server | app-server DB connections |
|---|---:|---:|---:|---:|
${diagnosticRows.join('\n')}

CPU used while globex was measured, in cores (1.00 = one core busy throughout): the gateway (in brackets: its main thread, the event loop), the app server (main thread + other threads: libuv's pool, where argon2 hashes, and V8's helpers), Postgres, the benchmark, everything else (other processes, the kernel, time the hypervisor took: the machine's busy time minus these); how long each main thread was ready to run but waited for a CPU (ms per second; /proc schedstat); how busy the whole machine's ${machine.cpuCount} CPUs were (every process):

| row | gateway cores (main) | gateway main thread waiting for a CPU, ms/s | app server cores (main + other) | app-server main thread waiting for a CPU, ms/s | Postgres (both servers) | benchmark process | everything else | machine CPUs busy | gateway requests/s (all tenants) | gateway CPU ms per request |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${cpuRows.join('\n')}
`;
}

function connectionsText(c) {
  return c == null ? 'n/a' : `mean ${c.meanBusy}, max ${c.maxBusy} of ${c.poolSize} (all ${c.poolSize} in use in ${pct(c.allBusyShare)} of ${c.samples} samples)`;
}

const share = (c) => (c == null ? 'n/a' : c.coreShare.toFixed(2));
