// What the load workers share (they run in worker threads): preparing a request shape,
// sending one request of it, and running closed loops of them until a deadline. Only ever
// sends to 127.0.0.1.
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { URL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A request shape ready to send: { name?, origin ('http://127.0.0.1:<port>'), method, path,
 * headers, body (string | undefined), context?: { secret, claims } (sign a fresh tenant
 * context per request), concurrency, intervalMs? } with its own keep-alive agent.
 */
export function prepareStream(stream, repoRoot) {
  const target = new URL(stream.origin);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to send load to ${target.hostname}: 127.0.0.1 only`);
  // Loaded only when the stream signs tenant contexts (straight to an app server).
  const tenancy = stream.context ? createRequire(join(repoRoot, 'package.json'))('@mysaas/tenancy') : undefined;
  const signer = tenancy ? new tenancy.TenantContextSigner(stream.context.secret) : undefined;
  const body = stream.body === undefined ? undefined : Buffer.from(stream.body, 'utf8');
  const baseHeaders = { ...stream.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  return {
    ...stream,
    target,
    body,
    agent: new Agent({ keepAlive: true, maxSockets: stream.concurrency, maxFreeSockets: stream.concurrency }),
    headers: () => {
      if (!signer) return baseHeaders;
      // A tenant context lives 30 s: sign one per request, as the gateway does.
      const token = signer.sign({ ...stream.context.claims, requestId: `bench-${randomUUID()}` });
      return { ...baseHeaders, [tenancy.TENANT_CONTEXT_HEADER]: token };
    },
  };
}

/**
 * One request of a prepared stream; resolves with { status, text } (the body's first
 * `maxText` characters or so, for non-2xx answers only) or { error }.
 */
export function sendOnce(stream, { timeoutMs, maxText }) {
  return new Promise((resolve) => {
    const req = request({
      host: stream.target.hostname,
      port: stream.target.port,
      method: stream.method,
      path: stream.path,
      headers: stream.headers(),
      agent: stream.agent,
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      let text = '';
      res.on('data', (chunk) => {
        if (!ok && text.length < maxText) text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', (error) => resolve({ error: error.code ?? error.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: `timeout>${timeoutMs}ms` })));
    req.on('error', (error) => resolve({ error: error.code ?? error.message }));
    req.end(stream.body);
  });
}

/**
 * Runs each stream's `concurrency` closed loops for `ms`: send a request, wait for the whole
 * answer, send the next (a paced stream waits until `intervalMs` after the previous start).
 * `record(stream, outcome, ms)` sees every answer. Requests in flight at the deadline are
 * waited for and counted, so the elapsed times include that tail: { elapsedMs, streamElapsedMs }.
 */
export async function closedLoops(streams, ms, { timeoutMs, maxText }, record) {
  const started = performance.now();
  const deadline = started + ms;
  const ended = {};
  const loop = async (stream) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const outcome = await sendOnce(stream, { timeoutMs, maxText });
      record?.(stream, outcome, performance.now() - t0);
      const pause = stream.intervalMs ? t0 + stream.intervalMs - performance.now() : 0;
      if (pause > 0) await sleep(Math.min(pause, deadline - performance.now()));
    }
    ended[stream.name] = performance.now();
  };
  await Promise.all(streams.flatMap((stream) => Array.from({ length: stream.concurrency }, () => loop(stream))));
  return { elapsedMs: performance.now() - started, streamElapsedMs: Object.fromEntries(Object.entries(ended).map(([name, t]) => [name, t - started])) };
}
