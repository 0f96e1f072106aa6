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
import { parentPort, workerData } from 'node:worker_threads';
import { closedLoops, prepareStream } from './closed-loop.mjs';
import { latencySummary } from './report.mjs';

const job = workerData;
const stream = prepareStream(job, job.repoRoot);
const send = { timeoutMs: job.timeoutMs, maxText: 500 };

const latencies = [];
const byKind = {};
let requests = 0;
let errorSample;

await closedLoops([stream], job.warmupMs, send);
parentPort.postMessage({ type: 'measuring' });
const { elapsedMs } = await closedLoops([stream], job.durationMs, send, (_stream, outcome, ms) => {
  requests += 1;
  if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
    latencies.push(ms);
    return;
  }
  const kind = outcome.status !== undefined ? String(outcome.status) : outcome.error;
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  errorSample ??= outcome.status !== undefined ? `${outcome.status} ${outcome.text.slice(0, 300)}` : outcome.error;
});
stream.agent.destroy();

latencies.sort((a, b) => a - b);
parentPort.postMessage({
  type: 'result',
  requests,
  successes: latencies.length,
  elapsedMs,
  latencyMs: latencySummary(latencies),
  errors: { total: requests - latencies.length, byKind, sample: errorSample },
});
