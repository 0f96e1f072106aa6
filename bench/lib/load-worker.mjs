// Closed-loop HTTP load generator, run in a worker thread so that its own work (building
// requests, parsing responses, signing tenant contexts) does not run on the main thread's event
// loop (which hosts the in-process platform, and watches the measurement). Only ever sends to
// 127.0.0.1.
//
// workerData: {
//   repoRoot, origin ('http://127.0.0.1:<port>'), method, path, headers, body (string | undefined),
//   context: undefined | { secret, claims }   // sign a fresh tenant context per request
//   concurrency, warmupMs, durationMs, timeoutMs
// }
// Posts { type: 'measuring' } when the warm-up is over, then
//       { type: 'result', requests, successes, elapsedMs, latencyMs: {p50, p99, mean, max},
//                      errors: {total, byKind: {'401': n, ECONNRESET: n}, sample} }
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { URL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const job = workerData;
const target = new URL(job.origin);
if (target.hostname !== '127.0.0.1') throw new Error(`refusing to send load to ${target.hostname}: 127.0.0.1 only`);

const require = createRequire(join(job.repoRoot, 'package.json'));
const { TENANT_CONTEXT_HEADER, TenantContextSigner } = require('@mysaas/tenancy');
const signer = job.context ? new TenantContextSigner(job.context.secret) : undefined;

const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency, maxFreeSockets: job.concurrency });
const body = job.body === undefined ? undefined : Buffer.from(job.body, 'utf8');
const baseHeaders = { ...job.headers, ...(body ? { 'content-length': String(body.length) } : {}) };

function headersForOneRequest() {
  if (!signer) return baseHeaders;
  // A tenant context lives 30 s: sign one per request, as the gateway does.
  const token = signer.sign({ ...job.context.claims, requestId: `bench-${randomUUID()}` });
  return { ...baseHeaders, [TENANT_CONTEXT_HEADER]: token };
}

/** One request; resolves with { status } or { error }, and the body text for failures. */
function once() {
  return new Promise((resolve) => {
    const req = request({
      host: target.hostname,
      port: target.port,
      method: job.method,
      path: job.path,
      headers: headersForOneRequest(),
      agent,
      timeout: job.timeoutMs,
    });
    req.on('response', (res) => {
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      let text = '';
      res.on('data', (chunk) => {
        if (!ok && text.length < 500) text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', (error) => resolve({ error: error.code ?? error.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: `timeout>${job.timeoutMs}ms` })));
    req.on('error', (error) => resolve({ error: error.code ?? error.message }));
    req.end(body);
  });
}

async function phase(ms, record) {
  const started = performance.now();
  const deadline = started + ms;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const outcome = await once();
      record?.(outcome, performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  // Includes the tail: requests in flight at the deadline are waited for and counted.
  return performance.now() - started;
}

const latencies = [];
const byKind = {};
let requests = 0;
let errorSample;

await phase(job.warmupMs);
parentPort.postMessage({ type: 'measuring' });
const elapsedMs = await phase(job.durationMs, (outcome, ms) => {
  requests += 1;
  if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
    latencies.push(ms);
    return;
  }
  const kind = outcome.status !== undefined ? String(outcome.status) : outcome.error;
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  errorSample ??= outcome.status !== undefined ? `${outcome.status} ${outcome.text.slice(0, 300)}` : outcome.error;
});
agent.destroy();

latencies.sort((a, b) => a - b);
const rank = (p) => (latencies.length === 0 ? null : latencies[Math.max(0, Math.ceil((p / 100) * latencies.length) - 1)]);
const errorsTotal = requests - latencies.length;
parentPort.postMessage({
  type: 'result',
  requests,
  successes: latencies.length,
  elapsedMs,
  latencyMs: {
    p50: rank(50),
    p99: rank(99),
    mean: latencies.length === 0 ? null : latencies.reduce((a, b) => a + b, 0) / latencies.length,
    max: latencies.length === 0 ? null : latencies[latencies.length - 1],
  },
  errors: { total: errorsTotal, byKind, sample: errorSample },
});
