import { createServer, request, type ServerResponse } from 'node:http';
import { encodeRoutingChange, ROUTING_CHANNEL } from '@mysaas/tenancy';
import {
  createTenant,
  createTestPlatform,
  eventually,
  http,
  metricValue,
  startRecordingServer,
  type HttpResponse,
  type RecordingServer,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { startGateway, type StartedGateway } from '../../src/gateway';
import { TenantAdmission } from '../../src/limits/tenant-admission.service';
import { TenantResolver } from '../../src/routing/tenant-resolver.service';
import { TenantHosts } from '../../src/tenant-host/tenant-hosts.service';

/**
 * A tenant move's cutover as the gateway meets it: the control plane sets `held_since`, and
 * announces; the gateway holds the tenant's requests until the move clears the hold and
 * switches the pool in one transaction (announced), then forwards them to the new pool.
 * Pool v1's app server is `gated` (it keeps `/slow` waiting until opened), pool v2's records.
 */
describe('gateway: requests held while their tenant moves', () => {
  let platform: TestPlatform;
  let v1: GatedServer;
  let v2: RecordingServer;
  let gateway: StartedGateway;
  let impatient: StartedGateway;
  let globex: TestTenant;

  beforeAll(async () => {
    platform = await createTestPlatform();
    globex = await createTenant(platform);
    v1 = await startGatedServer('v1');
    v2 = await startRecordingServer('v2');
    await platform.setUpstreams([v1.url]);
    await platform.control.pool.query(`INSERT INTO platform.pools (name, release, database_url, app_role, upstreams) VALUES ('v2', 1, $1, $2, $3)`, [
      platform.poolDb.url,
      platform.pool.appRole,
      [v2.url],
    ]);
    const config = platform.gatewayConfig();
    // Requests queued behind a slow one must still be in line when their turn comes.
    gateway = await startGateway({ ...config, tenants: { ...config.tenants, queueWaitMs: 10_000 } });
    impatient = await startGateway({ ...config, routing: { ...config.routing, moveHoldMs: 200 } });
  });

  afterAll(async () => {
    await gateway?.close();
    await impatient?.close();
    await v1?.close();
    await v2?.close();
    await platform?.cleanup();
  });

  const send = (at: StartedGateway, tenant: TestTenant, path: string): Promise<HttpResponse> =>
    http(at.url, { path, host: `${tenant.slug}.localhost:${at.port}` });
  const scrape = async (at: StartedGateway) => (await http(at.metricsUrl.replace(/\/metrics$/, ''), { path: '/metrics' })).text;
  const answeredBy = (res: HttpResponse) => res.json<{ answeredBy: string }>().answeredBy;
  const receivedBy = (server: { received: Array<{ url: string }> }, tenant: TestTenant) =>
    server.received.filter((r) => r.url.includes(tenant.slug)).map((r) => r.url);

  /** The cutover begins: the tenant's requests are held from now on. */
  async function hold(tenant: TestTenant): Promise<void> {
    await platform.control.pool.query('UPDATE platform.tenants SET held_since = now() WHERE id = $1', [tenant.id]);
    await platform.announce({ kind: 'tenant', slug: tenant.slug });
  }

  /** The cutover ends as the control plane ends it: hold cleared and pool switched in one transaction, announced at commit. */
  async function switchPool(tenant: TestTenant, pool: string): Promise<void> {
    const client = await platform.control.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE platform.tenants SET held_since = NULL, pool = $2 WHERE id = $1', [tenant.id, pool]);
      await client.query('SELECT pg_notify($1, $2)', [ROUTING_CHANNEL, encodeRoutingChange({ kind: 'tenant', slug: tenant.slug })]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  /** Resolves once `at` holds a request of the tenant (it waits for the tenant's route to change). */
  function heldAt(at: StartedGateway, tenant: TestTenant): Promise<void> {
    const waits = jest.spyOn(at.app.get(TenantResolver), 'waitForChange');
    return eventually(async () => expect(waits).toHaveBeenCalledWith(tenant.slug, expect.any(Number), expect.any(AbortSignal)));
  }

  afterEach(() => jest.restoreAllMocks());

  it("holds a moving tenant's request, then forwards it to the new pool once the move switches it", async () => {
    const acme = await createTenant(platform);
    await hold(acme);
    const request = send(gateway, acme, `/login?tenant=${acme.slug}`);
    await heldAt(gateway, acme);

    await switchPool(acme, 'v2');
    const res = await request;
    expect(res.status).toBe(200);
    expect(answeredBy(res)).toBe('v2');
    expect(receivedBy(v1, acme)).toEqual([]);
    expect(receivedBy(v2, acme)).toEqual([`/login?tenant=${acme.slug}`]);
    expect(metricValue(await scrape(gateway), 'mysaas_gateway_held_requests_total', { tenant: acme.slug, outcome: 'released' })).toBe(1);
  });

  it('answers 503 TENANT_MOVING with Retry-After: 1 when the hold lasts longer than GATEWAY_MOVE_HOLD_MS', async () => {
    const acme = await createTenant(platform);
    await hold(acme);
    const res = await send(impatient, acme, `/login?tenant=${acme.slug}`);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'TENANT_MOVING',
      message: `the workspace ${acme.slug} is moving to a new server; retry in a moment`,
      requestId: expect.any(String),
    });
    expect(res.headers['retry-after']).toBe('1');
    expect(receivedBy(v1, acme)).toEqual([]);
    expect(metricValue(await scrape(impatient), 'mysaas_gateway_held_requests_total', { tenant: acme.slug, outcome: 'timed_out' })).toBe(1);
  });

  it('stops holding a request whose client goes away', async () => {
    const acme = await createTenant(platform);
    await hold(acme);
    const leaving = request({ host: '127.0.0.1', port: gateway.port, path: `/login?tenant=${acme.slug}`, headers: { host: `${acme.slug}.localhost:${gateway.port}` } });
    leaving.on('error', () => undefined);
    leaving.end();
    await heldAt(gateway, acme);
    leaving.destroy();
    await eventually(async () => expect(metricValue(await scrape(gateway), 'mysaas_gateway_held_requests_total', { tenant: acme.slug, outcome: 'client_gone' })).toBe(1));
    expect(receivedBy(v1, acme)).toEqual([]);
  });

  it("turns a flood at a held tenant away at once beyond the tenant's share (its cap and queue), holding only that share", async () => {
    const acme = await createTenant(platform);
    await platform.control.pool.query('UPDATE platform.tenants SET max_concurrent_requests = 2 WHERE id = $1', [acme.id]);
    await platform.announce({ kind: 'tenant', slug: acme.slug });
    const share = 2 + platform.gatewayConfig().tenants.maxQueuedRequests;
    await hold(acme);
    const held = Array.from({ length: share }, (_, i) => send(gateway, acme, `/login?tenant=${acme.slug}&held=${i}`));
    const holding = (gateway.app.get(TenantHosts) as unknown as { holding: Map<string, number> }).holding;
    await eventually(async () => expect(holding.get(acme.slug)).toBe(share));

    const started = performance.now();
    const turnedAway = await send(gateway, acme, `/login?tenant=${acme.slug}&flood=1`);
    expect(turnedAway.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(platform.gatewayConfig().routing.moveHoldMs);
    expect(turnedAway.json()).toMatchObject({ code: 'TENANT_MOVING' });
    expect(turnedAway.headers['retry-after']).toBe('1');
    expect(metricValue(await scrape(gateway), 'mysaas_gateway_held_requests_total', { tenant: acme.slug, outcome: 'turned_away' })).toBeGreaterThanOrEqual(1);

    await switchPool(acme, 'v2');
    expect((await Promise.all(held)).map((res) => res.status)).toEqual(Array.from({ length: share }, () => 200));
  });

  it('serves other tenants while one is held', async () => {
    const acme = await createTenant(platform);
    await hold(acme);
    const held = send(gateway, acme, `/login?tenant=${acme.slug}`);
    await heldAt(gateway, acme);
    const waits = jest.spyOn(gateway.app.get(TenantResolver), 'waitForChange');

    const other = await send(gateway, globex, `/login?tenant=${globex.slug}`);
    expect(other.status).toBe(200);
    expect(answeredBy(other)).toBe('v1');
    expect(waits).not.toHaveBeenCalledWith(globex.slug, expect.anything(), expect.anything());

    await switchPool(acme, 'v2');
    expect(answeredBy(await held)).toBe('v2');
  });

  it('looks at the route again when a request gets its turn, so one routed before the hold began waits too and goes to the new pool', async () => {
    const acme = await createTenant(platform);
    await platform.control.pool.query('UPDATE platform.tenants SET max_concurrent_requests = 1 WHERE id = $1', [acme.id]);
    const admissions = jest.spyOn(gateway.app.get(TenantAdmission), 'admit');
    const evictions = jest.spyOn(gateway.app.get(TenantResolver), 'evict');

    const slow = send(gateway, acme, `/slow?tenant=${acme.slug}`);
    await eventually(async () => expect(receivedBy(v1, acme)).toHaveLength(1));
    const queued = send(gateway, acme, `/login?tenant=${acme.slug}`);
    await eventually(async () => expect(admissions).toHaveBeenCalledTimes(2)); // routed to v1, waiting for the slow one's slot

    await hold(acme);
    await eventually(async () => expect(evictions).toHaveBeenCalledWith(acme.slug));
    const heldNow = heldAt(gateway, acme);
    v1.open();
    expect(answeredBy(await slow)).toBe('v1');
    await heldNow;

    await switchPool(acme, 'v2');
    const res = await queued;
    expect(res.status).toBe(200);
    expect(answeredBy(res)).toBe('v2');
    expect(receivedBy(v1, acme)).toEqual([`/slow?tenant=${acme.slug}`]);
  });

  // Announcements travel on one LISTEN connection per gateway; what is announced while it is
  // lost is gone, so on coming back a gateway drops every cached route (30 s here) it holds.
  it('connects again after its announcements connection is lost and drops its cached routes, so a switch announced meanwhile is not missed', async () => {
    const acme = await createTenant(platform);
    expect(answeredBy(await send(gateway, acme, '/login'))).toBe('v1'); // cached now

    const { rows } = await platform.control.pool.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'mysaas-gateway-listener' AND datname = current_database()`,
    );
    expect(rows.length).toBeGreaterThan(0); // both gateways'
    expect(rows.every((r) => r.ended)).toBe(true);
    await switchPool(acme, 'v2'); // announced while nobody listens (a gateway retries after 250 ms)
    await eventually(async () => expect(answeredBy(await send(gateway, acme, '/login'))).toBe('v2'), 10_000);

    await switchPool(acme, 'v1'); // listening again: heard, well before the cached route would expire
    await eventually(async () => expect(answeredBy(await send(gateway, acme, '/login'))).toBe('v1'), 10_000);
  });
});

interface GatedServer {
  url: string;
  received: Array<{ url: string }>;
  /** Answers the `/slow` requests kept waiting, and every later one at once. */
  open(): void;
  close(): Promise<void>;
}

/** Like the recording server, but `/slow` requests wait for `open()`: a request that holds its tenant's slot. */
async function startGatedServer(name: string): Promise<GatedServer> {
  const received: Array<{ url: string }> = [];
  const waiting: Array<() => void> = [];
  let opened = false;
  const answer = (res: ServerResponse, url: string) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ answeredBy: name, url }));
  };
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    received.push({ url });
    req.resume();
    if (url.startsWith('/slow') && !opened) waiting.push(() => answer(res, url));
    else answer(res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    open: () => {
      opened = true;
      for (const answerLater of waiting.splice(0)) answerLater();
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
