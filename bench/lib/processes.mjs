// Runs apps of the platform as child Node processes, as a deployment does (one process per
// app), and measures the CPU time each one uses.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { REPO_ROOT } from './platform.mjs';

const READY_TIMEOUT_MS = 30_000;
const TERM_GRACE_MS = 10_000;
const KILL_WAIT_MS = 5_000;

/** Every child started here and not yet seen to exit: killed at once if this process exits. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `node <script>` (a path relative to the repository) with exactly `env` (plus PATH),
 * forwards its stdout and stderr, line by line, to our stderr prefixed with [name], and
 * resolves once a stdout line matches `ready`, with the match. Rejects if the process exits or
 * fails to start before that, if it is not ready within 30 s, or if `signal` aborts; it is
 * then already stopped.
 *
 * Resolves with { name, pid, match, exited(), assertRunning(), stop() }. `stop()` sends SIGTERM,
 * waits for the exit, and sends SIGKILL after 10 s; it is safe to call more than once and on a
 * process that has already exited.
 */
export async function startProcess({ name, script, env, ready, log, signal }) {
  signal.throwIfAborted();
  const child = spawn(process.execPath, [join(REPO_ROOT, script)], {
    cwd: REPO_ROOT,
    // Only what the app is given here: a stray PORT or DB_POOL_MAX in the shell must not change it.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const recent = []; // the last lines it printed, for error messages
  let stopping = false;
  let exit; // { code, signal } once it exited
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, exitSignal) => {
      exit = { code, signal: exitSignal };
      running.delete(child);
      if (!stopping) log(`[${name}] exited (${describeExit(exit)})`);
      resolve();
    });
  });
  const describe = () => (exit === undefined ? 'running' : describeExit(exit));

  let onReadyLine;
  const forward = (stream) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      log(`[${name}] ${line}`);
      recent.push(line);
      if (recent.length > 20) recent.shift();
      onReadyLine?.(line, stream === child.stdout);
    });
  };
  forward(child.stdout);
  forward(child.stderr);

  const stop = async () => {
    stopping = true;
    if (exit !== undefined) return;
    if (child.pid === undefined) {
      // It never started (spawn failed): nothing to signal.
      running.delete(child);
      return;
    }
    child.kill('SIGTERM');
    if (await within(exitPromise, TERM_GRACE_MS)) return;
    log(`[${name}] did not exit within ${TERM_GRACE_MS / 1000} s of SIGTERM: sending SIGKILL`);
    child.kill('SIGKILL');
    if (!(await within(exitPromise, KILL_WAIT_MS))) log(`[${name}] (pid ${child.pid}) still has not exited after SIGKILL`);
  };

  let timer;
  let onAbort;
  try {
    const match = await new Promise((resolve, reject) => {
      onReadyLine = (line, fromStdout) => {
        const found = fromStdout ? ready.exec(line) : null;
        if (found) resolve(found);
      };
      child.once('error', (error) => reject(new Error(`${name}: could not start \`node ${script}\`: ${error.message}`, { cause: error })));
      // 'exit' can come before the last lines are read: give readline a moment to drain them.
      void exitPromise.then(() => setTimeout(() => reject(new Error(
        `the ${name} process (node ${script}) exited before it was ready (${describe()}); its last output:\n` +
          (recent.length > 0 ? recent.map((l) => `  ${l}`).join('\n') : '  (none)'),
      )), 100));
      timer = setTimeout(() => reject(new Error(
        `the ${name} process (node ${script}, pid ${child.pid}) was not ready within ${READY_TIMEOUT_MS / 1000} s ` +
          `(no stdout line matching ${ready}); its last output:\n` +
          (recent.length > 0 ? recent.map((l) => `  ${l}`).join('\n') : '  (none)'),
      )), READY_TIMEOUT_MS);
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    onReadyLine = undefined;
    return {
      name,
      pid: child.pid,
      match,
      exited: () => exit !== undefined,
      /** Throws when the process is no longer running (it crashed, or was signalled). */
      assertRunning() {
        if (exit !== undefined) throw new Error(`the ${name} process (pid ${child.pid}) is no longer running (${describe()}); see its output above`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function describeExit({ code, signal }) {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Resolves true if `promise` settles within `ms`, else false. */
function within(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

let clockTicksPerSecond;

/**
 * CPU time (user + system, every thread) a process has used so far, in ms, from
 * /proc/<pid>/stat; null when that cannot be read (not Linux, or the process is gone).
 * Resolution: one clock tick (10 ms on Linux).
 */
export function processCpuTimeMs(pid) {
  // utime (field 14) and stime (15).
  return statTimesMs(`/proc/${pid}/stat`, 14, 15);
}

/**
 * CPU time (user + system, in ms) of this process's children that have exited and been waited
 * for (cutime and cstime of /proc/self/stat): what a child such as wrk used, read after it
 * exited; null when that cannot be read.
 */
export function exitedChildrenCpuTimeMs() {
  return statTimesMs('/proc/self/stat', 16, 17);
}

/** The sum of two clock-tick fields (numbered as in proc(5)) of a /proc stat file, in ms. */
function statTimesMs(file, first, second) {
  if (!cpuTimeSupported()) return null;
  let stat;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (the command name, in parentheses) may hold spaces: count from the last ')'.
  // What follows starts at field 3, so field n is at index n - 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[first - 3]) + Number(fields[second - 3]);
  return Number.isFinite(ticks) ? (ticks * 1000) / clockTicksPerSecond : null;
}

/**
 * The whole machine's CPU time so far, in ms summed over all CPUs, from the first line of
 * /proc/stat: { busyMs, totalMs } (busy: everything but idle and iowait; steal, the time a VM
 * waited for its host, counts as busy), or null when it cannot be read.
 */
export function machineCpuTimeMs() {
  if (!cpuTimeSupported()) return null;
  let line;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return null;
  }
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  const total = busy + idle + iowait;
  if (!Number.isFinite(busy) || !Number.isFinite(total)) return null;
  return { busyMs: (busy * 1000) / clockTicksPerSecond, totalMs: (total * 1000) / clockTicksPerSecond };
}

/** /proc/<pid>/stat is Linux's; elsewhere per-process CPU time is not reported. */
export function cpuTimeSupported() {
  if (platform() !== 'linux') return false;
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      clockTicksPerSecond = NaN;
    }
    // USER_HZ, the unit of /proc's times, is 100 on every Linux architecture Node runs on.
    if (!Number.isInteger(clockTicksPerSecond) || clockTicksPerSecond <= 0) clockTicksPerSecond = 100;
  }
  return true;
}
