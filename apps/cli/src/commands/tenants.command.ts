import type { Command } from 'commander';
import { z } from 'zod';
import type { CliSession } from '../cli-session';
import { apiPath } from '../control-plane/control-plane-client';
import { examples } from './help-text';

const tenantJobPlan = z.looseObject({ tenant: z.string(), plan: z.string() });

/** `saas tenants …`: one tenant's settings in the control plane. */
export function addTenantsCommands(program: Command, session: CliSession): void {
  const tenants = program
    .command('tenants')
    .description("tenants' settings")
    .addHelpText('after', examples('saas tenants set-job-plan acme business'));

  tenants
    .command('set-job-plan')
    .description("put a tenant on a job plan (see `saas jobs plans list`)")
    .argument('<slug>', 'the tenant')
    .argument('<plan>', 'the job plan')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas tenants set-job-plan acme business'))
    .action(async (slug: string, plan: string, options: { json?: boolean }) => {
      const result = await session.controlPlane().put(apiPath`/platform/tenants/${slug}/job-plan`, tenantJobPlan, { plan });
      if (options.json) return session.out.json(result);
      session.out.line(`Tenant ${result.tenant} is on job plan ${result.plan}.`);
    });
}
