// Runs one closed-loop load measurement in a worker thread (see load-worker.mjs).
import { Buffer } from 'node:buffer';
import { request } from 'node:http';
import { URL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from './platform.mjs';
import { machineCpuTimeMs, processCpuTimeMs } from './processes.mjs';

/**
 * @param {object} job  origin, method, path, headers, body?, context?, concurrency, warmupMs, durationMs, timeoutMs
 * @param {AbortSignal} signal  aborting terminates the worker at once
 * @param {Record<string, number>} [pids]  other processes whose CPU time to measure, by name
 * Resolves with the worker's result plus processCpuMs: the CPU time this whole process used
 * during the measured phase, and cpuMs: for each name in `pids`, the CPU time that process
 * used during the measured phase (null when it cannot be read: not Linux, or it exited); and
 * machineBusyShare: the share of all the machine's CPU time that was busy meanwhile (every
 * process, Postgres and other people's work included; null when not on Linux).
 */
export function runLoad(job, signal, pids = {}) {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: { repoRoot: REPO_ROOT, ...job } });
    let result;
    let cpuAtStart;
    let childCpuAtStart;
    let machineAtStart;
    const childCpu = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuTimeMs(pid)]));
    const onAbort = () => void worker.terminate();
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message) => {
      if (message.type === 'measuring') {
        cpuAtStart = process.cpuUsage();
        childCpuAtStart = childCpu();
        machineAtStart = machineCpuTimeMs();
      }
      if (message.type === 'result') {
        // Whole-process CPU: every thread of this process (the load generator and whatever else
        // runs here), and of each process in `pids`. Not Postgres's.
        const cpu = process.cpuUsage(cpuAtStart);
        const childCpuAtEnd = childCpu();
        const machineAtEnd = machineCpuTimeMs();
        const machineTotal = machineAtStart && machineAtEnd ? machineAtEnd.totalMs - machineAtStart.totalMs : 0;
        const machineBusyShare = machineTotal > 0 ? (machineAtEnd.busyMs - machineAtStart.busyMs) / machineTotal : null;
        const cpuMs = Object.fromEntries(Object.keys(pids).map((name) => {
          const [before, after] = [childCpuAtStart[name], childCpuAtEnd[name]];
          return [name, before == null || after == null ? null : after - before];
        }));
        result = { ...message, processCpuMs: (cpu.user + cpu.system) / 1000, cpuMs, machineBusyShare };
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
