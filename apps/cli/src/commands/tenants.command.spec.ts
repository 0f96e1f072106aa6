import { PassThrough } from 'node:stream';
import { FakeControlPlane } from '../../test/fake-control-plane';
import { runSaas } from '../../test/run-saas';

const TOKEN = 'test-admin-token-0123456789abcdef';
const ADMIN_PASSWORD = 'admin-password-0123';

const tenantView = (slug: string, overrides: Record<string, unknown> = {}) => ({
  id: `id-${slug}`,
  slug,
  name: `${slug[0]?.toUpperCase()}${slug.slice(1)} Corp`,
  status: 'active',
  pool: 'v1',
  schema: `t_${slug}`,
  role: `t_${slug}`,
  limits: { maxConcurrentRequests: null, statementTimeoutMs: null },
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  ...overrides,
});
const ACME = tenantView('acme');
const GLOBEX = tenantView('globex', { status: 'suspended', pool: 'v2' });
const INITECH = tenantView('initech');

/** A stand-in terminal on which a person types each line in turn, once asked. */
function terminal(...lines: string[]) {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const queue = [...lines];
  // Typed as soon as saas reads, as a person would after seeing the question.
  input.on('resume', () => setImmediate(() => input.write(`${queue.shift() ?? ''}\r`)));
  return input;
}

describe('saas tenants', () => {
  let controlPlane: FakeControlPlane;
  const env = (extra: Record<string, string> = {}) => ({ SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN, ...extra });
  const saas = (...args: string[]) => runSaas(args, { env: env() });

  beforeAll(async () => {
    controlPlane = await FakeControlPlane.start();
  });
  afterEach(() => controlPlane.reset());
  afterAll(() => controlPlane.close());

  describe('list', () => {
    it('asks GET /platform/tenants with the filters and prints one line per tenant', async () => {
      controlPlane.answer('GET /platform/tenants?pool=v1&status=active', { body: { tenants: [ACME, INITECH], next: null } });

      const { code, stdout, stderr } = await saas('tenants', 'list', '--pool', 'v1', '--status', 'active');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(controlPlane.onlyRequest().headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(stdout).toBe(
        [
          'TENANT   NAME          STATUS  POOL  CREATED',
          'acme     Acme Corp     active  v1    2026-11-26T12:00:00Z',
          'initech  Initech Corp  active  v1    2026-11-26T12:00:00Z',
          '',
        ].join('\n'),
      );
    });

    it('shows one page, and says on stderr how to see the rest when there is more', async () => {
      controlPlane.answer('GET /platform/tenants', { body: { tenants: [ACME], next: 'acme' } });

      const { code, stdout, stderr } = await saas('tenants', 'list');

      expect(code).toBe(0);
      expect(stdout.split('\n')).toHaveLength(3);
      expect(stderr).toBe('More tenants follow: saas tenants list --all, or --after acme for the next page.\n');
    });

    it('--all follows `next` to the last page, in pages as large as the control plane gives', async () => {
      controlPlane.answer('GET /platform/tenants?pool=v1&limit=500', { body: { tenants: [ACME, GLOBEX], next: 'globex' } });
      controlPlane.answer('GET /platform/tenants?pool=v1&after=globex&limit=500', { body: { tenants: [INITECH], next: null } });

      const { code, stdout, stderr } = await saas('tenants', 'list', '--pool', 'v1', '--all', '--json');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(controlPlane.requests.map((r) => r.url)).toEqual(['/platform/tenants?pool=v1&limit=500', '/platform/tenants?pool=v1&after=globex&limit=500']);
      expect(JSON.parse(stdout)).toEqual({ tenants: [ACME, GLOBEX, INITECH], next: null });
    });

    it('--all stops with an error rather than loop when the cursor does not move', async () => {
      controlPlane.answer('GET /platform/tenants?after=acme&limit=500', { body: { tenants: [ACME], next: 'acme' } });
      const { code, stderr } = await saas('tenants', 'list', '--all', '--after', 'acme');
      expect(code).toBe(1);
      expect(stderr).toContain("error: the control plane's next page (after acme) does not move past acme");
    });

    it('--json without --all prints the page with its cursor, for scripts to follow', async () => {
      const page = { tenants: [ACME], next: 'acme' };
      controlPlane.answer('GET /platform/tenants?after=aaa', { body: page });
      const { stdout, stderr } = await saas('tenants', 'list', '--after', 'aaa', '--json');
      expect(JSON.parse(stdout)).toEqual(page);
      expect(stderr).toBe('');
    });

    it('says so when no tenant matches', async () => {
      controlPlane.answer('GET /platform/tenants?pool=v9&status=suspended', { body: { tenants: [], next: null } });
      expect((await saas('tenants', 'list', '--pool', 'v9', '--status', 'suspended')).stdout).toBe('No tenants on pool v9 with status suspended.\n');
    });

    it('refuses a status that is not one, without asking the control plane', async () => {
      const { code, stderr } = await saas('tenants', 'list', '--status', 'paused');
      expect(code).toBe(2);
      expect(stderr).toContain("option '--status <status>' argument 'paused' is invalid. Allowed choices are provisioning, active, suspended.");
      expect(controlPlane.requests).toEqual([]);
    });
  });

  describe('show', () => {
    it('asks GET /platform/tenants/<slug> and prints its fields, limits left to the default said so', async () => {
      controlPlane.answer('GET /platform/tenants/acme', { body: tenantView('acme', { limits: { maxConcurrentRequests: 32, statementTimeoutMs: null } }) });

      const { code, stdout } = await saas('tenants', 'show', 'acme');

      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          'Tenant:                   acme',
          'Name:                     Acme Corp',
          'Status:                   active',
          'Pool:                     v1',
          'Schema:                   t_acme',
          'Role:                     t_acme',
          'Max concurrent requests:  32',
          'Statement timeout:        platform default',
          'ID:                       id-acme',
          'Created:                  2026-11-26T12:00:00Z',
          'Updated:                  2026-11-26T12:00:00Z',
          '',
        ].join('\n'),
      );
    });

    it("exits 1 with the control plane's message for a tenant that does not exist, and says where the tenants are", async () => {
      controlPlane.answer('GET /platform/tenants/nope', {
        status: 404,
        body: { statusCode: 404, code: 'TENANT_NOT_FOUND', message: 'no tenant with slug "nope"', requestId: 'r1' },
      });
      const { code, stdout, stderr } = await saas('tenants', 'show', 'nope');
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toBe('error: no tenant with slug "nope" (TENANT_NOT_FOUND)\nhint: `saas tenants list` shows the tenants\n');
    });
  });

  describe('create', () => {
    const CREATE = ['tenants', 'create', 'acme', '--name', 'Acme Corp', '--pool', 'v1', '--admin-email', 'owner@acme.test'];
    const REQUEST = { slug: 'acme', name: 'Acme Corp', adminEmail: 'owner@acme.test', adminPassword: ADMIN_PASSWORD, pool: 'v1' };

    it('sends POST /platform/tenants with the admin password from SAAS_TENANT_ADMIN_PASSWORD', async () => {
      controlPlane.answer('POST /platform/tenants', { status: 201, body: ACME });

      const { code, stdout, stderr } = await runSaas(CREATE, { env: env({ SAAS_TENANT_ADMIN_PASSWORD: ADMIN_PASSWORD }) });

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(controlPlane.onlyRequest().body).toEqual(REQUEST);
      expect(stdout.split('\n').slice(0, 2)).toEqual(['Tenant acme is active on pool v1; owner@acme.test signs in as its admin.', 'Tenant:                   acme']);
      expect(stdout).not.toContain(ADMIN_PASSWORD);
    });

    it('leaves the pool to the control plane (its default pool) when --pool is not given', async () => {
      controlPlane.answer('POST /platform/tenants', { status: 201, body: ACME });
      const { code } = await runSaas(CREATE.filter((arg, i) => arg !== '--pool' && CREATE[i - 1] !== '--pool'), { env: env({ SAAS_TENANT_ADMIN_PASSWORD: ADMIN_PASSWORD }) });
      expect(code).toBe(0);
      const { pool: _pool, ...withoutPool } = REQUEST;
      expect(controlPlane.onlyRequest().body).toEqual(withoutPool);
    });

    it('asks for the password twice on a terminal, on stderr, showing none of it', async () => {
      controlPlane.answer('POST /platform/tenants', { status: 201, body: ACME });

      const { code, stdout, stderr } = await runSaas([...CREATE, '--json'], { env: env(), stdin: terminal(ADMIN_PASSWORD, ADMIN_PASSWORD) });

      expect(code).toBe(0);
      expect(controlPlane.onlyRequest().body).toEqual(REQUEST);
      expect(stderr).toBe('Password for the admin of acme: \nThe same password again: \n');
      expect(JSON.parse(stdout)).toEqual(ACME);
    });

    it('creates nothing when the two passwords typed differ', async () => {
      const { code, stderr } = await runSaas(CREATE, { env: env(), stdin: terminal(ADMIN_PASSWORD, 'something-else-1') });
      expect(code).toBe(2);
      expect(stderr).toContain('error: the two passwords differ; nothing was created\n');
      expect(stderr).not.toContain(ADMIN_PASSWORD);
      expect(controlPlane.requests).toEqual([]);
    });

    it('is a usage error with no password in the environment and no terminal to ask on', async () => {
      const { code, stderr } = await runSaas(CREATE, { env: env(), stdin: new PassThrough() });
      expect(code).toBe(2);
      expect(stderr).toBe(
        'error: no password for the admin of acme: SAAS_TENANT_ADMIN_PASSWORD is not set, and there is no terminal to ask on\n' +
          'hint: set SAAS_TENANT_ADMIN_PASSWORD (it is never an option: it would land in your shell history)\n',
      );
      expect(controlPlane.requests).toEqual([]);
    });

    it('has no password option', async () => {
      const { code, stderr } = await runSaas([...CREATE, '--admin-password', ADMIN_PASSWORD], { env: env() });
      expect(code).toBe(2);
      expect(stderr).toContain("error: unknown option '--admin-password'");
    });

    it('refuses a slug the control plane would refuse, before asking for a password', async () => {
      const { code, stderr } = await runSaas(['tenants', 'create', 'Acme!', '--name', 'A', '--pool', 'v1', '--admin-email', 'a@b.c'], {
        env: env(),
        stdin: terminal(),
      });
      expect(code).toBe(2);
      expect(stderr).toMatch(/^error: slug "Acme!" is invalid/);
      expect(controlPlane.requests).toEqual([]);
    });

    it.each([
      ['--name <name>', ['tenants', 'create', 'acme', '--pool', 'v1', '--admin-email', 'a@b.c']],
      ['--admin-email <email>', ['tenants', 'create', 'acme', '--name', 'A', '--pool', 'v1']],
    ])('needs %s', async (option, args) => {
      const { code, stderr } = await runSaas(args, { env: env({ SAAS_TENANT_ADMIN_PASSWORD: ADMIN_PASSWORD }) });
      expect(code).toBe(2);
      expect(stderr).toContain(`required option '${option}' not specified`);
    });

    it.each([
      ['TENANT_POOL_UNKNOWN', 400, 'pool "v9" does not exist', '`saas pools list` shows the pools'],
      ['TENANT_POOL_NOT_ACCEPTING', 409, 'pool v1 is draining and takes no new tenants', 'only an active pool takes new tenants: `saas pools list` shows each status'],
      ['TENANT_SLUG_TAKEN', 409, 'a tenant with slug "acme" already exists', '`saas tenants show <slug>` shows the tenant of that slug'],
    ])("exits 1 with the control plane's refusal (%s) and what to do about it, never printing the password", async (errorCode, status, message, hint) => {
      controlPlane.answer('POST /platform/tenants', {
        status,
        body: { statusCode: status, code: errorCode, message: `${message} (you sent ${ADMIN_PASSWORD})`, requestId: 'r1' },
      });
      const { code, stderr } = await runSaas(CREATE, { env: env({ SAAS_TENANT_ADMIN_PASSWORD: ADMIN_PASSWORD }) });
      expect(code).toBe(1);
      expect(stderr).toBe(`error: ${message} (you sent ***) (${errorCode})\nhint: ${hint}\n`);
    });
  });

  describe('suspend and resume', () => {
    it('suspends: POST /platform/tenants/<slug>/suspend, and says what that does', async () => {
      controlPlane.answer('POST /platform/tenants/acme/suspend', { body: { ...ACME, status: 'suspended' } });
      const { code, stdout } = await saas('tenants', 'suspend', 'acme');
      expect(code).toBe(0);
      expect(controlPlane.onlyRequest()).toMatchObject({ method: 'POST', body: undefined });
      expect(stdout).toBe('Tenant acme is suspended: its users are turned away and its jobs wait (saas tenants resume acme).\n');
    });

    it('resumes: POST /platform/tenants/<slug>/resume; --json prints the tenant', async () => {
      controlPlane.answer('POST /platform/tenants/acme/resume', { body: ACME });
      const table = await saas('tenants', 'resume', 'acme');
      const json = await saas('tenants', 'resume', 'acme', '--json');
      expect(table.stdout).toBe('Tenant acme is active.\n');
      expect(JSON.parse(json.stdout)).toEqual(ACME);
    });

    it.each(['suspend', 'resume'])("%s exits 1 with the control plane's message for a tenant that does not exist", async (action) => {
      controlPlane.answer(`POST /platform/tenants/nope/${action}`, {
        status: 404,
        body: { statusCode: 404, code: 'TENANT_NOT_FOUND', message: 'no tenant with slug "nope"', requestId: 'r1' },
      });
      const { code, stderr } = await saas('tenants', action, 'nope');
      expect(code).toBe(1);
      expect(stderr).toContain('error: no tenant with slug "nope" (TENANT_NOT_FOUND)');
    });

    it('needs the tenant', async () => {
      const { code, stderr } = await saas('tenants', 'suspend');
      expect(code).toBe(2);
      expect(stderr).toContain("missing required argument 'slug'");
    });
  });

  describe('set-job-plan', () => {
    it('puts a tenant on a plan: PUT /platform/tenants/<slug>/job-plan {plan}', async () => {
      controlPlane.answer('PUT /platform/tenants/acme/job-plan', { body: { tenant: 'acme', plan: 'business' } });
      const { code, stdout } = await saas('tenants', 'set-job-plan', 'acme', 'business');
      expect(code).toBe(0);
      const request = controlPlane.onlyRequest();
      expect(request).toMatchObject({ method: 'PUT', body: { plan: 'business' } });
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(stdout).toBe('Tenant acme is on job plan business.\n');
    });

    it('--json prints the answer', async () => {
      controlPlane.answer('PUT /platform/tenants/acme/job-plan', { body: { tenant: 'acme', plan: 'business' } });
      const { stdout } = await saas('tenants', 'set-job-plan', 'acme', 'business', '--json');
      expect(JSON.parse(stdout)).toEqual({ tenant: 'acme', plan: 'business' });
    });

    it('needs both the tenant and the plan', async () => {
      const { code, stderr } = await saas('tenants', 'set-job-plan', 'acme');
      expect(code).toBe(2);
      expect(stderr).toContain("missing required argument 'plan'");
    });
  });
});
