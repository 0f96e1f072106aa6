// Benchmark "fleet" (issue 8): a pool with many tenants, on the stack's pool v1.
//   provisioning   --tenants tenants created one at a time through the control plane's API
//                  (POST /platform/tenants), each timed; reported for the tenants numbered
//                  1–10, 91–100 and 991–1000 (the pool's 10th, 100th and 1,000th tenant).
//                  Beside it, where one creation's time goes: an argon2 hash of the first
//                  user's password alone, and provisionTenantSchema alone (no seed), 10 each.
//   patch          a two-statement migration over every schema the benchmark created:
//                  migrateFleet (what `saas migrate --pool` runs) at --concurrency, against the
//                  naive loop (one schema after the other, each in its own transaction, its
//                  role and search_path set, applyMigrations: one check per schema). Each runs
//                  a patch of its own (another column), so both do real work.
//   no-op          both again with every schema current.
// Migrations run with the pool's admin login, as the control plane registered it.
import { performance } from 'node:perf_hooks';
import { log, parseBenchmarkArgs, runBenchmark, wholeNumber } from './lib/benchmark.mjs';
import { fetchOnce } from './lib/load.mjs';
import { requireBuilt } from './lib/platform.mjs';
import { fmt, fmtMs, latencySummary, machineMarkdown, round, roundedLatencies } from './lib/report.mjs';

export const summary = "provisioning time at 10, 100 and 1,000 tenants on a pool, and a fleet migration's and a no-op's time, migrateFleet vs a naive loop";

const DEFAULTS = { tenants: 1_000, concurrency: 8, samples: 10 };
const POOL_NAME = 'v1';
/** The tenants whose provisioning times are reported: the pool's 10th, 100th and 1,000th, with the 9 before each. */
const WINDOWS = [[1, 10], [91, 100], [991, 1_000]];
const TARGETS = { provisioningP50Ms: 200, patchSeconds: 60, noopSeconds: 2 };

const PATCH = {
  id: '9000_bench_patch', release: 1,
  sql: 'ALTER TABLE links ADD COLUMN bench_note text; CREATE INDEX links_bench_note ON links (bench_note)',
};
const NAIVE_PATCH = {
  id: '9001_bench_patch_naive', release: 1,
  sql: 'ALTER TABLE links ADD COLUMN bench_note_naive text; CREATE INDEX links_bench_note_naive ON links (bench_note_naive)',
};

export const help = `  --tenants <n>          tenants to create on pool ${POOL_NAME} (default ${DEFAULTS.tenants}; 100 for a quick run)
  --concurrency <n>      schemas migrateFleet migrates at once (default ${DEFAULTS.concurrency})
  --json                 print one JSON object on stdout instead of the markdown table
  -h, --help             show this help
  Database: embedded Postgres (in a temporary folder, removed afterwards), or the server in
  DATABASE_URL: there the tenants it created are dropped at the end (schemas, roles, and
  their rows in the control plane's tables).
`;

function parseOptions(args) {
  const values = parseBenchmarkArgs(args, { tenants: { type: 'string' }, concurrency: { type: 'string' } });
  return {
    help: values.help,
    json: values.json,
    tenants: wholeNumber('tenants', values.tenants, DEFAULTS.tenants, 10, 10_000),
    concurrency: wholeNumber('concurrency', values.concurrency, DEFAULTS.concurrency, 1, 32),
  };
}

export async function main(args) {
  return runBenchmark(args, {
    name: 'fleet',
    summary,
    help,
    parseOptions,
    packages: ['@mysaas/db', '@mysaas/modules', '@mysaas/tenancy', '@mysaas/auth'],
    measure,
    markdown,
    failures: (report) => {
      const problems = [];
      if (report.provisioning.errors.length > 0) problems.push(`${report.provisioning.errors.length} tenants were not provisioned`);
      for (const run of report.migrations) {
        if (run.failed > 0 || run.notReached > 0) problems.push(`${run.label}: ${run.failed} schemas failed, ${run.notReached} not reached`);
        if (run.migrated !== run.expectMigrated) problems.push(`${run.label}: ${run.migrated} schemas migrated, ${run.expectMigrated} expected`);
      }
      return problems.length === 0 ? undefined : problems.join('; ');
    },
  });
}

async function measure({ stack, options, signal, databases }) {
  const { Pool } = requireBuilt('pg');
  const { applyMigrations, dropTenantSchema, ident, inTransaction, migrateFleet, provisionTenantSchema, TENANT_MIGRATIONS_TABLE } = requireBuilt('@mysaas/db');
  const { tenantMigrationsFor } = requireBuilt('@mysaas/modules/schema');
  const { parseTenantSlug, tenantRoleName, tenantSchemaName } = requireBuilt('@mysaas/tenancy');
  const { hashPassword } = requireBuilt('@mysaas/auth');

  const control = new Pool({ connectionString: stack.controlAdminUrl, max: 1 });
  const { rows: [pool] } = await control.query('SELECT release, database_url, app_role FROM platform.pools WHERE name = $1', [POOL_NAME]);
  if (!pool) throw new Error(`pool ${POOL_NAME} is not registered on the control plane`);
  // The pool's admin login, as the control plane uses it to provision and migrate.
  const db = new Pool({ connectionString: pool.database_url, max: options.concurrency + 1, application_name: 'bench-fleet' });
  const prefix = `fl${Math.random().toString(36).slice(2, 6)}`;
  const created = [];
  const direct = [];
  try {
    const { rows: [before] } = await db.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE $1', ['t\\_%']);

    // 1. Provisioning through the API, one tenant at a time.
    log(`Provisioning ${options.tenants} tenants on pool ${POOL_NAME} (${before.n} tenant schemas there already), one at a time…`);
    const timings = [];
    const errors = [];
    const began = Date.now();
    for (let i = 1; i <= options.tenants; i++) {
      signal.throwIfAborted();
      const slug = `${prefix}-${i}`;
      const started = performance.now();
      const res = await fetchOnce(`${stack.controlPlaneUrl}/platform/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminToken}` },
        body: { slug, name: slug, adminEmail: `admin@${slug}.test`, adminPassword: 'bench-password-1', pool: POOL_NAME },
      }).catch((error) => ({ status: 0, text: String(error?.message ?? error) }));
      const ms = performance.now() - started;
      if (res.status === 201) {
        timings.push({ n: i, ms });
        created.push(slug);
      } else {
        errors.push({ n: i, status: res.status, text: res.text.slice(0, 300) });
        log(`  tenant ${i}: ${res.status} ${res.text.slice(0, 300)}`);
      }
      if (i % 100 === 0 || i === options.tenants) {
        const last = timings.filter((t) => t.n > i - 100).map((t) => t.ms).sort((a, b) => a - b);
        log(`  ${i} (${((Date.now() - began) / 1000).toFixed(0)} s; the last 100: p50 ${fmtMs(latencySummary(last).p50)} ms)`);
      }
    }
    const windows = WINDOWS.filter(([, to]) => to <= options.tenants).map(([from, to]) => {
      const ms = timings.filter((t) => t.n >= from && t.n <= to).map((t) => t.ms).sort((a, b) => a - b);
      return { from, to, count: ms.length, ms: roundedLatencies(latencySummary(ms)) };
    });
    const all = roundedLatencies(latencySummary(timings.map((t) => t.ms).sort((a, b) => a - b)));
    const seconds = round((Date.now() - began) / 1000, 1);

    // Where one creation's time goes, at this size: the password hash, and the pool's part.
    log(`Timing an argon2 hash and provisionTenantSchema alone, ${DEFAULTS.samples} each…`);
    const hashMs = [];
    for (let i = 0; i < DEFAULTS.samples; i++) {
      const started = performance.now();
      await hashPassword('bench-password-1');
      hashMs.push(performance.now() - started);
    }
    const migrations = tenantMigrationsFor(pool.release);
    const schemaMs = [];
    for (let i = 1; i <= DEFAULTS.samples; i++) {
      signal.throwIfAborted();
      const slug = parseTenantSlug(`${prefix}-direct-${i}`);
      const started = performance.now();
      direct.push(slug);
      await provisionTenantSchema(db, { slug, appRole: pool.app_role, migrations });
      schemaMs.push(performance.now() - started);
    }
    for (const slug of direct.splice(0)) await dropTenantSchema(db, slug);
    const provisioning = {
      windows,
      all,
      seconds,
      errors,
      hashMs: roundedLatencies(latencySummary(hashMs.sort((a, b) => a - b))),
      provisionTenantSchemaMs: roundedLatencies(latencySummary(schemaMs.sort((a, b) => a - b))),
    };

    // 2 and 3. The patch, then the no-op, by each engine.
    const fleetList = [...migrations, PATCH];
    const naiveList = [...migrations, PATCH, NAIVE_PATCH];
    const fleet = async (label, list, expectMigrated) => {
      log(`${label}: migrateFleet over ${created.length} schemas, concurrency ${options.concurrency}…`);
      const perSchema = [];
      const started = performance.now();
      const report = await migrateFleet({
        db, tenants: created, migrations: list, concurrency: options.concurrency, signal,
        on: { schema: (o) => o.status === 'migrated' && perSchema.push(o.ms) },
      });
      const seconds = (performance.now() - started) / 1000;
      signal.throwIfAborted();
      for (const f of report.failed.slice(0, 5)) log(`  ${f.slug}: ${f.reason}`);
      return result(label, 'migrateFleet', seconds, report.migrated.length, report.failed.length, report.notReached.length, expectMigrated, perSchema);
    };
    const naive = async (label, list, expectMigrated) => {
      log(`${label}: the naive loop over ${created.length} schemas, one at a time…`);
      const perSchema = [];
      let migrated = 0;
      let failed = 0;
      const started = performance.now();
      for (const slug of created) {
        signal.throwIfAborted();
        const schemaStarted = performance.now();
        try {
          const ran = await inTransaction(db, async (client) => {
            await client.query(`SET LOCAL ROLE ${ident(tenantRoleName(slug))}`);
            await client.query(`SET LOCAL search_path TO ${ident(tenantSchemaName(slug))}`);
            return applyMigrations(client, list, { table: TENANT_MIGRATIONS_TABLE, where: `schema ${tenantSchemaName(slug)}` });
          });
          if (ran.length > 0) {
            migrated += 1;
            perSchema.push(performance.now() - schemaStarted);
          }
        } catch (error) {
          failed += 1;
          if (failed <= 5) log(`  ${slug}: ${error?.message ?? error}`);
        }
      }
      return result(label, 'naive loop', (performance.now() - started) / 1000, migrated, failed, 0, expectMigrated, perSchema);
    };
    const result = (label, engine, seconds, migrated, failed, notReached, expectMigrated, perSchema) => ({
      label, engine, schemas: created.length, migrated, failed, notReached, expectMigrated,
      seconds: round(seconds, 3),
      schemasPerSecond: round(created.length / seconds, 1),
      perSchemaMs: perSchema.length === 0 ? null : roundedLatencies(latencySummary(perSchema.sort((a, b) => a - b))),
    });
    const runs = [
      await fleet('patch', fleetList, created.length),
      await naive('patch', naiveList, created.length),
      await fleet('no-op', naiveList, 0),
      await naive('no-op', naiveList, 0),
    ];
    for (const run of runs) log(`  ${run.label}, ${run.engine}: ${run.seconds} s, ${run.migrated} migrated`);

    // What the pool's catalog holds by now: the size DDL and planning work against.
    const { rows: [catalog] } = await db.query(
      `SELECT (SELECT count(*)::int FROM pg_namespace WHERE nspname LIKE 't\\_%') AS schemas, (SELECT count(*)::int FROM pg_class) AS relations`,
    );
    return {
      settings: { tenants: options.tenants, concurrency: options.concurrency, pool: POOL_NAME, release: pool.release, tenantSchemasBefore: before.n, patch: PATCH, naivePatch: NAIVE_PATCH },
      provisioning,
      migrations: runs,
      catalog,
    };
  } finally {
    // A temporary embedded stack goes with its folder; on a server of one's own, drop what we made.
    if (databases.kind !== 'embedded' && created.length + direct.length > 0) {
      log(`Dropping the ${created.length + direct.length} tenants this run created…`);
      for (const slug of [...created, ...direct]) await dropTenantSchema(db, slug).catch((error) => log(`  ${slug}: ${error?.message ?? error}`));
      await control.query('DELETE FROM platform.tenants WHERE slug = ANY($1)', [created]).catch((error) => log(`  control plane rows: ${error?.message ?? error}`));
    }
    await db.end();
    await control.end();
  }
}

function markdown(report) {
  const { settings, provisioning: p } = report;
  const windowRows = p.windows.map((w) => `| ${w.from}–${w.to} | ${w.count} | ${fmtMs(w.ms.p50)} | ${fmtMs(w.ms.p99)} | ${fmtMs(w.ms.max)} |`);
  const runRows = report.migrations.map((r) =>
    `| ${r.label} | ${r.engine}${r.engine === 'migrateFleet' ? `, concurrency ${settings.concurrency}` : ', one at a time'} | ${r.schemas} | ${r.migrated} | ${fmtMs(r.seconds)} | ${fmt(r.schemasPerSecond)} | ${r.perSchemaMs ? `${fmtMs(r.perSchemaMs.p50)} / ${fmtMs(r.perSchemaMs.p99)}` : '–'} |`);
  const find = (label, engine) => report.migrations.find((r) => r.label === label && r.engine === engine);
  const last = p.windows[p.windows.length - 1];
  const at = (n) => (n === 1_000 ? '' : `; stated for 1,000, measured at ${n}`);
  const verdict = (ok) => (ok ? 'met' : '**not met**');
  const patch = find('patch', 'migrateFleet');
  const noop = find('no-op', 'migrateFleet');
  return `## fleet benchmark (${report.date})

${machineMarkdown(report.machine)}
- Settings: ${settings.tenants} tenants created one at a time on pool ${settings.pool} (release ${settings.release}; ${settings.tenantSchemasBefore} tenant schemas there before), through \`POST /platform/tenants\`; migrations with the pool's admin login. The patch is two statements (\`ADD COLUMN\`, \`CREATE INDEX\`) on \`links\`; the naive loop runs its own patch (another column) after migrateFleet's, so both do real work. At the end the pool had ${report.catalog.schemas} tenant schemas and ${report.catalog.relations} rows in pg_class.

| tenants numbered | created | provisioning p50 ms | p99 ms | max ms |
|---|---:|---:|---:|---:|
${windowRows.join('\n')}
| all 1–${settings.tenants} | ${settings.tenants - p.errors.length} | ${fmtMs(p.all.p50)} | ${fmtMs(p.all.p99)} | ${fmtMs(p.all.max)} |

Within one creation (${DEFAULTS.samples} each, after the ${settings.tenants}th): argon2 hash of the first user's password p50 ${fmtMs(p.hashMs.p50)} ms; \`provisionTenantSchema\` alone (role, schema, release ${settings.release} migrations, no seed) p50 ${fmtMs(p.provisionTenantSchemaMs.p50)} ms, p99 ${fmtMs(p.provisionTenantSchemaMs.p99)} ms.

| run | engine | schemas | migrated | total s | schemas/s | per schema p50 / p99 ms |
|---|---|---:|---:|---:|---:|---:|
${runRows.join('\n')}

Targets (issue 8):
- provisioning p50 at tenants ${last.from}–${last.to}: ${fmtMs(last.ms.p50)} ms (target < ${TARGETS.provisioningP50Ms} ms${at(last.to)}) — ${verdict(last.ms.p50 < TARGETS.provisioningP50Ms)}
- patch over ${patch.schemas} schemas, migrateFleet: ${fmtMs(patch.seconds)} s (target ≤ ${TARGETS.patchSeconds} s${at(patch.schemas)}) — ${verdict(patch.seconds <= TARGETS.patchSeconds)}; the naive loop: ${fmtMs(find('patch', 'naive loop').seconds)} s
- no-op over ${noop.schemas} schemas, migrateFleet: ${fmtMs(noop.seconds)} s (target ≤ ${TARGETS.noopSeconds} s${at(noop.schemas)}) — ${verdict(noop.seconds <= TARGETS.noopSeconds)}; the naive loop: ${fmtMs(find('no-op', 'naive loop').seconds)} s
`;
}
