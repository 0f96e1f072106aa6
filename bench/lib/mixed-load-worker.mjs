// Closed-loop HTTP load of several request shapes ("streams") at once, in one worker thread,
// each with its own concurrency, sharing one warm-up and one measured phase. Unlike
// load-worker.mjs, it also says what the non-2xx answers were: it counts every outcome by
// status and, for JSON error bodies, their `code` and (digits folded) `message`. Only ever
// sends to 127.0.0.1.
//
// workerData: {
//   repoRoot, warmupMs, durationMs, timeoutMs,
//   streams: [{ name, origin ('http://127.0.0.1:<port>'), method, path, headers, body?,
//               context?: { secret, claims },   // sign a fresh tenant context per request
//               concurrency,
//               intervalMs? }]   // each connection starts a request at most this often (a paced probe)
// }
// Posts { type: 'measuring' } when the warm-up is over, then
//       { type: 'result', elapsedMs, streams: { <name>: { requests, successes, elapsedMs,
//         latencyMs: {p50, p99, mean, max} (2xx only), outcomes: { '200': {count},
//         '429 TENANT_BUSY': {count, messages: {text: n}, sample}, ECONNRESET: {count} } } } }
import { parentPort, workerData } from 'node:worker_threads';
import { closedLoops, prepareStream } from './closed-loop.mjs';
import { latencySummary } from './report.mjs';

const job = workerData;
const MAX_MESSAGES = 20; // distinct messages kept per outcome
const send = { timeoutMs: job.timeoutMs, maxText: 2000 };

/** `code` and `message` of a JSON error body, when it is one. */
function errorBody(text) {
  try {
    const parsed = JSON.parse(text);
    return {
      code: typeof parsed?.code === 'string' ? parsed.code : undefined,
      message: typeof parsed?.message === 'string' ? parsed.message : undefined,
    };
  } catch {
    return {};
  }
}

function newStats() {
  return { requests: 0, latencies: [], outcomes: {} };
}

function record(stats, outcome, ms) {
  stats.requests += 1;
  const ok = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
  if (ok) stats.latencies.push(ms);
  let key;
  let message;
  if (outcome.status === undefined) {
    key = outcome.error;
  } else if (ok) {
    key = String(outcome.status);
  } else {
    const parsed = errorBody(outcome.text);
    key = parsed.code ? `${outcome.status} ${parsed.code}` : String(outcome.status);
    message = parsed.message?.replace(/\d+/g, '#');
  }
  const entry = (stats.outcomes[key] ??= { count: 0 });
  entry.count += 1;
  if (!ok && outcome.status !== undefined) {
    entry.sample ??= outcome.text.slice(0, 300);
    if (message !== undefined) {
      entry.messages ??= {};
      if (message in entry.messages || Object.keys(entry.messages).length < MAX_MESSAGES) entry.messages[message] = (entry.messages[message] ?? 0) + 1;
    }
  }
}

const streams = job.streams.map((stream) => prepareStream(stream, job.repoRoot));
await closedLoops(streams, job.warmupMs, send);
parentPort.postMessage({ type: 'measuring' });
const stats = Object.fromEntries(streams.map((s) => [s.name, newStats()]));
const { elapsedMs, streamElapsedMs } = await closedLoops(streams, job.durationMs, send, (stream, outcome, ms) => record(stats[stream.name], outcome, ms));
for (const stream of streams) stream.agent.destroy();

const result = {};
for (const stream of streams) {
  const { requests, latencies, outcomes } = stats[stream.name];
  latencies.sort((a, b) => a - b);
  result[stream.name] = {
    requests,
    successes: latencies.length,
    elapsedMs: streamElapsedMs[stream.name] ?? elapsedMs,
    latencyMs: latencySummary(latencies),
    outcomes,
  };
}
parentPort.postMessage({ type: 'result', elapsedMs, streams: result });
