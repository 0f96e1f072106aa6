import { createTenant, createTestPlatform, gatewayHeaders, http, type TestPlatform, type TestTenant } from '@mysaas/testing';
import { startAppServer, type StartedAppServer } from '../../src/app-server';

/**
 * An app server of release N runs on schemas at release N or N+1 (expand/contract); any other
 * schema is refused with what to do, before the request touches a table.
 */
describe('the schema releases an app server serves', () => {
  let platform: TestPlatform;
  let tenant: TestTenant;
  const started: StartedAppServer[] = [];

  beforeAll(async () => {
    platform = await createTestPlatform();
    tenant = await createTenant(platform); // its schema is at the test pool's release (1)
  });

  afterAll(async () => {
    for (const server of started) await server.close();
    await platform?.cleanup();
  });

  const serverOfRelease = async (release: number) => {
    const server = await startAppServer(platform.appServerConfig({ pool: { name: platform.pool.name, release } }));
    started.push(server);
    return server;
  };
  const signInPage = (server: StartedAppServer) => http(server.url, { path: '/login', headers: gatewayHeaders(platform, tenant) });
  const setSchemaRelease = (release: number) =>
    platform.poolDb.pool.query(`UPDATE ${tenant.schema}.schema_migrations SET release = $1 WHERE id = (SELECT max(id) FROM ${tenant.schema}.schema_migrations)`, [release]);

  it('serves a schema at its own release, and at the next one', async () => {
    const release1 = await serverOfRelease(1);
    expect((await signInPage(release1)).status).toBe(200);
    await setSchemaRelease(2);
    const fresh = await serverOfRelease(1); // a new server reads the release afresh
    expect((await signInPage(fresh)).status).toBe(200);
    await setSchemaRelease(1);
  });

  it('refuses a schema behind its release, saying to migrate the pool', async () => {
    const release2 = await serverOfRelease(2);
    const res = await signInPage(release2);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'SCHEMA_RELEASE_UNSUPPORTED',
      message: `the workspace's data is at release 1, and pool v1 runs release 2 (it serves releases 2 and 3): an operator runs \`saas migrate --pool v1\``,
    });
  });

  it('refuses a schema newer than it can run, and serves it again within seconds of it being fixed', async () => {
    await setSchemaRelease(3);
    const release1 = await serverOfRelease(1);
    const res = await signInPage(release1);
    expect(res.status).toBe(503);
    expect(res.json<{ message: string }>().message).toMatch(/at release 3, newer than pool v1's release 1 serves/);
    await setSchemaRelease(1);
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // a refusal is remembered for 2 s
    expect((await signInPage(release1)).status).toBe(200);
  });
});
