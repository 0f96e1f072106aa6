import { Client } from 'pg';
import { ident } from '@mysaas/db';
import { createTestPlatform, http, LogCapture, metricValue, uniqueSlug, type HttpResponse, type TestPlatform } from '@mysaas/testing';
import { controlPlaneObservability, startControlPlane, type StartedControlPlane } from '../../src/control-plane';

describe('control plane API', () => {
  let platform: TestPlatform;
  let server: StartedControlPlane;
  const logs = new LogCapture();

  beforeAll(async () => {
    platform = await createTestPlatform();
    const config = platform.controlPlaneConfig();
    server = await startControlPlane(config, controlPlaneObservability({ ...config, log: { level: 'info' } }, logs));
  });

  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  const api = (method: string, path: string, body?: unknown, token = platform.secrets.adminToken): Promise<HttpResponse> =>
    http(server.url, { method, path, body, headers: token ? { authorization: `Bearer ${token}` } : {} });

  const newTenant = (overrides: Record<string, unknown> = {}) => ({
    slug: uniqueSlug('cp'),
    name: 'Initech',
    adminEmail: 'Owner@Initech.test',
    adminPassword: 'demo-password-1',
    pool: 'v1',
    ...overrides,
  });

  const schemasOnPool = async (): Promise<string[]> =>
    (await platform.poolDb.pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%' ORDER BY 1")).rows.map((r) => r.nspname);
  const tenantRows = async (slug: string) =>
    (await platform.control.pool.query('SELECT slug, status FROM platform.tenants WHERE slug = $1', [slug])).rows;

  describe('admin token', () => {
    it('refuses a request without the token, saying how to send it', async () => {
      const res = await api('GET', '/platform/tenants', undefined, '');
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'ADMIN_TOKEN_MISSING' });
      expect(res.json<{ message: string }>().message).toContain('Authorization: Bearer');
    });

    it('refuses a wrong token', async () => {
      const res = await api('GET', '/platform/tenants', undefined, 'not-the-token-at-all-000000');
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'ADMIN_TOKEN_INVALID' });
    });

    it('lets health probes through without it', async () => {
      expect((await api('GET', '/healthz', undefined, '')).json()).toEqual({ status: 'ok' });
      const ready = await api('GET', '/readyz', undefined, '');
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    });
  });

  describe('observability', () => {
    it('counts requests by route pattern and status on its own metrics port, and logs each one', async () => {
      const slug = uniqueSlug('missing');
      expect((await api('GET', `/platform/tenants/${slug}`)).status).toBe(404);
      expect((await api('GET', '/platform/pools')).status).toBe(200);
      const metrics = await http(server.metricsUrl.replace(/\/metrics$/, ''), { path: '/metrics' });
      expect(metrics.text).not.toContain(slug);
      const series = { app: 'control-plane', tenant: '-', pool: '-' };
      expect(metricValue(metrics.text, 'mysaas_http_requests_total', { ...series, route: '/platform/tenants/:slug', status: '404' })).toBe(1);
      expect(metricValue(metrics.text, 'mysaas_http_requests_total', { ...series, route: '/platform/pools', status: '200' })).toBe(1);
      expect(logs.matching({ msg: 'request', route: '/platform/pools', status: 200 })).toEqual([expect.objectContaining({ app: 'control-plane', method: 'GET' })]);
    });

    it('does not serve metrics on the API port', async () => {
      expect((await api('GET', '/metrics')).status).toBe(404);
    });
  });

  describe('pools', () => {
    it('lists pools without their database credentials', async () => {
      const res = await api('GET', '/platform/pools');
      expect(res.status).toBe(200);
      const pool = res.json<{ pools: Array<Record<string, unknown>> }>().pools.find((p) => p.name === 'v1');
      expect(pool).toMatchObject({ name: 'v1', release: 1, status: 'active', appRole: platform.pool.appRole });
      expect(pool?.databaseServer).toMatch(new RegExp(`/${platform.poolDb.name}$`));
      expect(res.text).not.toContain('postgres://');
    });

    it('registers a pool after checking its server and app role', async () => {
      const missingRole = await api('POST', '/platform/pools', { name: 'v2', release: 2, databaseUrl: platform.poolDb.url, appRole: 'no_such_role' });
      expect(missingRole.status).toBe(400);
      expect(missingRole.json()).toMatchObject({ code: 'POOL_APP_ROLE_UNUSABLE' });

      const created = await api('POST', '/platform/pools', {
        name: 'v2', release: 2, databaseUrl: platform.poolDb.url, appRole: platform.pool.appRole, upstreams: ['http://127.0.0.1:9'],
      });
      expect(created.status).toBe(201);
      expect(created.json()).toMatchObject({ name: 'v2', release: 2, upstreams: ['http://127.0.0.1:9'] });

      const again = await api('POST', '/platform/pools', { name: 'v2', release: 2, databaseUrl: platform.poolDb.url, appRole: platform.pool.appRole });
      expect(again.status).toBe(409);

      const patched = await api('PATCH', '/platform/pools/v2', { upstreams: ['http://127.0.0.1:10'], status: 'draining' });
      expect(patched.json()).toMatchObject({ upstreams: ['http://127.0.0.1:10'], status: 'draining' });
    });

    it('refuses an unreachable pool database with 400', async () => {
      const res = await api('POST', '/platform/pools', {
        name: 'v9', release: 9, databaseUrl: 'postgres://nobody@127.0.0.1:1/none', appRole: 'x',
      });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'POOL_DATABASE_UNREACHABLE' });
    });

    it.each([
      ['http://127.0.0.1:3201/prefix', 'no user, path, query or fragment'],
      ['http://user:secret@127.0.0.1:3201', 'no user, path, query or fragment'],
      ['http://127.0.0.1:3201?x=1', 'no user, path, query or fragment'],
      ['javascript:alert(1)', 'must use http or https'],
    ])('refuses the upstream %s: requests go to an origin, nothing more (%s)', async (upstream, reason) => {
      const res = await api('PATCH', '/platform/pools/v1', { upstreams: [upstream] });
      expect(res.status).toBe(400);
      expect(res.json<{ message: string }>().message).toContain(reason);
      expect(res.json<{ message: string }>().message).not.toContain('secret');
    });

    it('stores upstreams in their canonical spelling', async () => {
      const before = (await api('GET', '/platform/pools/v1')).json<{ upstreams: string[] }>().upstreams;
      const res = await api('PATCH', '/platform/pools/v1', { upstreams: ['HTTP://LocalHost:3201/'] });
      expect(res.json()).toMatchObject({ upstreams: ['http://localhost:3201'] });
      await api('PATCH', '/platform/pools/v1', { upstreams: before });
    });

    it('lists every invalid field of a pool at once', async () => {
      const res = await api('POST', '/platform/pools', { name: 'V 2', release: 0, databaseUrl: 'mysql://x', appRole: 'Bad-Role', upstreams: ['ftp://x'] });
      expect(res.status).toBe(400);
      const { message } = res.json<{ message: string }>();
      for (const field of ['name must be', 'release must be at least 1', 'databaseUrl must be', 'appRole must be', 'each upstream must be']) {
        expect(message).toContain(field);
      }
    });
  });

  describe('provisioning', () => {
    it('creates the schema, the role, the tables and the first user, and records it', async () => {
      const input = newTenant();
      const res = await api('POST', '/platform/tenants', input);
      expect(res.status).toBe(201);
      const schema = `t_${input.slug.replaceAll('-', '_')}`;
      expect(res.json()).toMatchObject({ slug: input.slug, name: 'Initech', status: 'active', pool: 'v1', schema, role: schema });

      const users = await platform.poolDb.pool.query(`SELECT email FROM ${ident(schema)}.users`);
      expect(users.rows).toEqual([{ email: 'owner@initech.test' }]);
      const owner = await platform.poolDb.pool.query(
        'SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1', [schema],
      );
      expect(owner.rows).toEqual([{ owner: schema }]);
      const role = await platform.poolDb.pool.query('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [schema]);
      expect(role.rows).toEqual([{ rolcanlogin: false }]);
      const audit = await api('GET', `/platform/audit?tenant=${input.slug}`);
      expect(audit.json<{ entries: Array<{ action: string }> }>().entries.map((e) => e.action)).toEqual(['tenant.created']);
    });

    it.each([
      ['Acme', 'invalid'],
      ['www', 'reserved'],
      ['admin', 'reserved'],
      ['acme-', 'must not end with a hyphen'],
      ['a', 'invalid'],
      ['x'.repeat(62), 'at most 61'],
      ['acme_corp', 'invalid'],
    ])('refuses slug %j with 400 saying why (%s) and creates nothing', async (slug, reason) => {
      const before = await schemasOnPool();
      const res = await api('POST', '/platform/tenants', newTenant({ slug }));
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'TENANT_INVALID_SLUG' });
      expect(res.json<{ message: string }>().message).toContain(reason);
      expect(await schemasOnPool()).toEqual(before);
      expect(await tenantRows(slug)).toEqual([]);
    });

    it('refuses a duplicate slug with 409 and keeps the first tenant intact', async () => {
      const input = newTenant();
      expect((await api('POST', '/platform/tenants', input)).status).toBe(201);
      const again = await api('POST', '/platform/tenants', { ...input, name: 'Impostor' });
      expect(again.status).toBe(409);
      expect(again.json()).toMatchObject({ code: 'TENANT_SLUG_TAKEN' });
      expect((await api('GET', `/platform/tenants/${input.slug}`)).json()).toMatchObject({ name: 'Initech', status: 'active' });
    });

    it.each([
      [{ adminPassword: 'short' }, 'TENANT_INVALID_PASSWORD', 'adminPassword must be at least 8 characters'],
      [{ adminEmail: 'not-an-email' }, 'VALIDATION_FAILED', 'adminEmail must be an email address'],
      [{ pool: 'nope' }, 'TENANT_POOL_UNKNOWN', 'pool "nope" does not exist'],
      [{ name: '' }, 'VALIDATION_FAILED', 'name must be 1 to 200 characters'],
      [{ slug: 42 }, 'VALIDATION_FAILED', 'slug is required and must be a string'],
      [{ extra: true }, 'VALIDATION_FAILED', 'property extra should not exist'],
    ])('refuses %j with 400 %s', async (override, code, message) => {
      const input = newTenant(override);
      const before = await schemasOnPool();
      const res = await api('POST', '/platform/tenants', input);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code });
      expect(res.json<{ message: string }>().message).toContain(message);
      expect(await schemasOnPool()).toEqual(before);
    });

    it('refuses a tenant on a draining pool with 409', async () => {
      await platform.control.pool.query(
        `INSERT INTO platform.pools (name, release, status, database_url, app_role) VALUES ('old', 1, 'draining', $1, $2)`,
        [platform.poolDb.url, platform.pool.appRole],
      );
      const res = await api('POST', '/platform/tenants', newTenant({ pool: 'old' }));
      expect(res.status).toBe(409);
      expect(res.json()).toMatchObject({ code: 'TENANT_POOL_NOT_ACCEPTING' });
    });

    it('rolls back when the pool server already has the role, leaving it and everything else untouched', async () => {
      const slug = uniqueSlug('cp');
      const role = `t_${slug.replaceAll('-', '_')}`;
      await platform.poolDb.pool.query(`CREATE ROLE ${ident(role)} NOLOGIN`);
      try {
        const before = await schemasOnPool();
        const res = await api('POST', '/platform/tenants', newTenant({ slug }));
        expect(res.status).toBe(409);
        expect(res.json()).toMatchObject({ code: 'TENANT_RESIDUE_ON_POOL' });
        expect(res.json<{ message: string }>().message).toContain(`role ${role} already exists`);
        expect(await schemasOnPool()).toEqual(before);
        expect(await tenantRows(slug)).toEqual([]);
        // The slug is free again once the residue is gone.
        await platform.poolDb.pool.query(`DROP ROLE ${ident(role)}`);
        expect((await api('POST', '/platform/tenants', newTenant({ slug }))).status).toBe(201);
      } finally {
        await platform.poolDb.pool.query(`DROP ROLE IF EXISTS ${ident(role)}`).catch(() => undefined);
      }
    });

    it('answers 503 when the pool server is down and releases the slug', async () => {
      await platform.control.pool.query(
        `INSERT INTO platform.pools (name, release, database_url, app_role) VALUES ('down', 1, 'postgres://x@127.0.0.1:1/none', 'x')`,
      );
      const slug = uniqueSlug('cp');
      const res = await api('POST', '/platform/tenants', newTenant({ slug, pool: 'down' }));
      expect(res.status).toBe(503);
      expect(res.json()).toMatchObject({ code: 'TENANT_POOL_UNREACHABLE' });
      expect(await tenantRows(slug)).toEqual([]);
      const audit = await api('GET', `/platform/audit?tenant=${slug}`);
      expect(audit.json<{ entries: Array<{ action: string }> }>().entries.map((e) => e.action)).toEqual(['tenant.provisioning_failed']);
    });
  });

  describe('suspend and resume', () => {
    it('suspends and resumes, idempotently, and audits each change once', async () => {
      const input = newTenant();
      await api('POST', '/platform/tenants', input);
      expect((await api('POST', `/platform/tenants/${input.slug}/suspend`)).json()).toMatchObject({ status: 'suspended' });
      expect((await api('POST', `/platform/tenants/${input.slug}/suspend`)).json()).toMatchObject({ status: 'suspended' });
      expect((await api('POST', `/platform/tenants/${input.slug}/resume`)).json()).toMatchObject({ status: 'active' });
      const audit = await api('GET', `/platform/audit?tenant=${input.slug}`);
      expect(audit.json<{ entries: Array<{ action: string }> }>().entries.map((e) => e.action)).toEqual([
        'tenant.resumed', 'tenant.suspended', 'tenant.created',
      ]);
    });

    it('answers 404 for an unknown tenant', async () => {
      const res = await api('POST', '/platform/tenants/no-such-tenant/suspend');
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ code: 'TENANT_NOT_FOUND', message: 'no tenant with slug "no-such-tenant"' });
    });
  });

  describe('tenant limits', () => {
    const roleConfig = async (role: string) =>
      (await platform.poolDb.pool.query<{ rolconfig: string[] | null }>('SELECT rolconfig FROM pg_roles WHERE rolname = $1', [role])).rows[0]!.rolconfig;

    it('sets a request cap and a statement timeout, puts the timeout on the role, and audits it', async () => {
      const tenant = (await api('POST', '/platform/tenants', newTenant())).json<{ slug: string; role: string; limits: unknown }>();
      expect(tenant.limits).toEqual({ maxConcurrentRequests: null, statementTimeoutMs: null });
      const res = await api('PATCH', `/platform/tenants/${tenant.slug}/limits`, { maxConcurrentRequests: 4, statementTimeoutMs: 2500 });
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ limits: { maxConcurrentRequests: 4, statementTimeoutMs: 2500 } });
      expect(await roleConfig(tenant.role)).toEqual(['statement_timeout=2500ms']);
      const routes = await platform.control.pool.query('SELECT max_concurrent_requests FROM platform.tenant_routes WHERE slug = $1', [tenant.slug]);
      expect(routes.rows).toEqual([{ max_concurrent_requests: 4 }]);
      const audit = (await api('GET', `/platform/audit?tenant=${tenant.slug}`)).json<{ entries: Array<{ action: string; details: unknown }> }>();
      expect(audit.entries.find((e) => e.action === 'tenant.limits_changed')?.details).toEqual({
        before: { maxConcurrentRequests: null, statementTimeoutMs: null },
        after: { maxConcurrentRequests: 4, statementTimeoutMs: 2500 },
      });
    });

    it('changes only the limits named, and null goes back to the default', async () => {
      const tenant = (await api('POST', '/platform/tenants', newTenant())).json<{ slug: string; role: string }>();
      await api('PATCH', `/platform/tenants/${tenant.slug}/limits`, { maxConcurrentRequests: 4, statementTimeoutMs: 2500 });
      const cap = await api('PATCH', `/platform/tenants/${tenant.slug}/limits`, { maxConcurrentRequests: 8 });
      expect(cap.json()).toMatchObject({ limits: { maxConcurrentRequests: 8, statementTimeoutMs: 2500 } });
      const reset = await api('PATCH', `/platform/tenants/${tenant.slug}/limits`, { statementTimeoutMs: null });
      expect(reset.json()).toMatchObject({ limits: { maxConcurrentRequests: 8, statementTimeoutMs: null } });
      expect(await roleConfig(tenant.role)).toBeNull();
    });

    it('refuses limits out of range, listing each, and changes nothing', async () => {
      const tenant = (await api('POST', '/platform/tenants', newTenant())).json<{ slug: string; role: string }>();
      const res = await api('PATCH', `/platform/tenants/${tenant.slug}/limits`, { maxConcurrentRequests: 0, statementTimeoutMs: 'soon' });
      expect(res.status).toBe(400);
      expect(res.json<{ message: string }>().message).toContain('maxConcurrentRequests must be at least 1');
      expect(res.json<{ message: string }>().message).toContain('statementTimeoutMs must be a whole number');
      expect((await api('GET', `/platform/tenants/${tenant.slug}`)).json()).toMatchObject({ limits: { maxConcurrentRequests: null, statementTimeoutMs: null } });
      expect(await roleConfig(tenant.role)).toBeNull();
    });

    it('answers 404 for an unknown tenant', async () => {
      const res = await api('PATCH', '/platform/tenants/no-such-tenant/limits', { maxConcurrentRequests: 2 });
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ code: 'TENANT_NOT_FOUND' });
    });
  });

  describe('bad requests', () => {
    it('refuses malformed JSON with 400', async () => {
      const res = await http(server.url, {
        method: 'POST', path: '/platform/tenants', body: '{"slug":',
        headers: { authorization: `Bearer ${platform.secrets.adminToken}`, 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'MALFORMED_BODY' });
    });

    it('refuses an oversized body with 413', async () => {
      const res = await api('POST', '/platform/tenants', newTenant({ name: 'x'.repeat(100 * 1024) }));
      expect(res.status).toBe(413);
      expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    });
  });

  it('lists tenants a page at a time', async () => {
    const first = await api('GET', '/platform/tenants?limit=2');
    const page = first.json<{ tenants: Array<{ slug: string }>; next: string }>();
    expect(page.tenants).toHaveLength(2);
    const second = await api('GET', `/platform/tenants?limit=2&after=${page.next}`);
    const slugs = second.json<{ tenants: Array<{ slug: string }> }>().tenants.map((t) => t.slug);
    expect(slugs.every((s) => s > page.next)).toBe(true);
  });

  it('provisions 50 tenants in a row, each reaching only its own schema', async () => {
    const slugs: string[] = [];
    for (let i = 0; i < 50; i++) {
      const input = newTenant({ slug: uniqueSlug(`bulk${i}`) });
      const res = await api('POST', '/platform/tenants', input);
      expect(res.status).toBe(201);
      slugs.push(input.slug);
    }
    const schemas = slugs.map((s) => `t_${s.replaceAll('-', '_')}`);
    // Every (role, schema) pair: USAGE only where they belong together.
    const { rows } = await platform.poolDb.pool.query<{ role: string; schema: string; usage: boolean }>(
      `SELECT r AS role, s AS schema, has_schema_privilege(r, s, 'USAGE') AS usage
         FROM unnest($1::text[]) r CROSS JOIN unnest($1::text[]) s`,
      [schemas],
    );
    expect(rows).toHaveLength(2500);
    expect(rows.filter((r) => r.usage !== (r.role === r.schema))).toEqual([]);
    // And in practice: as each tenant, reading the next tenant's users is refused.
    const client = new Client({ connectionString: platform.poolAppUrl });
    await client.connect();
    try {
      for (let i = 0; i < schemas.length; i++) {
        const own = schemas[i]!;
        const other = schemas[(i + 1) % schemas.length]!;
        await client.query('BEGIN');
        await client.query(`SET LOCAL ROLE ${ident(own)}`);
        await expect(client.query(`SELECT 1 FROM ${ident(other)}.users`)).rejects.toThrow(`permission denied for schema ${other}`);
        await client.query('ROLLBACK');
      }
    } finally {
      await client.end();
    }
  }, 120_000);
});
