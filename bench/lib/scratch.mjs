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
import { log, runMeasured } from './benchmark.mjs';
import { interruptOnSignals, requireBuilt } from './platform.mjs';

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
  const takeSignals = interruptOnSignals({ controller, log, stopping: 'stopping the benchmark and cleaning up…', leftover: () => dir ?? 'The temporary folder' });
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
 * stdout as markdown or --json, the exit code) around `measure({ options, scratch, signal })` on
 * withScratch instead of a started platform.
 */
export async function runScratchBenchmark(args, spec) {
  return runMeasured(args, spec, (options, report) =>
    withScratch(async (scratch) => report(await spec.measure({ options, scratch, signal: scratch.signal }))),
  );
}
