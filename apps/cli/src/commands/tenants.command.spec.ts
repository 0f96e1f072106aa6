import { FakeControlPlane } from '../../test/fake-control-plane';
import { runSaas } from '../../test/run-saas';

const TOKEN = 'test-admin-token-0123456789abcdef';

describe('saas tenants', () => {
  let controlPlane: FakeControlPlane;
  const saas = (...args: string[]) => runSaas(args, { env: { SAAS_URL: controlPlane.url, SAAS_TOKEN: TOKEN } });

  beforeAll(async () => {
    controlPlane = await FakeControlPlane.start();
  });
  afterEach(() => controlPlane.reset());
  afterAll(() => controlPlane.close());

  it("set-job-plan puts a tenant on a plan: PUT /platform/tenants/<slug>/job-plan {plan}", async () => {
    controlPlane.answer('PUT /platform/tenants/acme/job-plan', { body: { tenant: 'acme', plan: 'business' } });

    const { code, stdout } = await saas('tenants', 'set-job-plan', 'acme', 'business');

    expect(code).toBe(0);
    const request = controlPlane.onlyRequest();
    expect(request).toMatchObject({ method: 'PUT', body: { plan: 'business' } });
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(stdout).toBe('Tenant acme is on job plan business.\n');
  });

  it('set-job-plan --json prints the answer', async () => {
    controlPlane.answer('PUT /platform/tenants/acme/job-plan', { body: { tenant: 'acme', plan: 'business' } });
    const { stdout } = await saas('tenants', 'set-job-plan', 'acme', 'business', '--json');
    expect(JSON.parse(stdout)).toEqual({ tenant: 'acme', plan: 'business' });
  });

  it('set-job-plan needs both the tenant and the plan', async () => {
    const { code, stderr } = await saas('tenants', 'set-job-plan', 'acme');
    expect(code).toBe(2);
    expect(stderr).toContain("missing required argument 'plan'");
  });
});
