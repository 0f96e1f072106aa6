// Benchmark "connection-reset": what it costs to reset a pooled connection's session after
// every tenant transaction. In one run, on one freshly started platform, on one DataSource
// (the app server's pool settings) and under the same closed-loop load, it measures side by
// side four ways of running a tenant transaction whose work is one small query:
//   A old (no reset)     START TRANSACTION | SET LOCAL ROLE + search_path | work | COMMIT
//   B old + DISCARD ALL  the same, then DISCARD ALL before the connection goes back
//   C platform           TenantDatabase.run from @mysaas/db, as shipped: BEGIN + the tenant's
//                        statement timeout (its role's setting, cached for 10 s, so read from
//                        pg_roles about once per tenant per 10 s) + role + search_path | work |
//                        role check + COMMIT + the session reset
//   D old + reset in COMMIT (diagnostic): A's round trips, with C's reset sent in COMMIT's round
//                        trip; the reset alone, without the platform's other changes
// A, B and D are the code before the change, rebuilt in plain SQL on a raw QueryRunner.
// Transactions alternate between tenants acme and globex, so connections pass between tenants.
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { controlPlaneTenant, POOL } from './lib/apps.mjs';
import { durationMs, log, parseBenchmarkArgs, runBenchmark, wholeNumber } from './lib/benchmark.mjs';
import { requireBuilt } from './lib/platform.mjs';
import { cpuTimeSupported, machineCpuTimeMs, processCpuTimeMs } from './lib/processes.mjs';
import { errorSummary, fmt, fmtMs, latencySummary, machineMarkdown, pct, round } from './lib/report.mjs';

export const summary = 'tenant transactions/s, p50/p99: no session reset vs + DISCARD ALL vs the platform (reset sent with COMMIT)';

const DEFAULTS = { duration: 1.5, concurrency: 8, warmupMs: 500 };

export const help = `  --duration <seconds>   measured time per run (default ${DEFAULTS.duration}), after a ${DEFAULTS.warmupMs / 1000} s warm-up;
                         16 runs in all (4 variants × 2 concurrencies × 2 repetitions)
  --concurrency <n>      concurrent transaction loops for the loaded measurement (default
                         ${DEFAULTS.concurrency}); every variant is also measured at concurrency 1
  --json                 print one JSON object on stdout instead of the markdown tables
  -h, --help             show this help
  Database: embedded Postgres, or the server in DATABASE_URL when it is set (the stack then
  creates databases mysaas_control and mysaas_pool_v1 there). All variants connect with the
  pool's least-privilege app login; on Linux with embedded Postgres the CPU time of the
  Postgres backends per transaction is reported too.
`;

const TENANT_SLUGS = ['acme', 'globex'];
const APPLICATION_NAME = 'mysaas-bench/connection-reset';
const WORK_SQL = 'SELECT id, email FROM users LIMIT 1';
/** A session-level setting the checks leave on the connection, to see who resets it. */
const PROBE_WORK_MEM = '4321kB';

const VARIANTS = [
  { key: 'old', short: 'A', label: 'A old (no reset)', roundTrips: 3, sql: 'START TRANSACTION · SET LOCAL ROLE; SET LOCAL search_path · work · COMMIT', resets: false },
  { key: 'discardAll', short: 'B', label: 'B old + DISCARD ALL', roundTrips: 4, sql: 'as A · DISCARD ALL', resets: true },
  { key: 'platform', short: 'C', label: 'C platform (TenantDatabase.run, timeout cached)', roundTrips: 2, sql: 'START TRANSACTION; SET LOCAL statement_timeout (the role\'s, cached 10 s); SET LOCAL ROLE; SET LOCAL search_path · work · role check; COMMIT; RESET ALL; … DISCARD TEMP', resets: true },
  { key: 'commitReset', short: 'D', label: 'D old + reset in COMMIT (diagnostic)', roundTrips: 3, sql: "as A, but COMMIT; RESET ALL; … DISCARD TEMP (C's reset) in one round trip", resets: true },
];
/** A-B-C-D-D-C-B-A: each variant's mean position in the sequence is the same, so drift favours none. */
const ORDER = ['old', 'discardAll', 'platform', 'commitReset', 'commitReset', 'platform', 'discardAll', 'old'];

function parseOptions(args) {
  const values = parseBenchmarkArgs(args, { concurrency: { type: 'string' } });
  const concurrency = wholeNumber('concurrency', values.concurrency, DEFAULTS.concurrency, 1, 256);
  return {
    help: values.help,
    json: values.json,
    durationMs: durationMs(values.duration, DEFAULTS.duration),
    concurrencies: concurrency === 1 ? [1] : [1, concurrency],
  };
}

export function main(args) {
  return runBenchmark(args, {
    name: 'connection-reset',
    summary,
    help,
    parseOptions,
    packages: ['@mysaas/db', '@mysaas/config', '@mysaas/tenancy', '@mysaas/embedded-db'],
    measure,
    markdown,
    failures(report) {
      const failed = report.runs.filter((r) => r.errors.total > 0);
      return failed.length === 0 ? undefined : `${failed.length} run(s) had failed transactions: ` +
        `${failed.map((r) => `${r.label} at concurrency ${r.concurrency}: ${errorSummary(r.errors)}`).join('; ')}. Their figures are not trustworthy.`;
    },
  });
}

async function measure({ stack, secrets, signal, options, databases }) {
  const { createPoolDataSource } = requireBuilt('@mysaas/db');
  const { loadAppServerConfig } = requireBuilt('@mysaas/config');
  // The app server's own settings (pool size, per-tenant share, timeouts), from its loader.
  const config = loadAppServerConfig({
    POOL_NAME: POOL.name,
    RELEASE: String(POOL.release),
    POOL_DATABASE_URL: stack.logins.poolAppUrl,
    TENANT_CONTEXT_SECRET: secrets.tenantContextSecret,
    SESSION_SECRET: secrets.sessionSecret,
  });
  const appRole = decodeURIComponent(new URL(stack.logins.poolAppUrl).username);
  const tenants = [];
  for (const slug of TENANT_SLUGS) tenants.push(await tenantRef(stack, secrets, slug));

  const checks = await checkVariants({ config, appRole, tenant: tenants[0], createPoolDataSource, signal });

  const dataSource = await createPoolDataSource({
    url: config.database.url,
    entities: [],
    maxConnections: config.database.maxConnections,
    connectionWaitMs: config.database.connectionWaitMs,
    applicationName: APPLICATION_NAME,
  }).initialize();
  try {
    const [{ server_version: serverVersion }] = await dataSource.query('SHOW server_version');
    const variants = variantsOn(dataSource, config);
    const backendCpuMeasured = databases.kind === 'embedded' && cpuTimeSupported();
    if (!backendCpuMeasured) {
      log(databases.kind === 'embedded'
        ? 'CPU time of the Postgres backends is not measured: it is read from /proc/<pid>/stat, which only Linux has.'
        : 'CPU time of the Postgres backends is not measured: DATABASE_URL may name a server whose processes this machine cannot see.');
    }

    const runs = [];
    const total = options.concurrencies.length * ORDER.length;
    for (const concurrency of options.concurrencies) {
      const seen = {};
      for (const key of ORDER) {
        const variant = variants[key];
        seen[key] = (seen[key] ?? 0) + 1;
        log(`[${runs.length + 1}/${total}] ${variant.label}, concurrency ${concurrency} (repetition ${seen[key]}): ` +
          `${DEFAULTS.warmupMs / 1000} s warm-up, then ${options.durationMs / 1000} s measured…`);
        const run = await measureRun({
          dataSource, variant, tenants, tenantShare: config.database.maxConnectionsPerTenant, concurrency, durationMs: options.durationMs, backendCpuMeasured, signal,
        });
        run.repetition = seen[key];
        runs.push(run);
        log(`      ${fmt(run.tps)} tx/s, p50 ${fmtMs(run.latencyMs.p50)} ms, p99 ${fmtMs(run.latencyMs.p99)} ms, ` +
          `${run.transactions} ok / ${run.transactions + run.errors.total}` +
          (run.cpuUsPerTx.postgres == null ? '' : `; CPU per tx: Node ${fmtUs(run.cpuUsPerTx.node)} µs, Postgres ${fmtUs(run.cpuUsPerTx.postgres)} µs`) +
          (run.shareWaits > 0 ? `; ${run.shareWaits} waited for their tenant's connection share` : '') +
          (run.errors.total > 0 ? `  ⚠ ${run.errors.total} ERRORS: ${errorSummary(run.errors)}; first: ${run.errors.sample}` : ''));
      }
    }

    const results = [];
    for (const concurrency of options.concurrencies) {
      for (const variant of VARIANTS) results.push(aggregate(runs.filter((r) => r.concurrency === concurrency && r.variant === variant.key)));
    }
    for (const result of results) {
      const old = results.find((r) => r.concurrency === result.concurrency && r.variant === 'old');
      result.vsOld = {
        meanLatencyUs: round((result.latencyMs.mean - old.latencyMs.mean) * 1000, 0),
        // Wall time per transaction at this load: what the variant costs in throughput.
        inverseThroughputUs: round(1e6 / result.tps - 1e6 / old.tps, 0),
      };
    }
    for (const run of runs) delete run.latencies;

    return {
      database: { mode: databases.kind, serverVersion, ...stack.databases },
      settings: {
        durationSeconds: options.durationMs / 1000,
        warmupSeconds: DEFAULTS.warmupMs / 1000,
        concurrencies: options.concurrencies,
        order: ORDER.map(variantShort).join('-'),
        tenantChoice: 'each loop alternates acme/globex, staying with its tenant when the other already has its connection share in flight',
        login: `${appRole} (the pool's app login)`,
        pool: { maxConnections: config.database.maxConnections, connectionWaitMs: config.database.connectionWaitMs, applicationName: APPLICATION_NAME },
        tenantDatabase: {
          maxConnectionsPerTenant: config.database.maxConnectionsPerTenant,
          statementTimeoutMs: config.database.statementTimeoutMs,
        },
        work: `${WORK_SQL} (through the transaction's EntityManager)`,
        tenants: TENANT_SLUGS,
        loadGenerator: 'closed loops on the main thread of the benchmark process (the stack\'s own app processes stay idle)',
        cpu: backendCpuMeasured
          ? 'Node: process.cpuUsage() of the benchmark process; Postgres: utime + stime of the pool\'s backends (/proc/<pid>/stat), over the measured phase'
          : 'Node: process.cpuUsage() of the benchmark process; Postgres: not measured',
      },
      variants: VARIANTS.map(({ key, short, label, roundTrips, sql, resets }) => ({ key, short, label, roundTripsBesidesWork: roundTrips, sql, resetsSession: resets })),
      checks,
      runs,
      results,
    };
  } finally {
    await dataSource.destroy();
  }
}

/** The tenant as the control plane knows it (the connection share is keyed by its id). */
async function tenantRef(stack, secrets, slug) {
  const { id } = await controlPlaneTenant(stack, secrets, slug);
  return { id, slug, email: `demo@${slug}.test` };
}

/**
 * The variants: each `run(tenant, work)` runs `work(manager)` in a tenant transaction on
 * `dataSource`. The platform's also counts transactions that had to wait for their tenant's
 * share of the connections (a wait the old code did not have).
 */
function variantsOn(dataSource, config) {
  // The session reset the platform sends with COMMIT, exported so variant D sends the same.
  const { ident, SESSION_RESET_SQL: PLATFORM_RESET, TenantDatabase } = requireBuilt('@mysaas/db');
  const { tenantRoleName, tenantSchemaName } = requireBuilt('@mysaas/tenancy');

  // The code before the change (its begin/commit/release), in plain SQL: three round trips.
  const oldRun = ({ discardAll = false, resetWithCommit = false } = {}) => async (tenant, work) => {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
    } catch (error) {
      await runner.release();
      throw error;
    }
    try {
      await runner.query('START TRANSACTION');
      await runner.query(`SET LOCAL ROLE ${ident(tenantRoleName(tenant.slug))}; SET LOCAL search_path TO ${ident(tenantSchemaName(tenant.slug))}`);
      const result = await work(runner.manager);
      await runner.query(resetWithCommit ? `COMMIT; ${PLATFORM_RESET}` : 'COMMIT');
      // Refused inside a transaction and in a multi-statement string: a round trip of its own.
      if (discardAll) await runner.query('DISCARD ALL');
      await runner.release();
      return result;
    } catch (error) {
      // Its state is unknown: the connection is closed, not pooled.
      await runner.releasePostgresConnection(error);
      throw error;
    }
  };

  const tenantDb = new TenantDatabase(dataSource, {
    statementTimeoutMs: config.database.statementTimeoutMs,
    maxConnectionsPerTenant: config.database.maxConnectionsPerTenant,
    connectionWaitMs: config.database.connectionWaitMs,
  });
  const countsWaits = typeof tenantDb.connectionsHeldBy === 'function';
  const platformVariant = {
    shareWaits: countsWaits ? 0 : null,
    run(tenant, work) {
      if (countsWaits && tenantDb.connectionsHeldBy(tenant.id) >= config.database.maxConnectionsPerTenant) platformVariant.shareWaits += 1;
      return tenantDb.run(tenant, work);
    },
  };
  const byKey = {
    old: { run: oldRun() },
    discardAll: { run: oldRun({ discardAll: true }) },
    platform: platformVariant,
    commitReset: { run: oldRun({ resetWithCommit: true }) },
  };
  return Object.fromEntries(VARIANTS.map((v) => [v.key, Object.assign(byKey[v.key], { key: v.key, label: v.label })]));
}

/**
 * Before measuring, on a DataSource of one connection (so every step runs on the same
 * backend): leave a session-level setting on the connection, run one transaction of each
 * variant, and see what the connection carries afterwards. Throws unless each variant ran its
 * work as the tenant, gave back the app role, and reset the setting exactly when it claims to.
 */
async function checkVariants({ config, appRole, tenant, createPoolDataSource, signal }) {
  const { tenantRoleName } = requireBuilt('@mysaas/tenancy');
  log(`Checking each variant on one connection (SET work_mem = '${PROBE_WORK_MEM}' before it; what remains after it)…`);
  const dataSource = await createPoolDataSource({
    url: config.database.url,
    entities: [],
    maxConnections: 1,
    connectionWaitMs: config.database.connectionWaitMs,
    applicationName: `${APPLICATION_NAME}/check`,
  }).initialize();
  try {
    const variants = variantsOn(dataSource, config);
    const tenantRole = tenantRoleName(tenant.slug);
    const session = async () => (await dataSource.query(
      "SELECT pg_backend_pid() AS pid, current_user AS \"user\", session_user AS \"sessionUser\", current_setting('work_mem') AS \"workMem\"",
    ))[0];
    const checks = [];
    for (const { key, label, resets } of VARIANTS) {
      signal.throwIfAborted();
      await dataSource.query('RESET ALL'); // a raw runner: no guard, no tenant
      const clean = await session();
      if (clean.workMem === PROBE_WORK_MEM) throw new Error(`check: work_mem defaults to ${PROBE_WORK_MEM} on this server; the probe cannot tell a reset`);
      await dataSource.query(`SET work_mem = '${PROBE_WORK_MEM}'`);
      const [inside] = await variants[key].run(tenant, (manager) => manager.query(
        'SELECT pg_backend_pid() AS pid, current_user AS "user", (SELECT email FROM users LIMIT 1) AS email',
      ));
      const after = await session();
      const problems = [];
      if (inside.pid !== clean.pid || after.pid !== clean.pid) problems.push(`ran on backends ${clean.pid}/${inside.pid}/${after.pid}, not one`);
      if (inside.user !== tenantRole) problems.push(`its work ran as ${inside.user}, not ${tenantRole}`);
      if (inside.email !== tenant.email) problems.push(`its work read ${inside.email} from users, not ${tenant.email}`);
      if (after.user !== appRole || after.sessionUser !== appRole) problems.push(`left current_user = ${after.user} (session_user ${after.sessionUser}), not ${appRole}`);
      const resetDone = after.workMem === clean.workMem;
      if (resets && !resetDone) problems.push(`left the session's work_mem at ${after.workMem}: it did not reset the session`);
      if (!resets && after.workMem !== PROBE_WORK_MEM) problems.push(`changed the session's work_mem to ${after.workMem}: the baseline must not reset the session`);
      if (problems.length > 0) throw new Error(`check of "${label}" failed: it ${problems.join('; ')}`);
      log(`  ✓ ${label}: work ran as ${inside.user} (read ${inside.email}); afterwards current_user = ${after.user}, ` +
        `work_mem = ${after.workMem} (${resetDone ? `reset from ${PROBE_WORK_MEM}` : 'not reset, as the baseline should'})`);
      checks.push({ variant: key, backendPid: clean.pid, workRanAs: inside.user, afterCurrentUser: after.user, workMemBefore: PROBE_WORK_MEM, workMemAfter: after.workMem, sessionReset: resetDone });
    }
    return checks;
  } finally {
    await dataSource.destroy();
  }
}

/**
 * One run: `concurrency` loops, each running one transaction after another (closed loop); a
 * warm-up, then the measured phase. Transactions in flight at the deadline are waited for and
 * counted. A transaction whose work read another tenant's row counts as an error.
 *
 * Each loop alternates between the two tenants, except that it stays with its tenant when the
 * other already has `tenantShare` transactions in flight: loops drift apart, and without that
 * rule the platform's per-tenant share (which the old code lacks) would make some of its
 * transactions wait for a permit while connections sit idle, a cost of this load's imbalance
 * rather than of the reset. Every variant gets the same rule.
 */
async function measureRun({ dataSource, variant, tenants, tenantShare, concurrency, durationMs, backendCpuMeasured, signal }) {
  const work = (manager) => manager.query(WORK_SQL);
  const inFlight = new Map(tenants.map((t) => [t, 0]));
  let switches = 0;
  const loops = async (ms, record) => {
    const started = performance.now();
    const deadline = started + ms;
    const loop = async (i) => {
      let tenant = tenants[i % tenants.length];
      for (let k = 0; performance.now() < deadline && !signal.aborted; k++) {
        if (k > 0) {
          const other = tenants[(tenants.indexOf(tenant) + 1) % tenants.length];
          if (inFlight.get(other) < tenantShare) {
            tenant = other;
            if (record) switches += 1;
          }
        }
        inFlight.set(tenant, inFlight.get(tenant) + 1);
        const t0 = performance.now();
        let failure;
        try {
          const rows = await variant.run(tenant, work);
          if (rows[0]?.email !== tenant.email) failure = { kind: 'wrong-tenant', message: `${tenant.slug} read ${JSON.stringify(rows[0])}` };
        } catch (error) {
          failure = { kind: error?.code ?? error?.name ?? 'error', message: String(error?.message ?? error) };
        }
        inFlight.set(tenant, inFlight.get(tenant) - 1);
        record?.(failure, performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
    signal.throwIfAborted();
    return performance.now() - started;
  };

  await loops(DEFAULTS.warmupMs);
  // The pool's connections as the measured phase starts (warmed up: none opens in it).
  const backendsAtStart = backendCpuMeasured ? await backendCpu(dataSource) : null;
  const machineAtStart = machineCpuTimeMs();
  const nodeAtStart = process.cpuUsage();
  const shareWaitsAtStart = variant.shareWaits;

  const latencies = [];
  const byKind = {};
  let sample;
  const elapsedMs = await loops(durationMs, (failure, ms) => {
    if (failure === undefined) return void latencies.push(ms);
    byKind[failure.kind] = (byKind[failure.kind] ?? 0) + 1;
    sample ??= failure.message.slice(0, 300);
  });

  const node = process.cpuUsage(nodeAtStart);
  const machineAtEnd = machineCpuTimeMs();
  const backendsAtEnd = backendCpuMeasured ? await backendCpu(dataSource) : null;
  let postgresCpuMs = null;
  let backendsNote;
  if (backendsAtStart && backendsAtEnd) {
    postgresCpuMs = 0;
    for (const [pid, ms] of backendsAtEnd) {
      if (backendsAtStart.has(pid)) {
        postgresCpuMs += ms - backendsAtStart.get(pid);
      } else {
        postgresCpuMs += ms;
        backendsNote = 'a backend started during the measured phase: all of its CPU time counts';
      }
    }
    if ([...backendsAtStart.keys()].some((pid) => !backendsAtEnd.has(pid))) backendsNote = 'a backend ended during the measured phase: its CPU time is missing';
  }
  const machineTotal = machineAtStart && machineAtEnd ? machineAtEnd.totalMs - machineAtStart.totalMs : 0;

  latencies.sort((a, b) => a - b);
  const errorsTotal = Object.values(byKind).reduce((a, b) => a + b, 0);
  const perTx = (ms) => (ms == null || latencies.length === 0 ? null : round((ms * 1000) / latencies.length, 1));
  return {
    variant: variant.key,
    label: variant.label,
    concurrency,
    transactions: latencies.length,
    elapsedMs: round(elapsedMs, 1),
    tps: round(latencies.length / (elapsedMs / 1000), 1),
    latencyMs: stats(latencies),
    errors: { total: errorsTotal, byKind, sample },
    // Only the platform has a per-tenant share (null: not counted).
    shareWaits: variant.shareWaits == null ? null : variant.shareWaits - shareWaitsAtStart,
    // Of the transactions after a loop's first: the share that went to the other tenant.
    tenantSwitchShare: latencies.length + errorsTotal <= concurrency ? null : round(switches / (latencies.length + errorsTotal - concurrency), 3),
    cpuMs: { node: round((node.user + node.system) / 1000, 1), postgres: round(postgresCpuMs, 1), postgresBackends: backendsAtEnd?.size ?? null, note: backendsNote },
    cpuUsPerTx: { node: perTx((node.user + node.system) / 1000), postgres: perTx(postgresCpuMs) },
    machineCpuBusyShare: machineTotal > 0 ? round((machineAtEnd.busyMs - machineAtStart.busyMs) / machineTotal, 3) : null,
    latencies,
  };
}

/** CPU time so far of each of the pool's backends (ours, by application_name): pid → ms. */
async function backendCpu(dataSource) {
  const rows = await dataSource.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [APPLICATION_NAME]);
  const cpu = new Map();
  for (const { pid } of rows) {
    const ms = processCpuTimeMs(pid);
    if (ms !== null) cpu.set(pid, ms);
  }
  return cpu;
}

/** Both repetitions of one variant at one concurrency, taken together. */
function aggregate(runs) {
  const [first] = runs;
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const transactions = runs.reduce((a, r) => a + r.transactions, 0);
  const elapsedMs = runs.reduce((a, r) => a + r.elapsedMs, 0);
  const sum = (pick) => (runs.some((r) => pick(r) == null) ? null : runs.reduce((a, r) => a + pick(r), 0));
  const perTx = (ms) => (ms == null || transactions === 0 ? null : round((ms * 1000) / transactions, 1));
  const errors = { total: 0, byKind: {} };
  for (const r of runs) {
    errors.total += r.errors.total;
    for (const [kind, n] of Object.entries(r.errors.byKind)) errors.byKind[kind] = (errors.byKind[kind] ?? 0) + n;
  }
  return {
    variant: first.variant,
    label: first.label,
    concurrency: first.concurrency,
    repetitions: runs.length,
    transactions,
    tps: round(transactions / (elapsedMs / 1000), 1),
    tpsPerRepetition: runs.map((r) => r.tps),
    latencyMs: stats(latencies),
    errors,
    shareWaits: sum((r) => r.shareWaits),
    tenantSwitchShare: runs.some((r) => r.tenantSwitchShare == null) ? null : round(runs.reduce((a, r) => a + r.tenantSwitchShare, 0) / runs.length, 3),
    cpuUsPerTx: { node: perTx(sum((r) => r.cpuMs.node)), postgres: perTx(sum((r) => r.cpuMs.postgres)) },
    machineCpuBusyShare: runs.some((r) => r.machineCpuBusyShare == null) ? null : round(runs.reduce((a, r) => a + r.machineCpuBusyShare, 0) / runs.length, 3),
  };
}

function stats(sorted) {
  const { p50, p99, mean, max } = latencySummary(sorted);
  return { p50: round(p50, 3), p99: round(p99, 3), mean: round(mean, 4), max: round(max, 3) };
}

function markdown(report) {
  const { machine, database, settings } = report;
  const variant = (key) => report.variants.find((v) => v.key === key);
  const rows = report.results.map((r) =>
    `| ${r.concurrency} | ${r.label} | ${variant(r.variant).roundTripsBesidesWork} | ${fmt(r.tps)} | ${fmtMs(r.latencyMs.p50)} | ${fmtMs(r.latencyMs.p99)} | ${fmtMs(r.latencyMs.max)} | ` +
      `${r.variant === 'old' ? '—' : signedUs(r.vsOld.meanLatencyUs)} | ${r.variant === 'old' ? '—' : signedUs(r.vsOld.inverseThroughputUs)} | ` +
      `${r.errors.total === 0 ? '0' : `**${r.errors.total} ⚠** (${errorSummary(r.errors)})`} |`,
  );
  const cpuMeasured = report.results.some((r) => r.cpuUsPerTx.postgres !== null);
  const cpuRows = report.results.map((r) =>
    `| ${r.concurrency} | ${r.label} | ${fmtUs(r.cpuUsPerTx.node)} | ${cpuMeasured ? fmtUs(r.cpuUsPerTx.postgres) : 'n/a'} | ${pct(r.machineCpuBusyShare)} |`,
  );
  const notes = [...new Set(report.runs.map((r) => r.cpuMs.note).filter(Boolean))];
  const waits = report.results.filter((r) => r.shareWaits > 0);
  const failed = report.runs.filter((r) => r.errors.total > 0);
  const warning = failed.length === 0 ? '' :
    `\n> ⚠ **WARNING: ${failed.length} run(s) had failed transactions**; their figures do not measure what they claim.\n` +
    failed.map((r) => `> - ${r.label}, concurrency ${r.concurrency}: ${errorSummary(r.errors)}; first: \`${String(r.errors.sample).replace(/\s+/g, ' ').slice(0, 200)}\``).join('\n') + '\n';
  const dbLine = database.mode === 'embedded'
    ? `embedded Postgres ${database.serverVersion} (started for this run, in the temp data folder)`
    : `Postgres ${database.serverVersion} from DATABASE_URL (pool v1: ${database.pool})`;
  return `## connection-reset benchmark (${report.date})

${machineMarkdown(machine)}
- Database: ${dbLine}, login ${settings.login}
- Pool: one DataSource (createPoolDataSource), ${settings.pool.maxConnections} connections; TenantDatabase with the app server's defaults (${settings.tenantDatabase.maxConnectionsPerTenant} connections per tenant, statement timeout ${settings.tenantDatabase.statementTimeoutMs} ms)
- Work in each transaction: \`${WORK_SQL}\` through its EntityManager; tenants ${settings.tenants.join(' / ')}: ${settings.tenantChoice} (share of transactions that switched tenant: ${report.results.map((r) => `${variantShort(r.variant)}@${r.concurrency} ${pct(r.tenantSwitchShare)}`).join(', ')})
- Settings: ${settings.durationSeconds} s measured per run after a ${settings.warmupSeconds} s warm-up; 2 runs per row, in the order ${settings.order} at each concurrency; figures of both runs together
- Variants: ${report.variants.map((v) => `${v.short} = ${v.sql}`).join('; ')}
${warning}
| concurrency | variant | round trips besides the work | tx/s | p50 ms | p99 ms | max ms | Δ mean latency vs old, µs/tx | Δ 1/throughput vs old, µs/tx | errors |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

CPU time per transaction, in µs${cpuMeasured ? '' : ' (Postgres: not measured)'}, and how busy the machine's ${machine.cpuCount} CPUs were meanwhile (every process, anything else running included):

| concurrency | variant | benchmark process (Node: TypeORM, pg, the platform code) | Postgres backends of the pool | machine CPUs busy |
|---|---|---:|---:|---:|
${cpuRows.join('\n')}
${notes.length > 0 ? `\nNote: ${notes.join('; ')}.\n` : ''}
tx/s of each run, in the order measured: ${settings.concurrencies.map((c) =>
    `concurrency ${c}: ${report.runs.filter((r) => r.concurrency === c).map((r) => `${variantShort(r.variant)} ${fmt(r.tps)}`).join(', ')}`).join('; ')}
${waits.length > 0 ? `\nTransactions that waited for their tenant's connection share (platform only): ${waits.map((r) => `${r.shareWaits} of ${r.transactions} at concurrency ${r.concurrency}`).join(', ')}.\n` : ''}
Checked before measuring, on one connection with \`SET work_mem = '${PROBE_WORK_MEM}'\` left on it: ${report.checks.map((c) =>
    `${variantShort(c.variant)}: work as ${c.workRanAs}, then current_user ${c.afterCurrentUser}, work_mem ${c.workMemAfter}${c.sessionReset ? ' (reset)' : ' (kept)'}`).join('; ')}.
`;
}

const variantShort = (key) => VARIANTS.find((v) => v.key === key).short;

const fmtUs = (n) => (n == null ? 'n/a' : n.toFixed(0));
const signedUs = (n) => (n == null ? 'n/a' : n >= 0 ? `+${n.toFixed(0)}` : `−${(-n).toFixed(0)}`);
