import { Controller, Get, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SESSION_COOKIE } from '@mysaas/auth';
import { TenantDatabase } from '@mysaas/db';
import { LinksService, Public } from '@mysaas/modules';
import { createApp, startApp, type StartedApp } from '@mysaas/nest-http';
import { currentTenantScope, runAsTenant } from '@mysaas/tenant-runtime';
import {
  cookieFrom,
  createTenant,
  createTestPlatform,
  gatewayHeaders,
  http,
  type TestPlatform,
  type TestTenant,
} from '@mysaas/testing';
import { AppModule } from '../../src/app.module';

/** What the current scope's transaction is allowed to see: the same question asked from every transport. */
async function probe(otherSchema: string) {
  const manager = currentTenantScope().transaction.manager;
  const [where] = (await manager.query("SELECT current_user AS role, current_setting('search_path') AS path")) as Array<{ role: string; path: string }>;
  const other = await manager.query('SAVEPOINT probe').then(() =>
    manager.query(`SELECT count(*) FROM ${otherSchema}.links`).then(
      () => 'read it',
      (error: Error) => error.message,
    ),
  );
  await manager.query('ROLLBACK TO SAVEPOINT probe');
  return { ...where, other };
}

/** Whose tables the probe tries to read (set once the tenants exist). */
const probeTarget = { schema: '' };

@Controller('api/probe')
class ProbeController {
  @Public()
  @Get()
  run() {
    return probe(probeTarget.schema);
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/**
 * One tenant runtime for every transport: the same module service, and the same isolation,
 * whether the code runs for an HTTP request (through the app server's middleware) or from a
 * plain function outside Nest's request pipeline, as a job or a command will (runAsTenant).
 */
describe('one tenant runtime for requests and for plain functions', () => {
  let platform: TestPlatform;
  let acme: TestTenant;
  let globex: TestTenant;
  let server: StartedApp;
  let app: NestExpressApplication;

  beforeAll(async () => {
    platform = await createTestPlatform();
    acme = await createTenant(platform, { name: 'Acme' });
    globex = await createTenant(platform, { name: 'Globex' });
    probeTarget.schema = globex.schema;
    app = await createApp({ module: class TestRoot {}, imports: [AppModule.forRoot(platform.appServerConfig()), ProbeModule] }, { jsonBodyBytes: 16_384 });
    server = await startApp(app, { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  const asAcme = <T>(work: () => Promise<T>) => runAsTenant(app.get(TenantDatabase), acme, work);

  it('serves the same links to an HTTP request and to a plain function, and none of them to another tenant', async () => {
    const signIn = await http(server.url, { method: 'POST', path: '/auth/login', headers: gatewayHeaders(platform, acme), body: acme.admin });
    expect(signIn.status).toBe(200);
    const cookie = cookieFrom(signIn, SESSION_COOKIE)!;
    const headers = gatewayHeaders(platform, acme, { sessionCookie: cookie });
    expect((await http(server.url, { method: 'POST', path: '/api/links', headers, body: { url: 'https://acme.example/over-http' } })).status).toBe(201);

    const links = app.get(LinksService);
    const created = await asAcme(() => links.create({ url: 'https://acme.example/from-a-job' }, null));
    expect(created.code).toHaveLength(7);

    const overHttp = (await http(server.url, { path: '/api/links', headers })).json<{ links: Array<{ url: string }> }>().links.map((l) => l.url);
    const fromFunction = (await asAcme(() => links.list())).map((l) => l.url);
    expect(fromFunction).toEqual(overHttp);
    expect(fromFunction.sort()).toEqual(['https://acme.example/from-a-job', 'https://acme.example/over-http']);
    expect(await runAsTenant(app.get(TenantDatabase), globex, () => links.list())).toEqual([]);
  });

  it("runs both under the tenant's role and schema, where Postgres refuses the other tenant's tables", async () => {
    const overHttp = (await http(server.url, { path: '/api/probe', headers: gatewayHeaders(platform, acme) })).json();
    const fromFunction = await asAcme(() => probe(globex.schema));
    const expected = { role: acme.role, path: `${acme.schema}, pg_temp`, other: `permission denied for schema ${globex.schema}` };
    expect(overHttp).toEqual(expected);
    expect(fromFunction).toEqual(expected);
  });
});
