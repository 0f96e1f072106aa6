import { FakeControlPlane } from '../../test/fake-control-plane';
import { runSaas } from '../../test/run-saas';

const TOKEN = 'test-admin-token-0123456789abcdef';
const DB_PASSWORD = 'pool-db-password-s3cret';

const V1 = {
  name: 'v1',
  release: 1,
  status: 'active',
  databaseServer: 'db1:5432/mysaas',
  appRole: 'mysaas_app',
  upstreams: ['http://10.0.0.5:3201', 'http://10.0.0.6:3201'],
  isDefault: true,
  tenantCount: 12,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-27T08:30:00.000Z',
};
const V2 = { ...V1, name: 'v2', release: 2, status: 'draining', databaseServer: 'db2:5432/mysaas', upstreams: [], isDefault: false, tenantCount: 0 };
const { tenantCount: _count, ...V1_ALONE } = V1;

describe('saas pools', () => {
  let controlPlane: FakeControlPlane;
  const saas = (...args: string[]) => runSaas(args, { env: { SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN } });

  beforeAll(async () => {
    controlPlane = await FakeControlPlane.start();
  });
  afterEach(() => controlPlane.reset());
  afterAll(() => controlPlane.close());

  describe('list', () => {
    it('asks GET /platform/pools and prints one line per pool, — for no upstreams', async () => {
      controlPlane.answer('GET /platform/pools', { body: { pools: [V1, V2] } });

      const { code, stdout, stderr } = await saas('pools', 'list');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(controlPlane.onlyRequest().headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(stdout).toBe(
        [
          'POOL  RELEASE  STATUS    DEFAULT  TENANTS  DATABASE         APP ROLE    UPSTREAMS',
          'v1          1  active    yes           12  db1:5432/mysaas  mysaas_app  http://10.0.0.5:3201, http://10.0.0.6:3201',
          'v2          2  draining                 0  db2:5432/mysaas  mysaas_app  —',
          '',
        ].join('\n'),
      );
    });

    it('--json prints the answer as given', async () => {
      const answer = { pools: [{ ...V1, addedLater: 'kept' }] };
      controlPlane.answer('GET /platform/pools', { body: answer });
      const { stdout } = await saas('pools', 'list', '--json');
      expect(JSON.parse(stdout)).toEqual(answer);
    });

    it('says so when there are none', async () => {
      controlPlane.answer('GET /platform/pools', { body: { pools: [] } });
      expect((await saas('pools', 'list')).stdout).toBe('No pools.\n');
    });
  });

  describe('show', () => {
    it('asks GET /platform/pools/<name> and prints its fields', async () => {
      controlPlane.answer('GET /platform/pools/v1', { body: V1_ALONE });

      const { code, stdout } = await saas('pools', 'show', 'v1');

      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          'Pool:       v1',
          'Release:    1',
          'Status:     active',
          'Default:    yes',
          'Database:   db1:5432/mysaas',
          'App role:   mysaas_app',
          'Upstreams:  http://10.0.0.5:3201, http://10.0.0.6:3201',
          'Created:    2026-11-26T12:00:00Z',
          'Updated:    2026-11-27T08:30:00Z',
          '',
        ].join('\n'),
      );
    });

    it("exits 1 with the control plane's message for a pool that does not exist, and says where the pools are", async () => {
      controlPlane.answer('GET /platform/pools/nope', {
        status: 404,
        body: { statusCode: 404, code: 'POOL_NOT_FOUND', message: 'pool nope does not exist', requestId: 'r1' },
      });
      const { code, stdout, stderr } = await saas('pools', 'show', 'nope', '--json');
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toBe('error: pool nope does not exist (POOL_NOT_FOUND)\nhint: `saas pools list` shows the pools\n');
    });
  });

  describe('create', () => {
    const CREATED = { ...V1_ALONE, name: 'v3', release: 3, upstreams: ['http://10.0.0.7:3201'] };
    const required = (url = `postgres://admin:${DB_PASSWORD}@db1:5432/mysaas`) => [
      'pools', 'create', 'v3', '--release', '3', '--database-url', url, '--app-role', 'mysaas_app',
    ];

    it('sends POST /platform/pools with every field, and prints the pool without its database credentials', async () => {
      controlPlane.answer('POST /platform/pools', { status: 201, body: CREATED });

      const { code, stdout, stderr } = await saas(...required(), '--upstream', 'http://10.0.0.7:3201', '--upstream', 'http://10.0.0.8:3201');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(controlPlane.onlyRequest().body).toEqual({
        name: 'v3',
        release: 3,
        databaseUrl: `postgres://admin:${DB_PASSWORD}@db1:5432/mysaas`,
        appRole: 'mysaas_app',
        upstreams: ['http://10.0.0.7:3201', 'http://10.0.0.8:3201'],
      });
      expect(stdout.split('\n').slice(0, 3)).toEqual([
        'Pool v3 is registered: it serves its tenants and takes new ones.',
        'Pool:       v3',
        'Release:    3',
      ]);
      expect(stdout).toContain('Database:   db1:5432/mysaas');
    });

    it('sends no upstreams when none are given, and --json prints the pool', async () => {
      controlPlane.answer('POST /platform/pools', { status: 201, body: CREATED });
      const { code, stdout } = await saas(...required(), '--json');
      expect(code).toBe(0);
      expect(controlPlane.onlyRequest().body).not.toHaveProperty('upstreams');
      expect(JSON.parse(stdout)).toEqual(CREATED);
    });

    it('takes the password from SAAS_POOL_DATABASE_PASSWORD when the URL has none, so it stays out of the shell history', async () => {
      controlPlane.answer('POST /platform/pools', { status: 201, body: CREATED });
      const env = { SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN, SAAS_POOL_DATABASE_PASSWORD: 'p@ss/word:1234' };

      const { code } = await runSaas(required('postgres://admin@db1:5432/mysaas'), { env });

      expect(code).toBe(0);
      const sent = (controlPlane.onlyRequest().body as { databaseUrl: string }).databaseUrl;
      expect(sent).toBe('postgres://admin:p%40ss%2Fword%3A1234@db1:5432/mysaas');
      expect(decodeURIComponent(new URL(sent).password)).toBe('p@ss/word:1234');
    });

    it('never prints the database password, even when the control plane echoes it in an error', async () => {
      const url = `postgres://admin:${DB_PASSWORD}@db1:5432/mysaas`;
      controlPlane.answer('POST /platform/pools', {
        status: 400,
        body: {
          statusCode: 400,
          code: 'POOL_DATABASE_UNREACHABLE',
          message: `cannot connect to the pool database: ${url} refused password ${DB_PASSWORD}`,
          requestId: 'r2',
        },
      });

      const { code, stdout, stderr } = await saas(...required(url));

      expect(code).toBe(1);
      expect(stderr).toBe('error: cannot connect to the pool database: *** refused password *** (POOL_DATABASE_UNREACHABLE)\n');
      expect(stdout + stderr).not.toContain(DB_PASSWORD);
    });

    it('never prints the database URL in a usage error either', async () => {
      const url = `postgres://admin:${DB_PASSWORD}@db1:5432/mysaas`;
      for (const args of [
        ['pools', 'create', 'v3', '--database-url', url, '--app-role', 'x'],
        ['pools', 'create', 'v3', '--database-url', url, '--release', 'two', '--app-role', 'x'],
        ['pools', 'create', 'v3', url, '--release', '3', '--database-url', url, '--app-role', 'x'],
        ['pools', 'create', 'v3', '--release', '3', '--database-url', url, '--app-role', 'x', '--bogus'],
      ]) {
        const { code, stdout, stderr } = await saas(...args);
        expect({ args, code }).toEqual({ args, code: 2 });
        expect(stdout + stderr).not.toContain(DB_PASSWORD);
      }
      expect(controlPlane.requests).toEqual([]);
    });

    it.each([
      [['pools', 'create', 'v3', '--database-url', 'postgres://x@db/y', '--app-role', 'r'], "required option '--release <n>' not specified"],
      [['pools', 'create', 'v3', '--release', '3', '--app-role', 'r'], "required option '--database-url <url>' not specified"],
      [['pools', 'create', 'v3', '--release', '3', '--database-url', 'postgres://x@db/y'], "required option '--app-role <role>' not specified"],
      [['pools', 'create', 'v3', '--release', '0', '--database-url', 'postgres://x@db/y', '--app-role', 'r'], 'Expected a positive integer'],
      [['pools', 'create', 'V 3', '--release', '3', '--database-url', 'postgres://x@db/y', '--app-role', 'r'], 'pool name "V 3" is invalid: it must be a lowercase letter'],
    ])('is a usage error, before any request: %j', async (args, message) => {
      const { code, stderr } = await saas(...args);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(controlPlane.requests).toEqual([]);
    });
  });

  describe('drain', () => {
    it('sends PATCH /platform/pools/<name> {status: draining} and says what that means', async () => {
      controlPlane.answer('PATCH /platform/pools/v1', { body: { ...V1_ALONE, status: 'draining' } });

      const { code, stdout } = await saas('pools', 'drain', 'v1');

      expect(code).toBe(0);
      expect(controlPlane.onlyRequest()).toMatchObject({ method: 'PATCH', body: { status: 'draining' } });
      expect(stdout).toBe('Pool v1 is draining: it still serves its tenants but takes no new ones.\n');
    });

    it("exits 1 with the control plane's message for a pool that does not exist", async () => {
      controlPlane.answer('PATCH /platform/pools/nope', {
        status: 404,
        body: { statusCode: 404, code: 'POOL_NOT_FOUND', message: 'pool nope does not exist', requestId: 'r1' },
      });
      const { code, stderr } = await saas('pools', 'drain', 'nope');
      expect(code).toBe(1);
      expect(stderr).toContain('error: pool nope does not exist (POOL_NOT_FOUND)');
    });
  });

  describe('retire', () => {
    it('sends PATCH /platform/pools/<name> {status: retired}', async () => {
      controlPlane.answer('PATCH /platform/pools/v2', { body: { ...V2, status: 'retired' } });
      const { code, stdout } = await saas('pools', 'retire', 'v2');
      expect(code).toBe(0);
      expect(controlPlane.onlyRequest()).toMatchObject({ method: 'PATCH', url: '/platform/pools/v2', body: { status: 'retired' } });
      expect(stdout).toBe('Pool v2 is retired: it serves nothing.\n');
    });

    it("passes on the control plane's refusal of a pool that still has tenants, with what to look at", async () => {
      controlPlane.answer('PATCH /platform/pools/v1', {
        status: 409,
        body: { statusCode: 409, code: 'POOL_STATUS_CHANGE_REFUSED', message: 'pool v1 still has 12 tenant(s): move them to another pool first (drain it meanwhile, so it takes no new ones)', requestId: 'r1' },
      });
      const refused = await saas('pools', 'retire', 'v1');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        'error: pool v1 still has 12 tenant(s): move them to another pool first (drain it meanwhile, so it takes no new ones) (POOL_STATUS_CHANGE_REFUSED)\n' +
          'hint: `saas pools show <name>` shows its status; `saas tenants list --pool <name>` its tenants\n',
      );
    });

    it("leaves a pool that does not exist to the control plane's 404", async () => {
      controlPlane.answer('PATCH /platform/pools/nope', {
        status: 404,
        body: { statusCode: 404, code: 'POOL_NOT_FOUND', message: 'pool nope does not exist', requestId: 'r1' },
      });
      const { code, stderr } = await saas('pools', 'retire', 'nope');
      expect(code).toBe(1);
      expect(stderr).toContain('error: pool nope does not exist (POOL_NOT_FOUND)');
    });
  });

  describe('activate and set-default', () => {
    it('sends PATCH {status: active} to let a draining pool take tenants again', async () => {
      controlPlane.answer('PATCH /platform/pools/v2', { body: { ...V2, status: 'active' } });
      const { code, stdout } = await saas('pools', 'activate', 'v2');
      expect(code).toBe(0);
      expect(controlPlane.onlyRequest().body).toEqual({ status: 'active' });
      expect(stdout).toBe('Pool v2 is active: it serves its tenants and takes new ones.\n');
    });

    it('sends PATCH {isDefault: true}', async () => {
      controlPlane.answer('PATCH /platform/pools/v2', { body: { ...V2, status: 'active', isDefault: true } });
      const { code, stdout } = await saas('pools', 'set-default', 'v2');
      expect(code).toBe(0);
      expect(controlPlane.onlyRequest().body).toEqual({ isDefault: true });
      expect(stdout).toBe('Pool v2 is the default: tenants created without a pool go there.\n');
    });
  });

  it('encodes the pool name, so it cannot name another route', async () => {
    controlPlane.answer('GET /platform/pools/a%2F..%2Fb', { body: V1_ALONE });
    expect((await saas('pools', 'show', 'a/../b')).code).toBe(0);
  });
});
