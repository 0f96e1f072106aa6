// Runs closed-loop load measurements in worker threads (see load-worker.mjs and
// mixed-load-worker.mjs), measuring the CPU time used meanwhile.
import { Buffer } from 'node:buffer';
import { request } from 'node:http';
import { URL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from './platform.mjs';
import { machineCpuTimeMs, processCpuTimeMs } from './processes.mjs';

/**
 * One request shape (load-worker.mjs).
 * @param {object} job  origin, method, path, headers, body?, context?, concurrency, warmupMs, durationMs, timeoutMs
 * @param {AbortSignal} signal  aborting terminates the worker at once
 * @param {Record<string, number>} [pids]  other processes whose CPU time to measure, by name
 * Resolves with the worker's result (requests, successes, elapsedMs, latencyMs, errors), plus
 * what `runWorker` adds; cpuMs has the CPU time of each process in `pids` (null when it cannot
 * be read: not Linux, or it exited).
 * @param {(phase: 'measuring' | 'measured') => void} [onPhase]  see `runWorker`
 */
export function runLoad(job, signal, pids = {}, onPhase = undefined) {
  const cpu = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, () => processCpuTimeMs(pid)]));
  return runWorker('./load-worker.mjs', job, signal, { cpu, onPhase });
}

/**
 * Several request shapes at once, in one worker thread (mixed-load-worker.mjs).
 * @param {object} job  streams: [{ name, origin, method, path, headers, body?, context?, concurrency, intervalMs? }],
 *                      warmupMs, durationMs, timeoutMs
 * @param {AbortSignal} signal  aborting terminates the worker at once
 * @param {object} [measure]  see `runWorker`
 * Resolves with the worker's result (per stream: requests, successes, elapsedMs, latencyMs,
 * outcomes), plus what `runWorker` adds.
 */
export function runMixedLoad(job, signal, measure = {}) {
  return runWorker('./mixed-load-worker.mjs', job, signal, measure);
}

/**
 * Runs a load worker and measures its measured phase, which the worker starts with a
 * { type: 'measuring' } message and ends with its { type: 'result' }.
 * @param {Record<string, () => number | null>} [measure.cpu]  CPU time readers (ms used so far),
 *        by name, read when the measured phase starts and when it ends
 * @param {(phase: 'measuring' | 'measured') => void} [measure.onPhase]  called as the measured
 *        phase starts and once it has ended
 * Adds to the result: processCpuMs (this whole process: the load generator and whatever else
 * runs here; not Postgres's), cpuMs (per reader; null when a reading failed) and
 * machineBusyShare (the share of all the machine's CPU time that was busy meanwhile, every
 * process included; null when not on Linux).
 */
function runWorker(script, job, signal, { cpu = {}, onPhase } = {}) {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const worker = new Worker(new URL(script, import.meta.url), { workerData: { repoRoot: REPO_ROOT, ...job } });
    let result;
    let atStart;
    const read = () => ({
      process: process.cpuUsage(),
      machine: machineCpuTimeMs(),
      readers: Object.fromEntries(Object.entries(cpu).map(([name, reader]) => [name, reader()])),
    });
    const onAbort = () => void worker.terminate();
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message) => {
      if (message.type === 'measuring') {
        atStart = read();
        onPhase?.('measuring');
      }
      if (message.type === 'result') {
        const atEnd = read();
        onPhase?.('measured');
        const own = process.cpuUsage(atStart.process);
        const machineTotal = atStart.machine && atEnd.machine ? atEnd.machine.totalMs - atStart.machine.totalMs : 0;
        const machineBusyShare = machineTotal > 0 ? (atEnd.machine.busyMs - atStart.machine.busyMs) / machineTotal : null;
        const cpuMs = Object.fromEntries(Object.keys(cpu).map((name) => {
          const [before, after] = [atStart.readers[name], atEnd.readers[name]];
          return [name, before == null || after == null ? null : after - before];
        }));
        result = { ...message, processCpuMs: (own.user + own.system) / 1000, cpuMs, machineBusyShare };
      }
    });
    worker.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    worker.once('exit', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      if (result === undefined) return reject(new Error(`the load worker exited (code ${code}) without a result`));
      resolve(result);
    });
  });
}

/** A plain request for setup steps (not measured). Resolves with status, headers and text. */
export async function fetchOnce(url, { method = 'GET', headers = {}, body } = {}) {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to send to ${target.hostname}: 127.0.0.1 only`);
  const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: target.pathname + target.search,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...headers,
        },
        timeout: 15_000,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
