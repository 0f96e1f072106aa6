import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESSION_COOKIE } from '@mysaas/auth';
import { startAppServer, type StartedAppServer } from '@mysaas/app-server';
import { startControlPlane, type StartedControlPlane } from '@mysaas/control-plane';
import { announceRoutingChange } from '@mysaas/db';
import { startGateway, type StartedGateway } from '@mysaas/gateway';
import { cookieFrom, createTenant, createTestPlatform, http, uniqueSlug, type HttpResponse, type TestPlatform, type TestTenant } from '@mysaas/testing';

/** A platform whose pool v2 runs a broken release, with tenants using the product all the time. */
export interface BrokenReleaseStack {
  platform: TestPlatform;
  gateway: StartedGateway;
  controlPlane: StartedControlPlane;
  /** On v1, signed in: the first is the canary. */
  tenants: TestTenant[];
  /** A tenant's request through the gateway, with its session. */
  call(tenant: TestTenant, path: string): Promise<HttpResponse>;
  stop(): Promise<void>;
}

/**
 * Pool v1 with a real app server; pool v2 (release 2) whose only upstream answers 500 to
 * everything (the release a rollout must catch); a gateway; a control plane reading the
 * gateway's metrics for rollouts; tenants canary, other and third on v1, each sending a request
 * every 20 ms the whole time (the health a rollout compares).
 */
export async function startBrokenReleaseStack(): Promise<BrokenReleaseStack> {
  const platform = await createTestPlatform();
  await platform.addPool('v2', { release: 2 });
  const appServer: StartedAppServer = await startAppServer(platform.appServerConfig());
  const broken: Server = createServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"statusCode":500,"code":"BROKEN_RELEASE","message":"this release is broken on purpose"}');
  });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  await platform.setUpstreams([appServer.url]);
  await platform.control.pool.query('UPDATE platform.pools SET upstreams = $2 WHERE name = $1', ['v2', [`http://127.0.0.1:${(broken.address() as AddressInfo).port}`]]);
  await announceRoutingChange(platform.control.pool, { kind: 'pool', pool: 'v2' });
  const gateway = await startGateway(platform.gatewayConfig());
  const controlPlane = await startControlPlane({ ...platform.controlPlaneConfig(), moves: { resumeIntervalMs: 200, rolloutMetricsUrls: [gateway.metricsUrl] } });

  const cookies = new Map<string, string>();
  const call = (tenant: TestTenant, path: string): Promise<HttpResponse> =>
    http(gateway.url, { path, host: `${tenant.slug}.localhost:${gateway.port}`, cookie: cookies.get(tenant.slug)! });
  const tenants: TestTenant[] = [];
  for (const name of ['canary', 'other', 'third']) {
    const tenant = await createTenant(platform, { slug: uniqueSlug(name) });
    const signIn = await http(gateway.url, { method: 'POST', path: '/auth/login', body: tenant.admin, host: `${tenant.slug}.localhost:${gateway.port}` });
    cookies.set(tenant.slug, cookieFrom(signIn, SESSION_COOKIE)!);
    tenants.push(tenant);
  }
  let stopped = false;
  const traffic = tenants.map(async (tenant) => {
    while (!stopped) {
      await call(tenant, '/api/links');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  return {
    platform,
    gateway,
    controlPlane,
    tenants,
    call,
    stop: async () => {
      stopped = true;
      await Promise.all(traffic);
      await controlPlane.close();
      await gateway.close();
      await appServer.close();
      broken.close();
      await platform.cleanup();
    },
  };
}
