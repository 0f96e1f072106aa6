// The apps a benchmark measures, as deployed: a gateway process in front of an app-server
// process of pool v1 (apps/*/dist/main.js), and the requests that set them up.
import { randomUUID } from 'node:crypto';
import { fetchOnce } from './load.mjs';
import { requireBuilt } from './platform.mjs';
import { startProcess } from './processes.mjs';

export const POOL = { name: 'v1', release: 1 };
export const BASE_DOMAIN = 'localhost';
export const APP_SERVER_SCRIPT = 'apps/app-server/dist/main.js';
export const GATEWAY_SCRIPT = 'apps/gateway/dist/main.js';

/**
 * An app is ready when it logs `listening` (a JSON line) with its URL. Benchmarks run the apps at
 * LOG_LEVEL=warn, so that they measure serving requests, not writing one access line each.
 */
const LISTENING = /^(?=.*"msg":"listening")(?=.*"url":"(http:\/\/127\.0\.0\.1:(\d+))")/;
const QUIET = { LOG_LEVEL: 'warn', METRICS_PORT: '0' };

/**
 * Starts pool v1's app server and a gateway as child processes (in parallel), with only these
 * variables plus PATH and `env.appServer` / `env.gateway` on top, fills `processes` with the
 * ones that started (so the caller can stop them, whatever happens), and points pool v1 at the
 * new app server. Port 0: the kernel picks a free port as each binds; its `listening` line names it.
 * Adds `url` to both processes and `port` to the gateway.
 */
export async function startPoolProcesses({ stack, secrets, signal, processes, env = {}, description, previousUpstream, log }) {
  const secretsEnv = { TENANT_CONTEXT_SECRET: secrets.tenantContextSecret, SESSION_SECRET: secrets.sessionSecret };
  const began = Date.now();
  log(`Starting the app-server and gateway processes${description}…`);
  const started = await Promise.allSettled([
    startProcess({
      name: 'app-server',
      script: APP_SERVER_SCRIPT,
      env: {
        POOL_NAME: POOL.name, RELEASE: String(POOL.release), POOL_DATABASE_URL: stack.logins.poolAppUrl,
        APP_SERVER_HOST: '127.0.0.1', APP_SERVER_PORT: '0', ...secretsEnv, ...QUIET, ...env.appServer,
      },
      ready: LISTENING,
      log,
      signal,
    }).then((p) => (processes.appServer = p)),
    startProcess({
      name: 'gateway',
      script: GATEWAY_SCRIPT,
      env: {
        PORT: '0', GATEWAY_HOST: '127.0.0.1', BASE_DOMAIN, ROUTING_DATABASE_URL: stack.logins.routingUrl, ...secretsEnv, ...QUIET, ...env.gateway,
      },
      ready: LISTENING,
      log,
      signal,
    }).then((p) => (processes.gateway = p)),
  ]);
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  const { appServer, gateway } = processes;
  appServer.url = appServer.match[1];
  gateway.port = Number(gateway.match[2]);
  gateway.url = `http://127.0.0.1:${gateway.port}`;
  log(`  ✓ app-server process: pid ${appServer.pid}, ${appServer.url}; gateway process: pid ${gateway.pid}, ${gateway.url} ` +
    `(${((Date.now() - began) / 1000).toFixed(1)} s)`);
  await pointPoolAt({ stack, secrets, upstream: appServer.url, previousUpstream, log });
}

/**
 * Makes `upstream` pool v1's only upstream (PATCH on the control plane) and checks the answer.
 * The change also tells gateways to drop what they cached for the pool.
 */
export async function pointPoolAt({ stack, secrets, upstream, previousUpstream, log }) {
  const pool = await fetchOnce(`${stack.controlPlaneUrl}/platform/pools/${POOL.name}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${secrets.adminToken}` },
    body: { upstreams: [upstream] },
  });
  if (pool.status !== 200) throw new Error(`PATCH /platform/pools/${POOL.name}: ${pool.status} ${pool.text}`);
  const upstreams = JSON.parse(pool.text).upstreams;
  if (JSON.stringify(upstreams) !== JSON.stringify([upstream])) {
    throw new Error(`pool ${POOL.name} should now have the upstream ${upstream} only, but has ${JSON.stringify(upstreams)}`);
  }
  log(`  ✓ pool ${POOL.name} now points at ${upstream}${previousUpstream ? ` (was ${previousUpstream})` : ''}`);
}

/** Stops the processes `startPoolProcesses` started, gateway first, and forgets them. */
export async function stopPoolProcesses(processes, log) {
  for (const name of ['gateway', 'appServer']) {
    const p = processes[name];
    if (!p) continue;
    log(`Stopping the ${p.name} process (pid ${p.pid})…`);
    await p.stop();
    delete processes[name];
  }
}

/** The tenant as the control plane knows it (GET /platform/tenants/<slug>). */
export async function controlPlaneTenant(stack, secrets, slug) {
  const res = await fetchOnce(`${stack.controlPlaneUrl}/platform/tenants/${slug}`, { headers: { authorization: `Bearer ${secrets.adminToken}` } });
  if (res.status !== 200) throw new Error(`GET /platform/tenants/${slug}: ${res.status} ${res.text}`);
  return JSON.parse(res.text);
}

/** The claims of the tenant context the gateway would sign for this tenant. */
export function tenantContextClaims(record) {
  return { tenant: { id: record.id, slug: record.slug, name: record.name }, pool: record.pool };
}

/** Signs in through the gateway (`host` names the tenant); resolves with the session cookie's value. */
export async function signInThroughGateway({ gatewayUrl, host, email, password, cookieName }) {
  const res = await fetchOnce(`${gatewayUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', host },
    body: { email, password },
  });
  if (res.status !== 200) throw new Error(`signing in as ${email} through the gateway: ${res.status} ${res.text}`);
  for (const line of [res.headers['set-cookie'] ?? []].flat()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === cookieName) return decodeURIComponent(pair.slice(eq + 1).trim());
  }
  throw new Error(`the sign-in response set no ${cookieName} cookie`);
}

/**
 * One unmeasured request of a load request's shape (origin, method, path, headers, body?,
 * context?), which must answer 2xx: a wrong header fails at once, not as seconds of errors.
 * A context is signed here, as the load worker signs it.
 */
export async function preflight(request, what) {
  const headers = { ...request.headers };
  if (request.context) {
    const { TENANT_CONTEXT_HEADER, TenantContextSigner } = requireBuilt('@mysaas/tenancy');
    headers[TENANT_CONTEXT_HEADER] = new TenantContextSigner(request.context.secret).sign({ ...request.context.claims, requestId: `bench-${randomUUID()}` });
  }
  const res = await fetchOnce(`${request.origin}${request.path}`, { method: request.method, headers, body: request.body });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`preflight ${request.method} ${request.path} ${what} answered ${res.status}: ${res.text.slice(0, 500)}`);
  }
}
