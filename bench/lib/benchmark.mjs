// The frame every benchmark's main(args) shares: options and help, what must be built, the
// platform started and stopped around the measurement, the report, and the exit code.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseSourceFromEnv, Interrupted, REPO_ROOT, requireBuilt, withStack } from './platform.mjs';
import { busy, loadAverageNow, machineInfo, machineReport, redact } from './report.mjs';

/** Progress goes to stderr; stdout is for the results only. */
export const log = (message) => process.stderr.write(`${message}\n`);

/** A bad option: the benchmark exits with 2 and its help. */
export class UsageError extends Error {}

/**
 * The values of a benchmark's options: `--duration`, `--json`, `-h`/`--help`, and its own
 * (parseArgs option specs). Throws on an unknown option or an argument that is not one.
 */
export function parseBenchmarkArgs(args, own = {}) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      duration: { type: 'string' },
      ...own,
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  return values;
}

/** --duration: seconds in (0, 300], as ms. */
export function durationMs(value, fallbackSeconds) {
  const seconds = value === undefined ? fallbackSeconds : Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) {
    throw new UsageError(`--duration: "${value}" is not a number of seconds in (0, 300]`);
  }
  return Math.round(seconds * 1000);
}

/** An option that is a whole number from `min` to `max`; `fallback` when not given. */
export function wholeNumber(name, value, fallback, min, max) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: "${value}" is not a whole number from ${min} to ${max}`);
  return n;
}

/**
 * Runs one benchmark on a freshly started platform and returns its exit code.
 * - `parseOptions(args)` returns the options (with `help` and `json`) or throws a UsageError;
 * - `packages` and `scripts` must be built, checked before the platform starts;
 * - `measure({ stack, secrets, dataDir, signal, options, databases })` runs on a freshly
 *   started platform and returns the report, to which the benchmark's name, the date and the
 *   machine (with its load before and after) are added in front;
 * - `markdown(report)` renders it (unless --json), and `failures(report)` says what makes its
 *   figures untrustworthy (exit code 1), or nothing.
 */
export async function runBenchmark(args, spec) {
  const { scripts = [], measure } = spec;
  return runMeasured(args, spec, async (options, report) => {
    // Fail here, not after the platform started, if something is not built.
    for (const script of scripts) {
      if (!existsSync(join(REPO_ROOT, script))) {
        throw new Error(`${script} is missing: run \`npm run build\`, or use \`npm run bench\`, which builds first`);
      }
    }
    const databases = databaseSourceFromEnv();
    log(databases.kind === 'embedded'
      ? 'Database: embedded Postgres (two servers, started for this run)'
      : `Database: the Postgres server in DATABASE_URL (${redact(databases.url)}); databases mysaas_control and mysaas_pool_v1 are created there if missing`);
    return withStack({ databases, log }, async (context) => report(await measure({ ...context, options, databases })));
  });
}

/**
 * What every benchmark runner shares: the options and --help, the built packages, a note when
 * the machine is already busy, the report on stdout (markdown, or --json) and the exit code.
 * `within(options, report)` sets up what the benchmark runs on, measures, and returns
 * `report(measured)` made before it tears down (so the machine's load is read after the run).
 */
export async function runMeasured(args, { name, summary, help, parseOptions, packages = [], markdown, failures }, within) {
  let options;
  try {
    options = parseOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError) && error?.code?.startsWith?.('ERR_PARSE_ARGS') !== true) throw error;
    process.stderr.write(`${name}: ${error.message}\n\nOptions of "${name}":\n${help}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`Usage: npm run bench -- ${name} [options]\n\n${summary}\n\nOptions:\n${help}`);
    return 0;
  }
  for (const pkg of packages) requireBuilt(pkg);
  const startedAt = new Date();
  const loadAtStart = loadAverageNow();
  const busyNote = busy({ cpuCount: machineInfo().cpuCount, loadAverage: { atStart: loadAtStart } }).replace(/\*\*/g, '');
  if (busyNote) log(busyNote.trim());

  try {
    const report = await within(options, (measured) => ({ benchmark: name, date: startedAt.toISOString(), machine: machineReport(loadAtStart), ...measured }));
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(markdown(report));
    const failed = failures(report);
    if (failed) {
      log(`\n⚠ WARNING: ${failed}`);
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
