import { FakeControlPlane } from '../../test/fake-control-plane';
import { runSaas } from '../../test/run-saas';

const TOKEN = 'test-admin-token-0123456789abcdef';

describe('saas jobs', () => {
  let controlPlane: FakeControlPlane;
  const saas = (...args: string[]) => runSaas(args, { env: { SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN } });

  beforeAll(async () => {
    controlPlane = await FakeControlPlane.start();
  });
  afterEach(() => controlPlane.reset());
  afterAll(() => controlPlane.close());

  const STATS = {
    tenants: [
      { tenant: 'acme', plan: 'standard', paused: false, queued: 12, running: 3, oldestQueuedAgeMs: 1500, startedLastMinute: 40, servedShare: 0.25 },
      { tenant: 'globex', plan: 'business', paused: true, pausedFor: ['operator'], queued: 0, running: 0, oldestQueuedAgeMs: null, startedLastMinute: 120, servedShare: 0.75 },
    ],
    totals: { queued: 12, running: 3, startedLastMinute: 160 },
  };

  describe('stats', () => {
    it('asks GET /platform/jobs/stats with the admin token and prints one line per tenant and a total', async () => {
      controlPlane.answer('GET /platform/jobs/stats', { body: STATS });

      const { code, stdout, stderr } = await saas('jobs', 'stats');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const request = controlPlane.onlyRequest();
      expect(request.method).toBe('GET');
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(stdout).toBe(
        [
          'TENANT  PLAN      PAUSED    QUEUED  RUNNING  OLDEST  STARTED/MIN  SHARE',
          'acme    standard  no            12        3    1.5s           40    25%',
          'globex  business  operator       0        0       —          120    75%',
          'total                           12        3                  160',
          '',
        ].join('\n'),
      );
    });

    it('passes --tenant as a query parameter, and --json prints the answer as given', async () => {
      const answer = { tenants: [STATS.tenants[0]], totals: { queued: 12, running: 3, startedLastMinute: 40 }, addedLater: 'kept' };
      controlPlane.answer('GET /platform/jobs/stats?tenant=acme', { body: answer });

      const { code, stdout } = await saas('jobs', 'stats', '--tenant', 'acme', '--json');

      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(answer);
    });

    it('says so when no tenant has jobs', async () => {
      controlPlane.answer('GET /platform/jobs/stats', { body: { tenants: [], totals: { queued: 0, running: 0, startedLastMinute: 0 } } });
      expect((await saas('jobs', 'stats')).stdout).toBe('No tenants have jobs.\n');
    });
  });

  describe('dead list', () => {
    const DEAD = {
      jobs: [
        {
          id: 'b42',
          tenant: 'acme',
          name: 'links.import',
          failedReason: 'upstream answered 503\n    at importLinks (links.ts:10)',
          attemptsMade: 5,
          failedAt: '2026-11-26T12:00:00.000Z',
        },
      ],
    };

    it('asks GET /platform/jobs/dead with the filters and prints the first line of each reason', async () => {
      controlPlane.answer('GET /platform/jobs/dead?tenant=acme&limit=20', { body: DEAD });

      const { code, stdout } = await saas('jobs', 'dead', 'list', '--tenant', 'acme', '--limit', '20');

      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          'ID   TENANT  JOB           ATTEMPTS  FAILED AT             REASON',
          'b42  acme    links.import         5  2026-11-26T12:00:00Z  upstream answered 503',
          '',
        ].join('\n'),
      );
    });

    it('shows — for a job with no failure time, and nothing for one with no reason', async () => {
      controlPlane.answer('GET /platform/jobs/dead', {
        body: { jobs: [{ id: 'b7', tenant: 'acme', name: 'x', attemptsMade: 1, failedAt: null }] },
      });
      const { code, stdout } = await saas('jobs', 'dead', 'list');
      expect(code).toBe(0);
      expect(stdout.split('\n')[1]).toBe('b7  acme    x           1  —');
    });

    it('--json prints the jobs as the control plane gave them', async () => {
      controlPlane.answer('GET /platform/jobs/dead', { body: DEAD });
      const { stdout } = await saas('jobs', 'dead', 'list', '--json');
      expect(JSON.parse(stdout)).toEqual(DEAD);
    });

    it('refuses a --limit that is not a positive integer, without asking the control plane', async () => {
      for (const limit of ['0', '-1', '2.5', 'ten']) {
        const { code, stderr } = await saas('jobs', 'dead', 'list', '--limit', limit);
        expect(code).toBe(2);
        expect(stderr).toContain(`option '--limit <n>' argument '${limit}' is invalid. Expected a positive integer`);
      }
      expect(controlPlane.requests).toEqual([]);
    });
  });

  describe('dead replay', () => {
    const REPLAYED = { replayed: [{ id: 'b42', newId: 'b97' }] };

    it('replays one dead job by id: POST /platform/jobs/dead/<id>/replay', async () => {
      controlPlane.answer('POST /platform/jobs/dead/b42/replay', { body: REPLAYED });

      const { code, stdout } = await saas('jobs', 'dead', 'replay', 'b42');

      expect(code).toBe(0);
      expect(controlPlane.onlyRequest()).toMatchObject({ method: 'POST', body: undefined });
      expect(stdout).toBe('Replayed 1 dead job as new jobs:\nDEAD ID  NEW ID\nb42      b97\n');
    });

    it("replays a tenant's dead jobs: POST /platform/jobs/dead/replay with the tenant in the body", async () => {
      controlPlane.answer('POST /platform/jobs/dead/replay', { body: REPLAYED });

      const { code, stdout } = await saas('jobs', 'dead', 'replay', '--tenant', 'acme', '--json');

      expect(code).toBe(0);
      const request = controlPlane.onlyRequest();
      expect(request.body).toEqual({ tenant: 'acme' });
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(stdout)).toEqual(REPLAYED);
    });

    it('encodes the id, so it cannot name another route', async () => {
      controlPlane.answer('POST /platform/jobs/dead/a%2F..%2Fb/replay', { body: { replayed: [] } });
      const { code, stdout } = await saas('jobs', 'dead', 'replay', 'a/../b');
      expect(code).toBe(0);
      expect(stdout).toBe('Nothing to replay: no dead jobs matched.\n');
    });

    it.each([[[]], [['b42', '--tenant', 'acme']]])('is a usage error with neither or both of <id> and --tenant (%j)', async (args) => {
      const { code, stderr } = await saas('jobs', 'dead', 'replay', ...args);
      expect(code).toBe(2);
      expect(stderr).toContain('give either a dead job id or --tenant <slug>');
      expect(controlPlane.requests).toEqual([]);
    });
  });

  describe('pause and resume', () => {
    it("pauses a tenant's jobs: POST /platform/tenants/<slug>/jobs/pause", async () => {
      controlPlane.answer('POST /platform/tenants/acme/jobs/pause', { body: { tenant: 'acme', paused: true } });

      const { code, stdout } = await saas('jobs', 'pause', 'acme');

      expect(code).toBe(0);
      expect(controlPlane.onlyRequest()).toMatchObject({ method: 'POST', url: '/platform/tenants/acme/jobs/pause' });
      expect(stdout).toBe('Jobs of tenant acme are paused: running ones finish, queued ones wait (saas jobs resume acme).\n');
    });

    it("resumes a tenant's jobs: POST /platform/tenants/<slug>/jobs/resume", async () => {
      controlPlane.answer('POST /platform/tenants/acme/jobs/resume', { body: { tenant: 'acme', paused: false } });

      const { code, stdout } = await saas('jobs', 'resume', 'acme', '--json');

      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ tenant: 'acme', paused: false });
    });

    it('says why jobs stay paused after a resume, as a suspended tenant is held apart from an operator pause', async () => {
      controlPlane.answer('POST /platform/tenants/acme/jobs/resume', { body: { tenant: 'acme', paused: true, pausedFor: ['suspended'] } });
      const { code, stdout } = await saas('jobs', 'resume', 'acme');
      expect(code).toBe(0);
      expect(stdout).toBe('Jobs of tenant acme are still paused (suspended).\n');
    });

    it('needs the tenant', async () => {
      const { code, stderr } = await saas('jobs', 'pause');
      expect(code).toBe(2);
      expect(stderr).toContain("missing required argument 'slug'");
    });
  });

  describe('plans', () => {
    const STANDARD = { name: 'standard', weight: 1, maxRunning: 8, ratePerSecond: null, burst: null, maxQueued: 100000 };

    it('lists the plans: GET /platform/job-plans, no limit shown as —', async () => {
      controlPlane.answer('GET /platform/job-plans', {
        body: { plans: [STANDARD, { ...STANDARD, name: 'business', weight: 4, ratePerSecond: 2.5, burst: 10 }] },
      });

      const { code, stdout } = await saas('jobs', 'plans', 'list');

      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          'PLAN      WEIGHT  MAX RUNNING  RATE/S  BURST  MAX QUEUED',
          'standard       1            8       —      —      100000',
          'business       4            8     2.5     10      100000',
          '',
        ].join('\n'),
      );
    });

    it('changes only the fields given: PUT /platform/job-plans/<name> with the rest read from the plan as it is', async () => {
      const current = { ...STANDARD, ratePerSecond: 5, burst: 20, isDefault: true };
      controlPlane.answer('GET /platform/job-plans', { body: { plans: [current] } });
      controlPlane.answer('PUT /platform/job-plans/standard', { body: { ...current, weight: 3 } });

      const { code, stdout } = await saas('jobs', 'plans', 'set', 'standard', '--weight', '3');

      expect(code).toBe(0);
      expect(controlPlane.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /platform/job-plans', 'PUT /platform/job-plans/standard']);
      // The whole plan, since the PUT replaces it: a rate left out would be dropped. Not isDefault: not ours to set.
      expect(controlPlane.requests[1]?.body).toEqual({ weight: 3, maxRunning: 8, ratePerSecond: 5, burst: 20, maxQueued: 100000 });
      expect(stdout).toBe(
        ['PLAN      WEIGHT  MAX RUNNING  RATE/S  BURST  MAX QUEUED', 'standard       3            8       5     20      100000', ''].join('\n'),
      );
    });

    it('sends every option as its camelCase field, and --json prints the saved plan', async () => {
      const changed = { ...STANDARD, weight: 2, maxRunning: 16, ratePerSecond: 0.5, burst: 5, maxQueued: 500 };
      controlPlane.answer('GET /platform/job-plans', { body: { plans: [STANDARD] } });
      controlPlane.answer('PUT /platform/job-plans/standard', { body: changed });

      const { code, stdout } = await saas(
        'jobs', 'plans', 'set', 'standard',
        '--weight', '2', '--max-running', '16', '--rate', '0.5', '--burst', '5', '--max-queued', '500', '--json',
      );

      expect(code).toBe(0);
      expect(controlPlane.requests[1]?.body).toEqual({ weight: 2, maxRunning: 16, ratePerSecond: 0.5, burst: 5, maxQueued: 500 });
      expect(JSON.parse(stdout)).toEqual(changed);
    });

    it('creates a plan that does not exist yet when its required fields are given, and says which are missing otherwise', async () => {
      controlPlane.answer('GET /platform/job-plans', { body: { plans: [STANDARD] } });
      controlPlane.answer('PUT /platform/job-plans/bulk', { body: { ...STANDARD, name: 'bulk', maxRunning: 2, maxQueued: 1000 } });

      const incomplete = await saas('jobs', 'plans', 'set', 'bulk', '--max-running', '2');
      expect(incomplete.code).toBe(2);
      expect(incomplete.stderr).toBe(
        'error: there is no job plan named bulk; to create it, give --weight, --max-queued too\nhint: `saas jobs plans list` shows the plans\n',
      );
      expect(controlPlane.requests.map((r) => r.method)).toEqual(['GET']);

      const created = await saas('jobs', 'plans', 'set', 'bulk', '--weight', '1', '--max-running', '2', '--max-queued', '1000');
      expect(created.code).toBe(0);
      expect(controlPlane.requests.at(-1)).toMatchObject({ method: 'PUT', body: { weight: 1, maxRunning: 2, maxQueued: 1000 } });
    });

    it.each([
      ['--weight', '0', 'Expected a positive integer'],
      ['--max-running', '1.5', 'Expected a positive integer'],
      ['--max-queued', '1e3', 'Expected a positive integer'],
      ['--rate', '0', 'Expected a positive number'],
      ['--burst', 'lots', 'Expected a positive number'],
    ])('refuses %s %s as a usage error', async (option, value, message) => {
      const { code, stderr } = await saas('jobs', 'plans', 'set', 'standard', option, value);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(controlPlane.requests).toEqual([]);
    });

    it('refuses to send an empty change', async () => {
      const { code, stderr } = await saas('jobs', 'plans', 'set', 'standard');
      expect(code).toBe(2);
      expect(stderr).toContain('nothing to change');
      expect(controlPlane.requests).toEqual([]);
    });
  });
});
