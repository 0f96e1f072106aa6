// Benchmark "gateway": what the gateway hop costs. In one run, on one freshly started
// platform, it measures side by side:
//   /api/me   GET /api/me with a valid session      through the gateway | through nginx | straight to the app server
//   login     POST /auth/login {email, password}   through the gateway | through nginx | straight to the app server
// Straight to the app server, each request carries a tenant context signed here, per request,
// exactly as the gateway would sign it (and, for /api/me, the session the cookie names). nginx
// (a reference: what any reverse proxy hop costs here) forwards those same direct requests to the
// same app server; it runs only when /usr/sbin/nginx exists (Debian's nginx-light).
//
// The gateway and the app server measured are separate Node processes, as deployed (started
// here from apps/*/dist/main.js, pool v1 pointed at that app server). startStack provides the
// databases, the control plane, the pool and the demo tenant; its in-process gateway and app
// server stay idle.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  APP_SERVER_SCRIPT, BASE_DOMAIN, controlPlaneTenant, GATEWAY_SCRIPT, preflight, signInThroughGateway, startPoolProcesses, stopPoolProcesses,
  tenantContextClaims,
} from './lib/apps.mjs';
import { durationMs, log, parseBenchmarkArgs, runBenchmark, UsageError, wholeNumber } from './lib/benchmark.mjs';
import { runLoad } from './lib/load.mjs';
import { runWrk, wrkCanSend, wrkMissing } from './lib/wrk.mjs';
import { nginxMissing, startNginx } from './lib/nginx.mjs';
import { REPO_ROOT, requireBuilt } from './lib/platform.mjs';
import { cpuTimeSupported, startProcess } from './lib/processes.mjs';
import { errorSummary, fmt, fmtMs, machineInfo, machineMarkdown, pct, round, roundedLatencies } from './lib/report.mjs';

export const summary = 'GET /api/me and login requests/s, p50/p99, CPU per request: through the gateway, through nginx, straight to the app server';

const DEFAULTS = { duration: 5, loginConcurrency: 4, meConcurrency: 8, warmupMs: 1_000, warmupRound: 4, timeoutMs: 10_000 };

/** Issue 6's targets for GET /api/me, checked in every report. */
export const TARGETS = { rpsOverNginx: 0.9, gatewayCpuMsPerRequest: 0.25, addedP99Ms: 2 };

export const help = `  --duration <seconds>   measured time per measurement (default ${DEFAULTS.duration}), after a
                         ${DEFAULTS.warmupMs / 1000} s warm-up; 6 measurements in all (4 without nginx)
  --warmup <seconds>     before anything is measured, each row's requests are sent unmeasured
                         for this long (default ${DEFAULTS.warmupRound}; 0: no warm-up round), so that no
                         process is measured while V8 still compiles its request path
  --concurrency <n>      concurrent keep-alive connections for every measurement
                         (default ${DEFAULTS.meConcurrency} for /api/me, ${DEFAULTS.loginConcurrency} for login)
  --only <me|login>      run one of the two measurements only
  --load-generator <wrk|node>
                         what sends the requests (default: wrk when /usr/bin/wrk exists, as
                         Debian's wrk package installs it; else node). wrk is a separate C
                         process; node is the benchmark's own closed loop in a worker thread,
                         which costs ~0.5 ms of CPU per request on the same CPUs as the
                         processes measured. wrk sends one signed tenant context for a whole
                         row, so a direct row longer than 25 s falls back to node.
  --node-floor           add a reference row: the same direct requests through the least a Node
                         proxy can do (bench/lib/node-floor-proxy.cjs: node:http and an undici
                         pool, no checks), to show what of the gateway's cost is Node's own
  --cpu-profile <dir>    also write V8 CPU profiles of the gateway, app-server (and node floor)
                         processes, one per measured phase (<dir>/gateway-<n>.cpuprofile, n
                         in the order of the table's rows; open them in Chrome DevTools)
  --json                 print one JSON object on stdout instead of the markdown table
  -h, --help             show this help
  Database: embedded Postgres, or the server in DATABASE_URL when it is set (the stack then
  creates databases mysaas_control and mysaas_pool_v1 there).
  The gateway and the app server measured run as two separate Node processes
  (apps/*/dist/main.js), pool v1 pointed at that app server; on Linux the CPU time each
  process used per request is reported too. With /usr/sbin/nginx (Debian's nginx-light), an
  nginx process on 127.0.0.1 proxies the direct requests to the same app server: the
  reference row. Without it that row is skipped, and the report says why.
`;

const NODE_FLOOR_SCRIPT = 'bench/lib/node-floor-proxy.cjs';

const TENANT = { slug: 'acme', email: 'demo@acme.test', password: 'demo-password-1' };

function parseOptions(args) {
  const values = parseBenchmarkArgs(args, {
    concurrency: { type: 'string' }, only: { type: 'string' }, 'load-generator': { type: 'string' }, warmup: { type: 'string' }, 'cpu-profile': { type: 'string' }, 'node-floor': { type: 'boolean', default: false },
  });
  const concurrency = wholeNumber('concurrency', values.concurrency, undefined, 1, 256);
  if (values.only !== undefined && values.only !== 'me' && values.only !== 'login') {
    throw new UsageError(`--only: "${values.only}" is neither me nor login`);
  }
  const generator = values['load-generator'] ?? (wrkMissing() === undefined ? 'wrk' : 'node');
  if (generator !== 'wrk' && generator !== 'node') throw new UsageError(`--load-generator: "${generator}" is neither wrk nor node`);
  if (generator === 'wrk' && wrkMissing()) throw new UsageError(`--load-generator wrk: ${wrkMissing()}`);
  return {
    help: values.help,
    json: values.json,
    loadGenerator: generator,
    durationMs: durationMs(values.duration, DEFAULTS.duration),
    warmupRoundMs: warmupRoundMs(values.warmup),
    loginConcurrency: concurrency ?? DEFAULTS.loginConcurrency,
    meConcurrency: concurrency ?? DEFAULTS.meConcurrency,
    only: values.only,
    nodeFloor: values['node-floor'],
    cpuProfileDir: values['cpu-profile'] === undefined ? undefined : resolve(values['cpu-profile']),
  };
}

function warmupRoundMs(value) {
  const seconds = value === undefined ? DEFAULTS.warmupRound : Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 120) throw new UsageError(`--warmup: "${value}" is not a number of seconds from 0 to 120`);
  return Math.round(seconds * 1000);
}

export function main(args) {
  return runBenchmark(args, {
    name: 'gateway',
    summary,
    help,
    parseOptions,
    // The load worker signs with @mysaas/tenancy.
    packages: ['@mysaas/auth', '@mysaas/tenancy', '@mysaas/embedded-db'],
    scripts: [APP_SERVER_SCRIPT, GATEWAY_SCRIPT],
    measure: async ({ stack, secrets, signal, options, databases }) => {
      // The processes compared; stopped (nginx, gateway, app server) before the stack, whatever happens.
      const processes = {};
      let nginx;
      try {
        await startPoolProcesses({
          stack, secrets, signal, processes, log,
          description: ` (node ${APP_SERVER_SCRIPT}, node ${GATEWAY_SCRIPT})`,
          previousUpstream: `${stack.appServerUrl}, the stack's own (idle) app-server process`,
          env: processEnv(options),
        });
        const skipped = nginxMissing();
        if (skipped) log(`nginx reference rows skipped: ${skipped}`);
        else nginx = await startNginx({ upstream: processes.appServer.url, log, signal });
        if (options.nodeFloor) {
          processes.nodeFloor = await startProcess({
            name: 'node-floor', script: NODE_FLOOR_SCRIPT, env: { UPSTREAM: processes.appServer.url, ...profileHook(options, 'node-floor') }, ready: /^node floor proxy: listening on port (\d+)$/, log, signal,
          });
          processes.nodeFloor.url = `http://127.0.0.1:${processes.nodeFloor.match[1]}`;
        }
        return await measure({ stack, secrets, signal, options, databases, processes, nginx, nginxSkipped: skipped });
      } finally {
        await processes.nodeFloor?.stop();
        await nginx?.stop();
        await stopPoolProcesses(processes, log);
      }
    },
    markdown,
    failures(report) {
      const failed = report.results.filter((r) => r.errors.total > 0);
      return failed.length === 0 ? undefined : `${failed.length} measurement(s) had non-2xx responses or failed requests: ` +
        `${failed.map((r) => `${r.label} → ${r.target}: ${errorSummary(r.errors)}`).join('; ')}. Their figures are not trustworthy.`;
    },
  });
}

/**
 * What the two processes get on top of the defaults. One account's sign-ins take turns at the
 * gateway (SIGNIN_MAX_CONCURRENT_PER_ACCOUNT) and one tenant's password checks at the app
 * server (PASSWORD_CHECKS_PER_TENANT): with the defaults (1) the login rows would measure that
 * queue, not the hop. Both are raised to the login concurrency here; the defences themselves
 * are tested in e2e/, not measured here.
 */
function processEnv(options) {
  const c = String(options.loginConcurrency);
  const env = {
    gateway: { SIGNIN_MAX_CONCURRENT_PER_ACCOUNT: c, SIGNIN_MAX_CONCURRENT_PER_ADDRESS: String(Math.max(8, options.loginConcurrency)) },
    appServer: { PASSWORD_CHECKS_PER_TENANT: c },
  };
  Object.assign(env.gateway, profileHook(options, 'gateway'));
  Object.assign(env.appServer, profileHook(options, 'app-server'));
  return env;
}

/** With --cpu-profile: the environment that preloads the profiling hook into a Node process. */
function profileHook(options, name) {
  if (options.cpuProfileDir === undefined) return {};
  mkdirSync(options.cpuProfileDir, { recursive: true });
  return { NODE_OPTIONS: `--require ${join(REPO_ROOT, 'bench/lib/cpu-profile-hook.cjs')}`, CPU_PROFILE_DIR: options.cpuProfileDir, CPU_PROFILE_NAME: name };
}

async function measure({ stack, secrets, signal, options, databases, processes, nginx, nginxSkipped }) {
  const { SESSION_COOKIE, SessionTokenCodec } = requireBuilt('@mysaas/auth');
  const { appServer, gateway, nodeFloor } = processes;
  const gatewayOrigin = gateway.url;
  const appOrigin = appServer.url;
  const tenantHost = `${TENANT.slug}.${BASE_DOMAIN}:${gateway.port}`;
  const cpuMeasured = cpuTimeSupported();
  if (!cpuMeasured) log('CPU time per process is not measured: it is read from /proc/<pid>/stat, which only Linux has.');
  const pids = cpuMeasured
    ? { gateway: gateway.pid, appServer: appServer.pid, ...(nginx ? { nginx: nginx.pid } : {}), ...(nodeFloor ? { nodeFloor: nodeFloor.pid } : {}) }
    : {};
  const assertRunning = () => {
    gateway.assertRunning();
    appServer.assertRunning();
    nginx?.assertRunning();
    nodeFloor?.assertRunning();
  };

  // The tenant as the control plane knows it: what the gateway puts in the context.
  const tenantClaims = tenantContextClaims(await controlPlaneTenant(stack, secrets, TENANT.slug));

  // One session, opened through the gateway process, for the /api/me measurements.
  const loginBody = JSON.stringify({ email: TENANT.email, password: TENANT.password });
  const cookieValue = await signInThroughGateway({ gatewayUrl: gatewayOrigin, host: tenantHost, email: TENANT.email, password: TENANT.password, cookieName: SESSION_COOKIE });
  const session = new SessionTokenCodec(secrets.sessionSecret).verify(cookieValue);
  if (!session.ok) throw new Error(`the session cookie does not verify: ${session.failure}`);
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(cookieValue)}`;
  const sessionClaims = { session: { id: session.claims.sid, userId: session.claims.uid } };

  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const me = {
    name: 'me', label: 'GET /api/me', concurrency: options.meConcurrency,
    gateway: { origin: gatewayOrigin, method: 'GET', path: '/api/me', headers: { accept: 'application/json', host: tenantHost, cookie } },
    // The cookie is sent here too: the gateway forwards it, so the app server gets the same bytes.
    direct: { method: 'GET', path: '/api/me', headers: { accept: 'application/json', cookie }, context: { secret: secrets.tenantContextSecret, claims: { ...tenantClaims, ...sessionClaims } } },
  };
  const login = {
    name: 'login', label: 'login (POST /auth/login)', concurrency: options.loginConcurrency,
    gateway: { origin: gatewayOrigin, method: 'POST', path: '/auth/login', headers: { ...json, host: tenantHost }, body: loginBody },
    direct: { method: 'POST', path: '/auth/login', headers: json, body: loginBody, context: { secret: secrets.tenantContextSecret, claims: tenantClaims } },
  };
  const measurements = [me, login]
    .filter((m) => options.only === undefined || options.only === m.name)
    .flatMap((m) => [
      { name: m.name, label: m.label, target: 'gateway', concurrency: m.concurrency, request: m.gateway },
      ...(nginx ? [{ name: m.name, label: m.label, target: 'nginx', concurrency: m.concurrency, request: { ...m.direct, origin: nginx.url } }] : []),
      ...(nodeFloor ? [{ name: m.name, label: m.label, target: 'node floor', concurrency: m.concurrency, request: { ...m.direct, origin: nodeFloor.url } }] : []),
      { name: m.name, label: m.label, target: 'direct', concurrency: m.concurrency, request: { ...m.direct, origin: appOrigin } },
    ]);

  // Each request shape once, unmeasured: a wrong header must fail here, not as 5 s of errors.
  for (const m of measurements) await preflight(m.request, `→ ${m.target}`);

  // wrk where it can send the row (a separate C process, as the issue measured); else node.
  const generators = new Set();
  const load = (job, ...rest) => {
    const wrk = options.loadGenerator === 'wrk' && wrkCanSend(job);
    generators.add(wrk ? 'wrk' : 'node');
    return wrk ? runWrk(job, ...rest) : runLoad(job, ...rest);
  };

  // V8 compiles a process's request path while it serves its first few thousand requests: CPU
  // per request falls for the first 10–20 s of load (the first row used to carry that cost,
  // and it made the app server look dearer behind the gateway). Every path gets warm first.
  if (options.warmupRoundMs > 0) {
    log(`Warm-up round: each row's requests for ${options.warmupRoundMs / 1000} s, unmeasured…`);
    for (const m of measurements) {
      await load({ ...m.request, concurrency: m.concurrency, warmupMs: 0, durationMs: options.warmupRoundMs, timeoutMs: DEFAULTS.timeoutMs }, signal);
    }
  }

  const profiled = options.cpuProfileDir === undefined ? [] : [gateway, appServer, ...(nodeFloor ? [nodeFloor] : [])];
  const onPhase = profiled.length === 0 ? undefined : () => profiled.forEach((p) => process.kill(p.pid, 'SIGWINCH'));
  const results = [];
  for (const [index, m] of measurements.entries()) {
    assertRunning();
    log(`[${index + 1}/${measurements.length}] ${m.label} → ${m.target} (${m.request.origin}): ` +
      `${DEFAULTS.warmupMs / 1000} s warm-up, then ${options.durationMs / 1000} s measured, concurrency ${m.concurrency}…`);
    const r = await load(
      { ...m.request, concurrency: m.concurrency, warmupMs: DEFAULTS.warmupMs, durationMs: options.durationMs, timeoutMs: DEFAULTS.timeoutMs },
      signal,
      pids,
      onPhase,
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
      latencyMs: roundedLatencies(r.latencyMs),
      errors: r.errors,
      cpu: {
        gatewayProcess: cpu(r.cpuMs.gateway),
        nginxProcess: nginx ? cpu(r.cpuMs.nginx) : null,
        nodeFloorProcess: nodeFloor ? cpu(r.cpuMs.nodeFloor) : null,
        appServerProcess: cpu(r.cpuMs.appServer),
        benchProcess: cpu(r.processCpuMs),
      },
      machineCpuBusyShare: round(r.machineBusyShare, 3), // of all CPUs, every process on the machine
    };
    results.push(result);
    log(`      ${fmt(result.rps)} rps, p50 ${fmtMs(result.latencyMs.p50)} ms, p99 ${fmtMs(result.latencyMs.p99)} ms, ` +
      `${result.successes} ok / ${result.requests} requests` +
      (result.errors.total > 0 ? `  ⚠ ${result.errors.total} ERRORS: ${errorSummary(result.errors)}; first: ${result.errors.sample}` : ''));
    if (cpuMeasured) {
      const { gatewayProcess: g, nginxProcess: n, appServerProcess: a, benchProcess: b } = result.cpu;
      const proxy = m.target === 'nginx' ? `nginx process ${cpuText(n)}` : m.target === 'node floor' ? `node floor process ${cpuText(result.cpu.nodeFloorProcess)}` : `gateway process ${cpuText(g)}`;
      log(`      CPU per request: ${proxy}, app-server process ${cpuText(a)}, ` +
        `load generator ${cpuText(b)}; the machine's ${machineInfo().cpuCount} CPUs were ${pct(result.machineCpuBusyShare)} busy`);
    }
  }
  if (profiled.length > 0) log(`CPU profiles: ${options.cpuProfileDir}/{gateway,app-server${nodeFloor ? ',node-floor' : ''}}-<n>.cpuprofile, n = the row (${measurements.map((m, i) => `${i + 1} ${m.name} ${m.target}`).join(', ')})`);

  const ratios = [...new Set(measurements.map((m) => m.name))].map((name) => ratio(name, results));
  return {
    database: { mode: databases.kind, ...stack.databases },
    processes: {
      gateway: { command: `node ${GATEWAY_SCRIPT}`, pid: gateway.pid, url: gateway.url },
      appServer: { command: `node ${APP_SERVER_SCRIPT}`, pid: appServer.pid, url: appServer.url },
      nginx: nginx ? { command: '/usr/sbin/nginx (master_process off, keep-alive upstream)', pid: nginx.pid, url: nginx.url } : { skipped: nginxSkipped },
      ...(nodeFloor ? { nodeFloor: { command: `node ${NODE_FLOOR_SCRIPT}`, pid: nodeFloor.pid, url: nodeFloor.url } } : {}),
      idleInProcess: { gateway: `http://127.0.0.1:${stack.gatewayPort}`, appServer: stack.appServerUrl },
    },
    settings: {
      durationSeconds: options.durationMs / 1000, warmupSeconds: DEFAULTS.warmupMs / 1000, warmupRoundSeconds: options.warmupRoundMs / 1000,
      concurrency: { login: options.loginConcurrency, me: options.meConcurrency },
      keepAlive: true,
      loadGenerator: [...generators].map((g) => (g === 'wrk' ? `wrk (${'/usr/bin/wrk'}, one thread, a separate process; one signed tenant context per direct row)` : 'node:http in a worker thread of the benchmark process')).join(' and '),
      cpuPerProcess: cpuMeasured ? 'utime + stime from /proc/<pid>/stat (all threads), over the measured phase' : 'not measured (not Linux)',
      signInLimitsRaised: processEnv({ loginConcurrency: options.loginConcurrency }),
      tenant: TENANT.slug,
    },
    results,
    ratios,
    targets: targetsOf(ratios.find((q) => q.measurement === 'me'), results),
  };
}

const cpuText = (c) => (c == null ? 'n/a' : `${fmtMs(c.msPerRequest)} ms (${Math.round(c.coreShare * 100)}% of a core)`);

function ratio(name, results) {
  const of = (target) => results.find((r) => r.measurement === name && r.target === target);
  const [gateway, nginx, direct] = [of('gateway'), of('nginx'), of('direct')];
  const div = (a, b) => (a == null || b == null || b === 0 ? null : round(a / b, 3));
  const sub = (a, b) => (a == null || b == null ? null : round(a - b, 3));
  return {
    measurement: name,
    label: gateway.label,
    rpsGatewayOverDirect: div(gateway.rps, direct.rps),
    rpsGatewayOverNginx: nginx ? div(gateway.rps, nginx.rps) : null,
    rpsNginxOverDirect: nginx ? div(nginx.rps, direct.rps) : null,
    p50GatewayOverDirect: div(gateway.latencyMs.p50, direct.latencyMs.p50),
    p50AddedMs: sub(gateway.latencyMs.p50, direct.latencyMs.p50),
    p99AddedMs: sub(gateway.latencyMs.p99, direct.latencyMs.p99),
    nginxP50AddedMs: nginx ? sub(nginx.latencyMs.p50, direct.latencyMs.p50) : null,
    nginxP99AddedMs: nginx ? sub(nginx.latencyMs.p99, direct.latencyMs.p99) : null,
    trustworthy: [gateway, nginx, direct].every((r) => r === undefined || r.errors.total === 0),
  };
}

/** Issue 6's three targets for /api/me, each with its figure; null figures when not measured. */
function targetsOf(me, results) {
  if (me === undefined) return null;
  const gatewayCpu = results.find((r) => r.measurement === 'me' && r.target === 'gateway')?.cpu.gatewayProcess?.msPerRequest ?? null;
  const check = (value, ok) => ({ value, met: value == null ? null : ok(value) });
  return {
    rpsOverNginx: { target: `≥ ${TARGETS.rpsOverNginx}`, ...check(me.rpsGatewayOverNginx, (v) => v >= TARGETS.rpsOverNginx) },
    gatewayCpuMsPerRequest: { target: `≤ ${TARGETS.gatewayCpuMsPerRequest}`, ...check(gatewayCpu, (v) => v <= TARGETS.gatewayCpuMsPerRequest) },
    addedP99Ms: { target: `≤ ${TARGETS.addedP99Ms}`, ...check(me.p99AddedMs, (v) => v <= TARGETS.addedP99Ms) },
  };
}

function markdown(report) {
  const { machine, database, settings, processes } = report;
  const rows = report.results.map((r) =>
    `| ${r.label} | ${r.target} | ${fmt(r.rps)} | ${fmtMs(r.latencyMs.p50)} | ${fmtMs(r.latencyMs.p99)} | ${r.errors.total === 0 ? '0' : `**${r.errors.total} ⚠** (${errorSummary(r.errors)})`} |`,
  );
  const ratios = report.ratios.map((q) =>
    `- ${q.label}: gateway/direct rps = **${q.rpsGatewayOverDirect ?? 'n/a'}**` +
    (q.rpsGatewayOverNginx == null ? '' : `, gateway/nginx = **${q.rpsGatewayOverNginx}**, nginx/direct = ${q.rpsNginxOverDirect}`) +
    `; through the gateway p50 ${signed(q.p50AddedMs)} ms, p99 ${signed(q.p99AddedMs)} ms` +
    (q.nginxP99AddedMs == null ? '' : `; through nginx p50 ${signed(q.nginxP50AddedMs)} ms, p99 ${signed(q.nginxP99AddedMs)} ms`) +
    (q.trustworthy ? '' : '  ⚠ **not trustworthy: a side had errors**'),
  );
  const t = report.targets;
  const verdict = (x) => (x.met == null ? 'not measured' : x.met ? 'met' : '**not met**');
  const targets = t == null ? '' : `
Targets (issue 6, GET /api/me):
- gateway throughput / nginx's ${t.rpsOverNginx.target}: ${t.rpsOverNginx.value ?? 'n/a'} — ${verdict(t.rpsOverNginx)}
- gateway CPU per proxied request ${t.gatewayCpuMsPerRequest.target} ms: ${fmtMs(t.gatewayCpuMsPerRequest.value)} ms — ${verdict(t.gatewayCpuMsPerRequest)}
- p99 added by the gateway (gateway − direct) ${t.addedP99Ms.target} ms: ${signed(t.addedP99Ms.value)} ms — ${verdict(t.addedP99Ms)}
`;
  const cpuMeasured = report.results.some((r) => r.cpu.gatewayProcess !== null);
  const cell = (c) => (c == null ? 'n/a' : `${fmtMs(c.msPerRequest)} (${Math.round(c.coreShare * 100)}%)`);
  const proxyCell = (r) =>
    r.target === 'nginx' ? `nginx ${cell(r.cpu.nginxProcess)}` : r.target === 'node floor' ? `node floor ${cell(r.cpu.nodeFloorProcess)}` : cell(r.cpu.gatewayProcess);
  const cpuSection = cpuMeasured
    ? `CPU time per successful request, in ms, of each process (in brackets: its CPU use during the measurement, 100% = one core busy throughout; Postgres not included), and how busy the whole machine's ${machine.cpuCount} CPUs were meanwhile (every process: these, Postgres, anything else running):

| measurement | target | proxy process (gateway, nginx or node floor) | app-server process | load generator (${settings.loadGenerator.startsWith('wrk') ? 'the wrk process' : 'the benchmark process'}) | machine CPUs busy |
|---|---|---:|---:|---:|---:|
${report.results.map((r) => `| ${r.label} | ${r.target} | ${proxyCell(r)} | ${cell(r.cpu.appServerProcess)} | ${cell(r.cpu.benchProcess)} | ${pct(r.machineCpuBusyShare)} |`).join('\n')}
`
    : `CPU time per process: not measured (it is read from /proc/<pid>/stat, which only Linux has). The benchmark process (load generator; the stack's Postgres servers) used per request: ${report.results.map((r) => `${r.measurement} ${r.target} ${fmtMs(r.cpu.benchProcess?.msPerRequest)} ms`).join(', ')}
`;
  const failed = report.results.filter((r) => r.errors.total > 0);
  const warning = failed.length === 0 ? '' :
    `\n> ⚠ **WARNING: ${failed.length} measurement(s) had errors** (non-2xx or failed requests); their figures do not measure what they claim.\n` +
    failed.map((r) => `> - ${r.label} → ${r.target}: ${errorSummary(r.errors)}; first: \`${String(r.errors.sample).replace(/\s+/g, ' ').slice(0, 200)}\``).join('\n') + '\n';
  const dbLine = database.mode === 'embedded'
    ? 'embedded Postgres (two servers started for this run, in the temp data folder)'
    : `Postgres server from DATABASE_URL (control: ${database.control}; pool v1: ${database.pool})`;
  const nginxLine = processes.nginx.skipped
    ? `nginx: **skipped** (${processes.nginx.skipped})`
    : `nginx \`${processes.nginx.command}\` (pid ${processes.nginx.pid}, ${processes.nginx.url}) in front of the same app server, sent the direct requests`;
  const floorLine = processes.nodeFloor ? `; node floor \`${processes.nodeFloor.command}\` (pid ${processes.nodeFloor.pid}, ${processes.nodeFloor.url}), the same` : '';
  const raised = settings.signInLimitsRaised;
  return `## gateway benchmark (${report.date})

${machineMarkdown(machine)}
- Database: ${dbLine}
- Processes: gateway \`${processes.gateway.command}\` (pid ${processes.gateway.pid}, ${processes.gateway.url}); app server \`${processes.appServer.command}\` (pid ${processes.appServer.pid}, ${processes.appServer.url}), pool v1's only upstream; ${nginxLine}${floorLine}. Load generator: ${settings.loadGenerator}; the stack's own app processes stay idle.
- Settings: a warm-up round first (each row's requests for ${settings.warmupRoundSeconds} s, unmeasured), then ${settings.durationSeconds} s measured per row after a ${settings.warmupSeconds} s warm-up; concurrency ${settings.concurrency.me} for /api/me, ${settings.concurrency.login} for login; keep-alive; tenant ${settings.tenant}; latencies of 2xx responses only (wrk: of every response; rows with errors are flagged); sign-in turn-taking raised to the login concurrency (gateway ${Object.entries(raised.gateway).map(([k, v]) => `${k}=${v}`).join(', ')}; app server ${Object.entries(raised.appServer).map(([k, v]) => `${k}=${v}`).join(', ')})
${warning}
| measurement | target | rps | p50 ms | p99 ms | errors |
|---|---|---:|---:|---:|---:|
${rows.join('\n')}

Gateway / direct${report.results.some((r) => r.target === 'nginx') ? ' / nginx' : ''}:
${ratios.join('\n')}
${targets}
${cpuSection}
Requests measured (2xx / all): ${report.results.map((r) => `${r.measurement} ${r.target} ${r.successes}/${r.requests}${r.successes < 100 ? ' (so few that p99 ≈ the slowest)' : ''}`).join(', ')}
`;
}

const signed = (n) => (n == null ? 'n/a' : n >= 0 ? `+${fmtMs(n)}` : `−${fmtMs(-n)}`);
