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
import {
  APP_SERVER_SCRIPT, BASE_DOMAIN, controlPlaneTenant, GATEWAY_SCRIPT, preflight, signInThroughGateway, startPoolProcesses, stopPoolProcesses,
  tenantContextClaims,
} from './lib/apps.mjs';
import { durationMs, log, parseBenchmarkArgs, runBenchmark, wholeNumber } from './lib/benchmark.mjs';
import { runLoad } from './lib/load.mjs';
import { requireBuilt } from './lib/platform.mjs';
import { cpuTimeSupported } from './lib/processes.mjs';
import { errorSummary, fmt, fmtMs, machineInfo, machineMarkdown, pct, round, roundedLatencies } from './lib/report.mjs';

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

function parseOptions(args) {
  const values = parseBenchmarkArgs(args, { concurrency: { type: 'string' } });
  const concurrency = wholeNumber('concurrency', values.concurrency, undefined, 1, 256);
  return {
    help: values.help,
    json: values.json,
    durationMs: durationMs(values.duration, DEFAULTS.duration),
    loginConcurrency: concurrency ?? DEFAULTS.loginConcurrency,
    meConcurrency: concurrency ?? DEFAULTS.meConcurrency,
  };
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
      // The two processes compared; stopped (gateway first) before the stack, whatever happens.
      const processes = {};
      try {
        await startPoolProcesses({
          stack, secrets, signal, processes, log,
          description: ` (node ${APP_SERVER_SCRIPT}, node ${GATEWAY_SCRIPT})`,
          previousUpstream: `${stack.appServerUrl}, the stack's own (idle) app-server process`,
        });
        return await measure({ stack, secrets, signal, options, databases, processes });
      } finally {
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

async function measure({ stack, secrets, signal, options, databases, processes }) {
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
  const tenantClaims = tenantContextClaims(await controlPlaneTenant(stack, secrets, TENANT.slug));

  // One session, opened through the gateway process, for the /api/me measurements.
  const loginBody = JSON.stringify({ email: TENANT.email, password: TENANT.password });
  const cookieValue = await signInThroughGateway({ gatewayUrl: gatewayOrigin, host: tenantHost, email: TENANT.email, password: TENANT.password, cookieName: SESSION_COOKIE });
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
  for (const m of measurements) await preflight(m.request, `→ ${m.target}`);

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
      latencyMs: roundedLatencies(r.latencyMs),
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
      loadGenerator: 'node:http in a worker thread of the benchmark process (the stack\'s own app processes stay idle)',
      cpuPerProcess: cpuMeasured ? 'utime + stime from /proc/<pid>/stat (all threads), over the measured phase' : 'not measured (not Linux)',
      tenant: TENANT.slug,
    },
    results,
    ratios: ['login', 'me'].map((name) => ratio(name, results)),
  };
}

const cpuText = (c) => (c == null ? 'n/a' : `${fmtMs(c.msPerRequest)} ms (${Math.round(c.coreShare * 100)}% of a core)`);

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

| measurement | target | gateway process | app-server process | benchmark process (load generator; the stack's Postgres servers) | machine CPUs busy |
|---|---|---:|---:|---:|---:|
${report.results.map((r) => `| ${r.label} | ${r.target} | ${cell(r.cpu.gatewayProcess)} | ${cell(r.cpu.appServerProcess)} | ${cell(r.cpu.benchProcess)} | ${pct(r.machineCpuBusyShare)} |`).join('\n')}
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
  return `## gateway benchmark (${report.date})

${machineMarkdown(machine)}
- Database: ${dbLine}
- Processes: gateway \`${processes.gateway.command}\` (pid ${processes.gateway.pid}, ${processes.gateway.url}); app server \`${processes.appServer.command}\` (pid ${processes.appServer.pid}, ${processes.appServer.url}), pool v1's only upstream. The load generator runs in the benchmark process; the stack's own app processes stay idle.
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

const signed = (n) => (n == null ? 'n/a' : n >= 0 ? `+${fmtMs(n)}` : `−${fmtMs(-n)}`);
