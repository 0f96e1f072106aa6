// A load generator that is not a Node process: wrk (Debian's package), run as a child process
// for one request shape, closed loop over keep-alive connections. The issue's figures were taken
// with it; the Node generator in load.mjs costs the machine ~0.5 ms of CPU per request, on the
// same two CPUs as the processes measured. Only ever sends to 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL } from 'node:url';
import { REPO_ROOT } from './platform.mjs';
import { exitedChildrenCpuTimeMs, machineCpuTimeMs, processCpuTimeMs } from './processes.mjs';

export const WRK_BINARY = '/usr/bin/wrk';

/**
 * A signed tenant context lives 30 s and wrk sends the same headers every time, so a request
 * shape that carries one is sent by wrk only while the context is surely alive.
 */
const CONTEXT_SAFE_MS = 25_000;

/** Why wrk cannot generate this load here, or undefined when it can. */
export function wrkMissing() {
  return existsSync(WRK_BINARY) ? undefined : `${WRK_BINARY} is missing (on Debian: apt-get install wrk)`;
}

/** Whether wrk can send this job: a signed context must outlive the whole run. */
export function wrkCanSend(job) {
  return wrkMissing() === undefined && (job.context === undefined || job.warmupMs + job.durationMs <= CONTEXT_SAFE_MS);
}

/**
 * The same job and result as `runLoad` (load.mjs): { origin, method, path, headers, body?,
 * context?, concurrency, warmupMs, durationMs, timeoutMs }. A context is signed once, just
 * before the run, with a request id of its own. Resolves with requests, successes, elapsedMs,
 * latencyMs (every answer's: wrk does not tell 2xx latencies apart; a run with errors is
 * flagged by the caller anyway), errors, processCpuMs (wrk's own CPU time, the load
 * generator's share), cpuMs (per pid) and machineBusyShare.
 */
export async function runWrk(job, signal, pids = {}, onPhase = undefined) {
  const target = new URL(job.origin);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to send load to ${target.hostname}: 127.0.0.1 only`);
  const dir = await mkdtemp(join(tmpdir(), 'mysaas-wrk-'));
  try {
    const script = join(dir, 'request.lua');
    await writeFile(script, luaScript(job, contextHeader(job)));
    if (job.warmupMs > 0) await wrk(job, script, job.warmupMs, signal);
    const read = () => ({
      children: exitedChildrenCpuTimeMs(),
      machine: machineCpuTimeMs(),
      pids: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuTimeMs(pid)])),
    });
    onPhase?.('measuring');
    const atStart = read();
    const summary = await wrk(job, script, job.durationMs, signal);
    const atEnd = read();
    onPhase?.('measured');
    const machineTotal = atStart.machine && atEnd.machine ? atEnd.machine.totalMs - atStart.machine.totalMs : 0;
    const failed = summary.status + summary.connect + summary.read + summary.write + summary.timeout;
    const byKind = Object.fromEntries(
      [['non-2xx/3xx', summary.status], ['connect', summary.connect], ['read', summary.read], ['write', summary.write], ['timeout', summary.timeout]].filter(([, n]) => n > 0),
    );
    return {
      requests: summary.requests + summary.connect + summary.write + summary.timeout,
      successes: summary.requests - summary.status,
      elapsedMs: summary.durationUs / 1000,
      latencyMs: { p50: summary.p50Us / 1000, p99: summary.p99Us / 1000, mean: summary.meanUs / 1000, max: summary.maxUs / 1000 },
      errors: { total: failed, byKind, sample: failed > 0 ? `wrk counted ${Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', ')}` : undefined },
      processCpuMs: atStart.children == null || atEnd.children == null ? null : atEnd.children - atStart.children,
      cpuMs: Object.fromEntries(Object.keys(pids).map((name) => {
        const [before, after] = [atStart.pids[name], atEnd.pids[name]];
        return [name, before == null || after == null ? null : after - before];
      })),
      machineBusyShare: machineTotal > 0 ? (atEnd.machine.busyMs - atStart.machine.busyMs) / machineTotal : null,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function contextHeader(job) {
  if (job.context === undefined) return {};
  const tenancy = createRequire(join(REPO_ROOT, 'package.json'))('@mysaas/tenancy');
  const token = new tenancy.TenantContextSigner(job.context.secret).sign({ ...job.context.claims, requestId: `bench-wrk-${randomUUID()}` });
  return { [tenancy.TENANT_CONTEXT_HEADER]: token };
}

/** A Lua long string that cannot be closed early by its content. */
function luaString(value) {
  let level = 1;
  while (value.includes(`]${'='.repeat(level)}]`)) level += 1;
  const eq = '='.repeat(level);
  // A newline right after the opening bracket is dropped by Lua: add one so that none is lost.
  return `[${eq}[\n${value}]${eq}]`;
}

/** The request (method, headers, body) and a done() that prints the figures as one JSON line. */
export function luaScript(job, extraHeaders = {}) {
  const headers = { ...job.headers, ...extraHeaders };
  const lines = [`wrk.method = ${luaString(job.method)}`];
  for (const [name, value] of Object.entries(headers)) {
    // wrk sets Host itself unless the script does; one spelling, so that it is sent once.
    lines.push(`wrk.headers[ ${luaString(name.toLowerCase() === 'host' ? 'Host' : name)} ] = ${luaString(String(value))}`);
  }
  if (job.body !== undefined) lines.push(`wrk.body = ${luaString(job.body)}`);
  lines.push(`done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d,"meanUs":%d,"maxUs":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), math.floor(latency.mean), latency.max))
end`);
  return `${lines.join('\n')}\n`;
}

/** One wrk run of `ms` (whole seconds, at least one), its done() figures parsed. */
function wrk(job, script, ms, signal) {
  const seconds = Math.max(1, Math.round(ms / 1000));
  const args = ['-t1', `-c${job.concurrency}`, `-d${seconds}s`, `--timeout`, `${Math.ceil(job.timeoutMs / 1000)}s`, '-s', script, `${job.origin}${job.path}`];
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const child = spawn(WRK_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const onAbort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('exit', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
      if (code !== 0 || line === undefined) return reject(new Error(`wrk ${args.join(' ')} exited with ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(line.slice('WRK_RESULT '.length)));
    });
  });
}
