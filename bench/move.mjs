// Benchmark "move": live tenant moves between pools (issue: "Move a tenant with 1,000,000 link
// rows under steady write traffic. Report the total move time, copy throughput in rows/s beside
// `pg_dump -n <schema> | psql` of the same schema in the same run, the cutover pause (p50/p99
// over 10 moves of a 10,000-row tenant) and requests that failed").
//   live move      two embedded Postgres servers (wal_level=logical) as pools old and new; a
//                  tenant of the platform's real schema (tenantMigrationsFor) with --rows link
//                  rows on old; writers write links the way an app server does (the pool's app
//                  login, SET LOCAL ROLE + search_path) at --rate writes/s, following routing
//                  (platform.tenant_routes, read at every write) and waiting while the tenant
//                  is held (as the gateways do, 5 s at most: then a failed request); the Mover
//                  moves it (logical). Afterwards every acknowledged write must be on the new
//                  pool exactly once.
//   copy vs dump   on the machine's Postgres (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
//                  the embedded servers ship no pg_dump): the same tenant in one database,
//                  timed `pg_dump -n <schema> | psql -q` into a scratch database, and the
//                  Mover's copy step (method blocking) of the same schema to another database.
//   cutover pause  --moves moves of a --small-rows tenant back and forth between the embedded
//                  pools (logical, then blocking), each finalized before the next, light write
//                  traffic running; cutover_pause_ms per move, and the steps' times.
// The control database is on the old embedded server (or a scratch database at DATABASE_URL).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { log, parseBenchmarkArgs, UsageError, wholeNumber } from './lib/benchmark.mjs';
import { requireBuilt } from './lib/platform.mjs';
import { fmt, fmtMs, latencySummary, machineMarkdown, redact, round, roundedLatencies } from './lib/report.mjs';
import { runScratchBenchmark } from './lib/scratch.mjs';

export const summary = 'a live tenant move of 1,000,000 link rows under write traffic, its copy beside pg_dump | psql, and the cutover pause over 10 moves';

const DEFAULTS = { rows: 1_000_000, moves: 10, smallRows: 10_000, rate: 200, writers: 4 };
const QUICK = { rows: 100_000, moves: 3 };
/** The writes beside the cutover moves. */
const LIGHT_TRAFFIC = { writers: 2, rate: 50 };
/** How long a writer waits out a hold before its request counts as failed (the gateway's GATEWAY_MOVE_HOLD_MS). */
const HOLD_LIMIT_MS = 5_000;
const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGETS = { pauseP99Ms: 500, failedWrites: 0, copyVsDump: 0.5 };
/** The part of a cutover pause no step accounts for. */
const BOOKKEEPING = '(between the steps: recording them)';

export const help = `  --rows <n>             link rows of the tenant moved live and copied beside pg_dump (default ${DEFAULTS.rows.toLocaleString('en')})
  --moves <n>            moves per method for the cutover pause (default ${DEFAULTS.moves})
  --small-rows <n>       link rows of the tenant those moves move (default ${DEFAULTS.smallRows.toLocaleString('en')})
  --rate <n>             writes/s during the live move (default ${DEFAULTS.rate}; ${LIGHT_TRAFFIC.rate} during the cutover moves)
  --writers <n>          concurrent writers during the live move (default ${DEFAULTS.writers}; ${LIGHT_TRAFFIC.writers} during the cutover moves)
  --quick                --rows ${QUICK.rows.toLocaleString('en')} --moves ${QUICK.moves} (unless given)
  --json                 print one JSON object on stdout instead of the markdown tables
  -h, --help             show this help
  Servers: two embedded Postgres servers in a temporary folder (removed afterwards) are the
  pools; the control database is on the first, or a scratch database at DATABASE_URL when it
  is set. The copy beside pg_dump | psql runs on DATABASE_URL's server, else on
  ${MACHINE_POSTGRES} if it answers, with /usr/bin/pg_dump
  and /usr/bin/psql (PG_DUMP and PSQL override them); it needs a server no newer than pg_dump
  and a superuser login, else its row says SKIPPED. Every database and role the benchmark
  makes there is dropped at the end.
`;

function parseOptions(args) {
  const values = parseBenchmarkArgs(args, {
    rows: { type: 'string' }, moves: { type: 'string' }, 'small-rows': { type: 'string' },
    rate: { type: 'string' }, writers: { type: 'string' }, quick: { type: 'boolean', default: false },
  });
  if (values.duration !== undefined) throw new UsageError('--duration is not an option of move (see --rows, --moves, --quick)');
  return {
    help: values.help,
    json: values.json,
    quick: values.quick,
    rows: wholeNumber('rows', values.rows, values.quick ? QUICK.rows : DEFAULTS.rows, 1_000, 20_000_000),
    moves: wholeNumber('moves', values.moves, values.quick ? QUICK.moves : DEFAULTS.moves, 1, 100),
    smallRows: wholeNumber('small-rows', values['small-rows'], DEFAULTS.smallRows, 100, 1_000_000),
    rate: wholeNumber('rate', values.rate, DEFAULTS.rate, 1, 5_000),
    writers: wholeNumber('writers', values.writers, DEFAULTS.writers, 1, 64),
  };
}

export async function main(args) {
  return runScratchBenchmark(args, {
    name: 'move',
    summary,
    help,
    parseOptions,
    packages: ['@mysaas/moves', '@mysaas/db', '@mysaas/embedded-db', '@mysaas/modules/schema', '@mysaas/tenancy'],
    measure,
    markdown,
    failures: (report) => {
      const problems = [];
      const check = (label, part) => {
        if (part.error) problems.push(`${label}: ${part.error}`);
        if (part.writes && (part.writes.missing > 0 || part.writes.duplicated > 0)) {
          problems.push(`${label}: ${part.writes.missing} acknowledged writes missing and ${part.writes.duplicated} twice on the final pool`);
        }
      };
      check('live move', report.live);
      check('cutover moves', report.cutover);
      if (report.copy.error) problems.push(`copy beside pg_dump: ${report.copy.error}`);
      return problems.length === 0 ? undefined : problems.join('; ');
    },
  });
}

// ── Measuring ──────────────────────────────────────────────────────────────────────────

async function measure({ options, scratch, signal }) {
  const { LATEST_TENANT_RELEASE } = requireBuilt('@mysaas/modules/schema');
  const release = LATEST_TENANT_RELEASE;
  const suffix = randomBytes(3).toString('hex');

  log('Starting two embedded Postgres servers (pools old and new)…');
  const oldServer = await scratch.startPostgres('old');
  const newServer = await scratch.startPostgres('new');
  const { rows: [version] } = await query(oldServer.adminUrl(), "SELECT current_setting('server_version') AS v");
  await query(oldServer.adminUrl(), 'CREATE DATABASE mysaas_pool_old');
  await query(newServer.adminUrl(), 'CREATE DATABASE mysaas_pool_new');
  let controlUrl = oldServer.adminUrl('mysaas_move_control');
  if (process.env.DATABASE_URL) {
    const server = await serverScratch(process.env.DATABASE_URL, suffix, scratch);
    controlUrl = await server.database('live_ctl');
    log(`Control database: ${redact(controlUrl)}`);
  } else {
    await query(oldServer.adminUrl(), 'CREATE DATABASE mysaas_move_control');
  }
  const site = await makeSite(scratch, {
    controlUrl, release, suffix, writers: Math.max(options.writers, LIGHT_TRAFFIC.writers),
    pools: [{ name: 'old', adminUrl: oldServer.adminUrl('mysaas_pool_old') }, { name: 'new', adminUrl: newServer.adminUrl('mysaas_pool_new') }],
  });
  const settings = {
    ...options, release, embeddedPostgres: version.v, holdLimitMs: HOLD_LIMIT_MS, lightTraffic: LIGHT_TRAFFIC,
    control: process.env.DATABASE_URL ? redact(controlUrl) : 'embedded (on the old pool\'s server)',
  };

  const live = await liveMove({ site, options, signal, suffix });
  const copy = await copyBesideDump({ options, scratch, signal, suffix, release });
  const cutover = await cutoverMoves({ site, options, signal, suffix });
  return { settings, live, copy, cutover };
}

/** 1. One tenant of --rows links moved (logical) under --rate writes/s. */
async function liveMove({ site, options, signal, suffix }) {
  const { Mover } = requireBuilt('@mysaas/moves');
  const { tenantMigrationsFor } = requireBuilt('@mysaas/modules/schema');
  const slug = tenantSlug(`bmv-live-${suffix}`);
  log(`\n[1/3] Live move: tenant ${slug} with ${options.rows.toLocaleString('en')} links on pool old…`);
  const filled = await createTenant(site, 'old', slug, options.rows, signal);
  log(`  filled in ${fmt(filled.ms / 1000)} s`);
  for (const pool of Object.values(site.pools)) await pool.admin.query('CHECKPOINT');
  const traffic = new WriteTraffic({ site, slug, writers: options.writers, rate: options.rate, prefix: 'live' });
  const mover = new Mover({ platform: site.platform, migrations: tenantMigrationsFor, observer: stepLogger() });
  traffic.start();
  try {
    await sleep(1_000, undefined, { signal });
    log(`  moving it to pool new (logical) under ${options.rate} writes/s from ${options.writers} writers…`);
    const started = performance.now();
    const move = await mover.start({ tenant: slug, to: 'new', method: 'logical' });
    const done = await abortable(mover.run(move.id), signal);
    const totalMs = performance.now() - started;
    await sleep(1_000, undefined, { signal });
    await traffic.stop();
    const events = await mover.events(move.id);
    const writes = await traffic.verify(done.state === 'switched' ? 'new' : 'old');
    log(`  ${done.state} in ${fmt(totalMs / 1000)} s; pause ${done.cutoverPauseMs} ms; writes ${writes.acked} acked, ${writes.failed} failed, ${writes.missing} missing`);
    return {
      tenant: slug,
      rows: options.rows,
      fillSeconds: round(filled.ms / 1000, 1),
      state: done.state,
      error: done.state === 'switched' ? undefined : `the move ended ${done.state}: ${done.error}`,
      totalMs: Math.round(totalMs),
      rowsCopied: done.rowsCopied,
      copyMs: done.copyMs,
      copyRowsPerSecond: done.copyMs ? Math.round((done.rowsCopied * 1000) / done.copyMs) : null,
      cutoverPauseMs: done.cutoverPauseMs,
      steps: stepTimes(events),
      pauseBookkeepingMs: pauseBookkeeping(done.cutoverPauseMs, stepTimes(events)),
      writes,
    };
  } finally {
    await traffic.stop();
  }
}

/** 2. The Mover's copy (method blocking) beside pg_dump -n | psql, same schema, machine's Postgres. */
async function copyBesideDump({ options, scratch, signal, suffix, release }) {
  const { Mover } = requireBuilt('@mysaas/moves');
  const { tenantMigrationsFor } = requireBuilt('@mysaas/modules/schema');
  const { tenantSchemaName } = requireBuilt('@mysaas/tenancy');
  const serverUrl = process.env.DATABASE_URL || MACHINE_POSTGRES;
  log(`\n[2/3] Copy beside pg_dump | psql on ${redact(serverUrl)}…`);
  const tools = await dumpTools(serverUrl);
  if (tools.skipped) {
    log(`  SKIPPED: ${tools.skipped}`);
    return { skipped: tools.skipped, server: redact(serverUrl) };
  }
  const server = await serverScratch(serverUrl, suffix, scratch);
  const site = await makeSite(scratch, {
    controlUrl: await server.database('ctl'), release, suffix,
    pools: [{ name: 'old', adminUrl: await server.database('old') }, { name: 'new', adminUrl: await server.database('new') }],
    roles: server.roles,
  });
  const copyUrl = await server.database('dump');
  const slug = tenantSlug(`bmv-dump-${suffix}`);
  server.roles.push(tenantSchemaName(slug));
  const schema = tenantSchemaName(slug);
  log(`  tenant ${slug} with ${options.rows.toLocaleString('en')} links…`);
  const filled = await createTenant(site, 'old', slug, options.rows, signal);
  log(`  filled in ${fmt(filled.ms / 1000)} s`);
  const rows = await rowsIn(site.pools.old.admin, schema);

  // Each timed copy starts without the dirty pages of what ran before it (the fill, the other copy).
  await site.pools.old.admin.query('CHECKPOINT');
  log(`  pg_dump -n ${schema} | psql -q into a scratch database…`);
  const dump = await timePipe(
    [tools.pgDump, ['--no-password', '-n', schema, '-d', site.pools.old.adminUrl]],
    [tools.psql, ['-q', '-X', '--no-password', '-v', 'ON_ERROR_STOP=1', '-d', copyUrl]],
    signal,
  );
  if (dump.error) return { ...tools.info, error: `pg_dump | psql failed: ${dump.error}` };
  const copied = await rowsIn(site.pools.old.admin, schema, copyUrl);
  if (copied !== rows) return { ...tools.info, error: `pg_dump | psql wrote ${copied} rows of ${rows}` };
  log(`  ${fmt(dump.ms / 1000)} s`);

  await site.pools.old.admin.query('CHECKPOINT');
  log('  the Mover, method blocking, to pool new…');
  const mover = new Mover({ platform: site.platform, migrations: tenantMigrationsFor });
  const started = performance.now();
  const move = await mover.start({ tenant: slug, to: 'new', method: 'blocking' });
  const done = await abortable(mover.run(move.id), signal);
  const totalMs = performance.now() - started;
  if (done.state !== 'switched') return { ...tools.info, error: `the blocking move ended ${done.state}: ${done.error}` };
  const steps = stepTimes(await mover.events(move.id));
  const copyMs = steps.find((s) => s.step === 'copy')?.ms ?? done.copyMs;
  const dumpRowsPerSecond = (rows * 1000) / dump.ms;
  const moverRowsPerSecond = (done.rowsCopied * 1000) / copyMs;
  log(`  copy step ${fmt(copyMs / 1000)} s; whole move ${fmt(totalMs / 1000)} s`);
  return {
    ...tools.info,
    tenant: slug,
    rows,
    fillSeconds: round(filled.ms / 1000, 1),
    dump: { ms: Math.round(dump.ms), rowsPerSecond: Math.round(dumpRowsPerSecond) },
    mover: { rowsCopied: done.rowsCopied, copyMs, rowsPerSecond: Math.round(moverRowsPerSecond), moveMs: Math.round(totalMs), cutoverPauseMs: done.cutoverPauseMs, steps },
    ratio: round(moverRowsPerSecond / dumpRowsPerSecond, 2),
  };
}

/** 3. --moves moves each way of a --small-rows tenant, logical then blocking, under light traffic. */
async function cutoverMoves({ site, options, signal, suffix }) {
  const { Mover } = requireBuilt('@mysaas/moves');
  const { tenantMigrationsFor } = requireBuilt('@mysaas/modules/schema');
  const slug = tenantSlug(`bmv-pause-${suffix}`);
  log(`\n[3/3] Cutover pause: tenant ${slug} with ${options.smallRows.toLocaleString('en')} links, ${options.moves} moves per method under ${LIGHT_TRAFFIC.rate} writes/s…`);
  await createTenant(site, 'old', slug, options.smallRows, signal);
  const traffic = new WriteTraffic({ site, slug, ...LIGHT_TRAFFIC, prefix: 'pause' });
  const mover = new Mover({ platform: site.platform, migrations: tenantMigrationsFor });
  const runs = { logical: [], blocking: [] };
  let at = 'old';
  let error;
  traffic.start();
  try {
    await sleep(500, undefined, { signal });
    for (const method of ['logical', 'blocking']) {
      for (let i = 1; i <= options.moves; i++) {
        signal.throwIfAborted();
        const to = at === 'old' ? 'new' : 'old';
        const started = performance.now();
        const move = await mover.start({ tenant: slug, to, method });
        const done = await abortable(mover.run(move.id), signal);
        const totalMs = performance.now() - started;
        if (done.state !== 'switched') {
          error = `${method} move ${i} (${at} → ${to}) ended ${done.state}: ${done.error}`;
          break;
        }
        runs[method].push({ from: at, to, pauseMs: done.cutoverPauseMs, totalMs: Math.round(totalMs), steps: stepTimes(await mover.events(move.id)) });
        log(`  ${method} ${i}/${options.moves} ${at} → ${to}: pause ${done.cutoverPauseMs} ms (move ${Math.round(totalMs)} ms)`);
        // The tenant's old schema goes, so that it can come back there on the next move.
        await abortable(mover.finalize(move.id), signal);
        at = to;
        await sleep(300, undefined, { signal });
      }
      if (error) break;
    }
    await sleep(500, undefined, { signal });
    await traffic.stop();
    const writes = await traffic.verify(at);
    const summarize = (list) => {
      if (list.length === 0) return null;
      const pauses = list.map((r) => r.pauseMs).sort((a, b) => a - b);
      return { moves: list.length, pauseMs: roundedLatencies(latencySummary(pauses)), moveMs: roundedLatencies(latencySummary(list.map((r) => r.totalMs).sort((a, b) => a - b))), steps: stepSummary(list), runs: list };
    };
    return { tenant: slug, rows: options.smallRows, error, logical: summarize(runs.logical), blocking: summarize(runs.blocking), writes };
  } finally {
    await traffic.stop();
  }
}

// ── The servers, the pools and the tenants ─────────────────────────────────────────────

/**
 * Scratch databases and roles on a Postgres server the benchmark did not start: made with a
 * suffix of this run, and dropped at the end (databases first, with their connections).
 */
async function serverScratch(serverUrl, suffix, scratch) {
  const databases = [];
  const roles = [];
  scratch.defer(`dropping the scratch databases and roles on ${redact(serverUrl)}`, async () => {
    for (const name of databases.splice(0).reverse()) await query(serverUrl, `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    for (const role of roles.splice(0)) await query(serverUrl, `DROP ROLE IF EXISTS ${ident(role)}`);
    log(`Dropped the scratch databases and roles on ${redact(serverUrl)}`);
  });
  return {
    roles,
    database: async (label) => {
      const name = `mysaas_bench_move_${suffix}_${label}`;
      databases.push(name);
      await query(serverUrl, `CREATE DATABASE ${ident(name)}`);
      return withUrl(serverUrl, { database: name });
    },
  };
}

/**
 * A control database (platform schema migrated) and pools registered in it as the control
 * plane registers them: the admin URL, and an app login role of their own. `roles` collects
 * the roles made, for a server that outlives the run.
 */
async function makeSite(scratch, { controlUrl, pools, release, suffix, writers = 1, roles = [] }) {
  const { migratePlatform, ensureLoginRole, hardenPoolDatabase } = requireBuilt('@mysaas/db');
  const platform = pgPool(scratch, controlUrl, 4, 'bench-move-mover');
  // What the writers read routing with, as the gateways do: a connection of their own.
  const routes = pgPool(scratch, controlUrl, writers + 2, 'bench-move-gateway');
  await migratePlatform(platform);
  const site = { controlUrl, platform, routes, pools: {}, scratch };
  for (const { name, adminUrl } of pools) {
    const admin = pgPool(scratch, adminUrl, 3, 'bench-move-admin');
    const appRole = `bench_move_app_${name}_${suffix}`;
    const password = randomBytes(12).toString('hex');
    roles.push(appRole);
    await ensureLoginRole(admin, appRole, password);
    await hardenPoolDatabase(admin);
    const app = pgPool(scratch, withUrl(adminUrl, { user: appRole, password }), writers + 2, 'bench-move-app');
    await platform.query('INSERT INTO platform.pools (name, release, status, database_url, app_role) VALUES ($1, $2, $3, $4, $5)', [name, release, 'active', adminUrl, appRole]);
    site.pools[name] = { name, release, adminUrl, appRole, admin, app };
  }
  return site;
}

/**
 * A tenant as the control plane provisions one (its role and schema at the pool's release,
 * then its row in platform.tenants), filled with `rows` links by INSERT … SELECT.
 */
async function createTenant(site, poolName, slug, rows, signal) {
  const { ident: id, provisionTenantSchema } = requireBuilt('@mysaas/db');
  const { tenantMigrationsFor } = requireBuilt('@mysaas/modules/schema');
  const { tenantRoleName, tenantSchemaName } = requireBuilt('@mysaas/tenancy');
  const pool = site.pools[poolName];
  const schema = tenantSchemaName(slug);
  const started = performance.now();
  await provisionTenantSchema(pool.admin, { slug, appRole: pool.appRole, migrations: tenantMigrationsFor(pool.release) });
  const chunk = 200_000;
  for (let from = 1; from <= rows; from += chunk) {
    signal.throwIfAborted();
    await pool.admin.query(
      `INSERT INTO ${id(schema)}.links (code, url, created_at)
       SELECT 'seed-' || i, 'https://www.example.com/articles/' || i || '?utm_source=newsletter&utm_medium=email', now() - make_interval(secs => i)
         FROM generate_series($1::int, $2::int) i`,
      [from, Math.min(rows, from + chunk - 1)],
    );
    if (rows > chunk) log(`  ${Math.min(rows, from + chunk - 1).toLocaleString('en')} links`);
  }
  signal.throwIfAborted();
  await pool.admin.query(`VACUUM (ANALYZE) ${id(schema)}.links`);
  await site.platform.query(
    "INSERT INTO platform.tenants (slug, name, status, pool, schema_name, role_name) VALUES ($1, $1, 'active', $2, $3, $4)",
    [slug, poolName, schema, tenantRoleName(slug)],
  );
  return { ms: performance.now() - started };
}

// ── Write traffic ──────────────────────────────────────────────────────────────────────

/**
 * Writers that each insert one link at a time, as an app server serves a request: the route
 * read from platform.tenant_routes (held: wait for the next routing change, 5 s at most, as
 * the gateway holds requests), then on that pool, with its app login, BEGIN; SET LOCAL ROLE;
 * SET LOCAL search_path; INSERT; COMMIT. Bounded rate; no catching up after a slow write.
 */
class WriteTraffic {
  constructor({ site, slug, writers, rate, prefix }) {
    const { tenantSchemaName } = requireBuilt('@mysaas/tenancy');
    const { ident: id } = requireBuilt('@mysaas/db');
    Object.assign(this, { site, slug, writers, rate, prefix });
    this.begin = `BEGIN; SET LOCAL ROLE ${id(tenantSchemaName(slug))}; SET LOCAL search_path TO ${id(tenantSchemaName(slug))}`;
    this.schema = tenantSchemaName(slug);
    this.acked = new Map();
    this.failures = {};
    this.latencies = [];
    this.heldWrites = 0;
    this.longestHoldMs = 0;
    this.waiters = [];
    this.stopping = false;
  }

  start() {
    this.stopping = false;
    this.running = (async () => {
      // The gateways' LISTEN: a held write waits for the next routing change (or 50 ms).
      this.listener = await this.site.routes.connect();
      this.listener.on('notification', () => this.waiters.splice(0).forEach((wake) => wake()));
      await this.listener.query('LISTEN mysaas_routing');
      await Promise.all(Array.from({ length: this.writers }, (_, i) => this.loop(i)));
    })().catch((error) => {
      this.error = error;
      log(`  writers stopped: ${error?.message ?? error}`);
    });
  }

  async stop() {
    this.stopping = true;
    await this.running;
    this.running = undefined;
    if (this.listener) {
      await this.listener.query('UNLISTEN *').catch(() => undefined);
      this.listener.release();
      this.listener = undefined;
    }
  }

  async loop(i) {
    const interval = (1000 * this.writers) / this.rate;
    let next = performance.now() + (i * interval) / this.writers;
    for (let n = 0; !this.stopping; n++) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      if (this.stopping) break;
      await this.write(`${this.prefix}-${i}-${n}`);
      next = Math.max(next + interval, performance.now());
    }
  }

  changed(ms) {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      setTimeout(resolve, ms);
    });
  }

  async write(code) {
    const started = performance.now();
    let route;
    let heldAt;
    try {
      for (;;) {
        const { rows } = await this.site.routes.query('SELECT pool, held FROM platform.tenant_routes WHERE slug = $1', [this.slug]);
        route = rows[0];
        if (!route.held) break;
        heldAt ??= performance.now();
        if (performance.now() - heldAt > HOLD_LIMIT_MS) return this.fail(`held past ${HOLD_LIMIT_MS / 1000} s (503 TENANT_MOVING at the gateway)`);
        await this.changed(50);
      }
    } catch (error) {
      return this.fail(`routing read: ${error?.message ?? error}`);
    }
    if (heldAt !== undefined) {
      this.heldWrites += 1;
      this.longestHoldMs = Math.max(this.longestHoldMs, performance.now() - heldAt);
    }
    let client;
    try {
      client = await this.site.pools[route.pool].app.connect();
      await client.query(this.begin);
      await client.query('INSERT INTO links (code, url) VALUES ($1, $2)', [code, `https://www.example.com/live/${code}`]);
      await client.query('COMMIT');
    } catch (error) {
      let broken = error;
      if (client) broken = await client.query('ROLLBACK').then(() => undefined, (e) => e);
      client?.release(broken);
      client = undefined;
      // SET ROLE refused: the write block revoked the tenant from this pool's login (the app
      // server answers 503 TENANT_MOVING).
      return this.fail(error?.code === '42501' ? `write-blocked on pool ${route.pool} (503 TENANT_MOVING at the app server)` : `${error?.code ?? ''} ${error?.message ?? error}`.trim());
    } finally {
      client?.release();
    }
    this.acked.set(code, route.pool);
    this.latencies.push(performance.now() - started);
  }

  fail(kind) {
    this.failures[kind] = (this.failures[kind] ?? 0) + 1;
  }

  /** Every acknowledged write on pool `poolName` exactly once; counts and latencies. */
  async verify(poolName) {
    const { ident: id } = requireBuilt('@mysaas/db');
    const { rows } = await this.site.pools[poolName].admin.query(
      `SELECT code, count(*)::int AS n FROM ${id(this.schema)}.links WHERE code LIKE $1 GROUP BY code`,
      [`${this.prefix}-%`],
    );
    const found = new Map(rows.map((r) => [r.code, r.n]));
    let missing = 0;
    let duplicated = 0;
    for (const code of this.acked.keys()) {
      const n = found.get(code) ?? 0;
      if (n === 0) missing += 1;
      else if (n > 1) duplicated += 1;
    }
    const failed = Object.values(this.failures).reduce((a, b) => a + b, 0);
    return {
      pool: poolName,
      acked: this.acked.size,
      ackedByPool: countBy([...this.acked.values()]),
      failed,
      failures: this.failures,
      missing,
      duplicated,
      // A write that failed but is there anyway (its COMMIT went through, its answer did not).
      presentUnacked: [...found.keys()].filter((code) => !this.acked.has(code)).length,
      held: this.heldWrites,
      longestHoldMs: Math.round(this.longestHoldMs),
      latencyMs: roundedLatencies(latencySummary([...this.latencies].sort((a, b) => a - b))),
    };
  }
}

// ── pg_dump | psql ─────────────────────────────────────────────────────────────────────

/** pg_dump and psql, and a server they can work with; `skipped` says why not. */
async function dumpTools(serverUrl) {
  const pgDump = process.env.PG_DUMP || '/usr/bin/pg_dump';
  const psql = process.env.PSQL || '/usr/bin/psql';
  const versionOf = (binary) => {
    const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    const match = /(\d+)\.(\d+)/.exec(out.stdout ?? '');
    return out.status === 0 && match ? { text: out.stdout.trim(), major: Number(match[1]) } : undefined;
  };
  const dumpVersion = versionOf(pgDump);
  if (!dumpVersion) return { skipped: `no pg_dump at ${pgDump} (set PG_DUMP)` };
  if (!versionOf(psql)) return { skipped: `no psql at ${psql} (set PSQL)` };
  let server;
  try {
    const { rows } = await query(serverUrl, "SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS version, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser", [], 3_000);
    server = rows[0];
  } catch (error) {
    return { skipped: `no Postgres server answers at ${redact(serverUrl)} (${error?.message ?? error}); set DATABASE_URL` };
  }
  const serverMajor = Math.floor(server.num / 10_000);
  if (serverMajor > dumpVersion.major) return { skipped: `${dumpVersion.text} cannot dump the server at ${redact(serverUrl)} (Postgres ${server.version})` };
  if (!server.superuser) return { skipped: `the login of ${redact(serverUrl)} is not a superuser (the benchmark creates databases and roles there)` };
  return { pgDump, psql, info: { server: redact(serverUrl), serverVersion: server.version, pgDump: dumpVersion.text } };
}

/** Runs `a | b`, both spawned directly (no shell); resolves with the wall time, or the error. */
function timePipe([aCommand, aArgs], [bCommand, bArgs], signal) {
  signal.throwIfAborted();
  const started = performance.now();
  const a = spawn(aCommand, aArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const b = spawn(bCommand, bArgs, { stdio: [a.stdout, 'ignore', 'pipe'] });
  // b has the pipe's read end now; ours would keep it open (and a's 'close' from coming).
  a.stdout.destroy();
  const stderr = { a: '', b: '' };
  a.stderr.on('data', (d) => { stderr.a += d; });
  b.stderr.on('data', (d) => { stderr.b += d; });
  const exits = [a, b].map((child) => new Promise((done) => {
    child.on('error', (error) => done({ code: -1, error }));
    child.on('close', (code, sig) => done({ code, sig }));
  }));
  const onAbort = () => [a, b].forEach((child) => child.exitCode === null && child.kill('SIGTERM'));
  signal.addEventListener('abort', onAbort, { once: true });
  const finished = Promise.all(exits).then(([ea, eb]) => {
    signal.removeEventListener('abort', onAbort);
    const ms = performance.now() - started;
    const problems = [];
    if (ea.code !== 0) problems.push(`${aCommand} exited ${ea.code ?? ea.sig}${ea.error ? ` (${ea.error.message})` : ''}: ${stderr.a.trim().slice(0, 300)}`);
    if (eb.code !== 0) problems.push(`${bCommand} exited ${eb.code ?? eb.sig}${eb.error ? ` (${eb.error.message})` : ''}: ${stderr.b.trim().slice(0, 300)}`);
    return { ms, error: problems.length > 0 ? problems.join('; ') : undefined };
  });
  return abortable(finished, signal);
}

/** Rows of every ordinary table of `schema` (in the database at `url`, or through `db`). */
async function rowsIn(db, schema, url) {
  const { ident: id } = requireBuilt('@mysaas/db');
  const { tenantTables } = requireBuilt('@mysaas/moves');
  const run = url ? (sql) => query(url, sql) : (sql) => db.query(sql);
  const tables = url ? await tablesAt(url, schema) : await tenantTables(db, schema);
  let total = 0;
  for (const t of tables) total += Number((await run(`SELECT count(*)::bigint AS n FROM ${id(schema)}.${id(t.name)}`)).rows[0].n);
  return total;
}

async function tablesAt(url, schema) {
  const { Client } = requireBuilt('pg');
  const { tenantTables } = requireBuilt('@mysaas/moves');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await tenantTables(client, schema);
  } finally {
    await client.end();
  }
}

// ── Small helpers ──────────────────────────────────────────────────────────────────────

const ident = (name) => requireBuilt('@mysaas/db').ident(name);

function tenantSlug(text) {
  return requireBuilt('@mysaas/tenancy').parseTenantSlug(text);
}

/** One statement on a connection of its own. */
async function query(url, sql, params = [], timeoutMs = 10_000) {
  const { Client } = requireBuilt('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A pg Pool ended at the end of the run (bounded: a client still checked out does not hold it up). */
function pgPool(scratch, url, max, applicationName) {
  const { Pool } = requireBuilt('pg');
  const pool = new Pool({ connectionString: url, max, application_name: applicationName, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  scratch.defer(`closing a connection pool (${applicationName})`, () => Promise.race([pool.end(), sleep(2_000)]));
  return pool;
}

function withUrl(url, { user, password, database }) {
  const parsed = new URL(url);
  if (user !== undefined) parsed.username = encodeURIComponent(user);
  if (password !== undefined) parsed.password = encodeURIComponent(password);
  if (database !== undefined) parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Resolves or rejects with `promise`, or rejects with the abort reason first. */
function abortable(promise, signal) {
  promise.catch(() => undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function stepLogger() {
  return { stepDone: (_move, step, ms) => log(`    ${step}: ${ms} ms`) };
}

/** The steps a move did, in order, with their ms and figures (mover.events). */
function stepTimes(events) {
  return events.filter((e) => e.outcome === 'done' && e.ms !== null).map((e) => ({ step: e.step, ms: e.ms, details: e.details }));
}

/** The steps inside the cutover pause: from the hold on requests to the switch. */
function inPause(steps) {
  const first = steps.findIndex((s) => s.step === 'hold-requests');
  return first < 0 ? [] : steps.slice(first).filter((s) => !['requested', 'drop-old'].includes(s.step));
}

/** What the pause spent outside the steps' own work: the mover's records of them (control database writes). */
function pauseBookkeeping(pauseMs, steps) {
  return pauseMs == null ? null : pauseMs - inPause(steps).reduce((sum, s) => sum + s.ms, 0);
}

/** Per step over several moves: p50 and max ms, in the order of the first move; then the bookkeeping. */
function stepSummary(runs) {
  const pauseNames = new Set(inPause(runs[0].steps).map((s) => s.step));
  const summaryOf = (step, values) => {
    const { p50, max } = latencySummary(values.filter((v) => v !== undefined && v !== null).sort((a, b) => a - b));
    return { step, inPause: pauseNames.has(step) || step === BOOKKEEPING, p50, max };
  };
  return [
    ...runs[0].steps.map(({ step }) => summaryOf(step, runs.map((r) => r.steps.find((s) => s.step === step)?.ms))),
    summaryOf(BOOKKEEPING, runs.map((r) => pauseBookkeeping(r.pauseMs, r.steps))),
  ];
}

function countBy(values) {
  const counts = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

// ── Report ─────────────────────────────────────────────────────────────────────────────

const int = (n) => (n == null ? 'n/a' : Math.round(n).toLocaleString('en'));
const verdict = (ok) => (ok ? 'met' : '**not met**');

function failuresText(writes) {
  const entries = Object.entries(writes.failures);
  return entries.length === 0 ? '0' : `${writes.failed} (${entries.map(([kind, n]) => `${n}× ${kind}`).join('; ')})`;
}

function stepsLine(steps) {
  return steps.map((s) => `${s.step} ${int(s.ms)}`).join(' · ');
}

function markdown(report) {
  const { settings, live, copy, cutover } = report;
  const out = [];
  out.push(`## move benchmark (${report.date})

${machineMarkdown(report.machine)}
- Settings: pools old and new on two embedded Postgres ${settings.embeddedPostgres} servers (wal_level=logical), both at tenant release ${settings.release}; control database ${settings.control}. Writes: one link each, as an app server writes (the pool's app login, SET LOCAL ROLE/search_path), routed by platform.tenant_routes at every write, waiting out a hold for ${settings.holdLimitMs / 1000} s at most.
`);

  out.push(`### 1. Live move (logical): ${int(live.rows)} link rows under ${settings.rate} writes/s (${settings.writers} writers)

| total move s (start → switched) | rows copied | copy s | copy rows/s | cutover pause ms | writes acked | failed writes | acked writes missing / twice on new | write p50 / p99 / max ms | writes held (longest hold ms) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| ${fmt(live.totalMs / 1000)} | ${int(live.rowsCopied)} | ${fmt(live.copyMs / 1000)} | ${int(live.copyRowsPerSecond)} | ${int(live.cutoverPauseMs)} | ${int(live.writes.acked)} | ${failuresText(live.writes)} | ${live.writes.missing} / ${live.writes.duplicated} | ${fmtMs(live.writes.latencyMs.p50)} / ${fmtMs(live.writes.latencyMs.p99)} / ${fmtMs(live.writes.latencyMs.max)} | ${live.writes.held} (${int(live.writes.longestHoldMs)}) |

Steps (ms, mover.events): ${stepsLine(live.steps)}; in the pause but in no step (recording the steps): ${int(live.pauseBookkeepingMs)} ms${live.error ? `\n\n**${live.error}**` : ''}
`);

  if (copy.skipped) {
    out.push(`### 2. Copy throughput beside pg_dump | psql

SKIPPED: ${copy.skipped}
`);
  } else if (copy.error) {
    out.push(`### 2. Copy throughput beside pg_dump | psql

**FAILED: ${copy.error}**
`);
  } else {
    out.push(`### 2. Copy throughput beside pg_dump | psql: ${int(copy.rows)} rows, one schema, on Postgres ${copy.serverVersion} (${copy.server})

| copy of ${copy.tenant}'s schema to another database | rows | s | rows/s | vs pg_dump \\| psql |
|---|---:|---:|---:|---:|
| \`pg_dump -n <schema> \\| psql -q\` (${copy.pgDump}) | ${int(copy.rows)} | ${fmt(copy.dump.ms / 1000)} | ${int(copy.dump.rowsPerSecond)} | 1 |
| Mover, method blocking: its copy step | ${int(copy.mover.rowsCopied)} | ${fmt(copy.mover.copyMs / 1000)} | ${int(copy.mover.rowsPerSecond)} | ${copy.ratio} |

The whole blocking move took ${fmt(copy.mover.moveMs / 1000)} s, its cutover pause ${int(copy.mover.cutoverPauseMs)} ms. Steps (ms): ${stepsLine(copy.mover.steps)}
`);
  }

  const pauseRow = (label, s) => (s
    ? `| ${label} | ${s.moves} | ${fmtMs(s.pauseMs.p50)} | ${fmtMs(s.pauseMs.p99)} | ${fmtMs(s.pauseMs.max)} | ${fmtMs(s.moveMs.p50)} |`
    : `| ${label} | 0 | – | – | – | – |`);
  const stepRows = (label, s) => (s ? s.steps.filter((x) => x.inPause).map((x) => `| ${label} | ${x.step} | ${fmtMs(x.p50)} | ${fmtMs(x.max)} |`) : []);
  out.push(`### 3. Cutover pause: ${settings.moves} moves per method of a ${int(cutover.rows)}-row tenant, back and forth, under ${settings.lightTraffic.rate} writes/s

| method | moves | pause p50 ms | p99 ms | max ms | whole move p50 ms |
|---|---:|---:|---:|---:|---:|
${pauseRow('logical', cutover.logical)}
${pauseRow('blocking', cutover.blocking)}

Writes during these moves: ${int(cutover.writes.acked)} acked, failed ${failuresText(cutover.writes)}, ${cutover.writes.missing} missing / ${cutover.writes.duplicated} twice on the final pool; ${cutover.writes.held} waited on a hold (longest ${int(cutover.writes.longestHoldMs)} ms); write p50 / p99 / max ${fmtMs(cutover.writes.latencyMs.p50)} / ${fmtMs(cutover.writes.latencyMs.p99)} / ${fmtMs(cutover.writes.latencyMs.max)} ms.${cutover.error ? `\n\n**${cutover.error}**` : ''}

Where the pause goes (per step, over the moves):

| method | step | p50 ms | max ms |
|---|---|---:|---:|
${[...stepRows('logical', cutover.logical), ...stepRows('blocking', cutover.blocking)].join('\n')}
`);

  const p99 = cutover.logical?.pauseMs.p99;
  const failed = live.writes.failed + cutover.writes.failed;
  out.push(`Targets:
- cutover pause p99 (logical, ${int(cutover.rows)}-row tenant, ${cutover.logical?.moves ?? 0} moves): ${fmtMs(p99)} ms (target < ${TARGETS.pauseP99Ms} ms) — ${verdict(p99 != null && p99 < TARGETS.pauseP99Ms)}
- failed requests: ${live.writes.failed} during the live move, ${cutover.writes.failed} during the cutover moves (target ${TARGETS.failedWrites}) — ${verdict(failed === TARGETS.failedWrites)}
- copy throughput, Mover / pg_dump | psql: ${copy.ratio ?? 'n/a'} (target ≥ ${TARGETS.copyVsDump}) — ${copy.ratio == null ? `not measured (${copy.skipped ?? copy.error})` : verdict(copy.ratio >= TARGETS.copyVsDump)}
`);
  return out.join('\n');
}
