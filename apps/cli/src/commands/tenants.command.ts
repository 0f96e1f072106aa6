import { Option, type Command } from 'commander';
import { z } from 'zod';
import { checkTenantSlug, TENANT_STATUSES, type TenantStatus } from '@mysaas/tenancy';
import { CliError, ExitCode } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath, type ControlPlaneClient } from '../control-plane/control-plane-client';
import { formatDuration, formatTimestamp } from '../output/format';
import type { Column } from '../output/table';
import { examples } from './help-text';
import { addTenantMoveCommand } from './moves.command';

// The answers' shapes (the control plane's tenantView). Loose objects: fields a newer control
// plane adds pass through to --json.
const tenant = z.looseObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  status: z.string(),
  pool: z.string(),
  schema: z.string(),
  role: z.string(),
  limits: z.looseObject({ maxConcurrentRequests: z.number().nullable(), statementTimeoutMs: z.number().nullable() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const tenantPage = z.looseObject({ tenants: z.array(tenant), next: z.string().nullable() });
const tenantJobPlan = z.looseObject({ tenant: z.string(), plan: z.string() });

type Tenant = z.output<typeof tenant>;
type TenantPage = z.output<typeof tenantPage>;

const TENANT_COLUMNS: Column<Tenant>[] = [
  { header: 'TENANT', cell: (t) => t.slug },
  { header: 'NAME', cell: (t) => t.name },
  { header: 'STATUS', cell: (t) => t.status },
  { header: 'POOL', cell: (t) => t.pool },
  { header: 'CREATED', cell: (t) => formatTimestamp(t.createdAt) },
];

/** A limit left at null follows the platform's default. */
const DEFAULT_LIMIT = 'platform default';

const tenantFields = (t: Tenant): Array<[string, string]> => [
  ['Tenant', t.slug],
  ['Name', t.name],
  ['Status', t.status],
  ['Pool', t.pool],
  ['Schema', t.schema],
  ['Role', t.role],
  ['Max concurrent requests', t.limits.maxConcurrentRequests === null ? DEFAULT_LIMIT : String(t.limits.maxConcurrentRequests)],
  ['Statement timeout', t.limits.statementTimeoutMs === null ? DEFAULT_LIMIT : formatDuration(t.limits.statementTimeoutMs)],
  ['ID', t.id],
  ['Created', formatTimestamp(t.createdAt)],
  ['Updated', formatTimestamp(t.updatedAt)],
];

/** The control plane's largest page: `--all` asks for as few as it can. */
const FULL_PAGE = 500;

const ADMIN_PASSWORD_VARIABLE = 'SAAS_TENANT_ADMIN_PASSWORD';

interface JsonOption {
  json?: boolean;
}

interface ListOptions extends JsonOption {
  pool?: string;
  status?: TenantStatus;
  after?: string;
  all?: boolean;
}

interface CreateOptions extends JsonOption {
  name: string;
  pool?: string;
  adminEmail: string;
}

/** `saas tenants …`: the tenants the control plane has placed on pools, and their settings. */
export function addTenantsCommands(program: Command, session: CliSession): void {
  const tenants = program
    .command('tenants')
    .description('tenants: create, list, suspend and resume them, set their job plans, move them to another pool')
    .addHelpText('after', examples('saas tenants list --pool v1', 'saas tenants show acme', 'saas tenants suspend acme', 'saas tenants move acme --to v2'));

  tenants
    .command('list')
    .description('tenants in slug order, a page at a time (or --all)')
    .option('--pool <name>', 'only the tenants on this pool')
    .addOption(new Option('--status <status>', 'only the tenants with this status').choices(TENANT_STATUSES))
    .option('--after <slug>', 'start after this slug (the page before ended there)')
    .option('--all', 'every page, not only the first')
    .option('--json', 'print the raw answer as JSON ({tenants, next}; with --all, next is null)')
    .addHelpText('after', examples('saas tenants list', 'saas tenants list --pool v1 --status suspended --all', 'saas tenants list --all --json'))
    .action(async (options: ListOptions) => {
      const filter = { pool: options.pool, status: options.status };
      const client = session.controlPlane();
      const page = options.all ? await everyPage(client, filter, options.after) : await client.get('/platform/tenants', tenantPage, { ...filter, after: options.after });
      if (options.json) return session.out.json(page);
      if (page.tenants.length === 0) return session.out.line(`No tenants${describeFilter(options)}.`);
      session.out.table(TENANT_COLUMNS, page.tenants);
      // On stderr: stdout stays the table, whole, for whoever reads it.
      if (page.next !== null) session.err.line(`More tenants follow: saas tenants list --all, or --after ${page.next} for the next page.`);
    });

  tenants
    .command('show')
    .description('one tenant: its pool, schema, role and limits')
    .argument('<slug>', 'the tenant')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas tenants show acme', 'saas tenants show acme --json'))
    .action(async (slug: string, options: JsonOption) => {
      const result = await session.controlPlane().get(apiPath`/platform/tenants/${slug}`, tenant);
      if (options.json) return session.out.json(result);
      session.out.fields(tenantFields(result));
    });

  tenants
    .command('create')
    .description('create a tenant on a pool: its role, schema, tables and first admin user')
    .argument('<slug>', 'the new tenant: its subdomain and the name of its schema')
    .requiredOption('--name <name>', 'its display name')
    .option('--pool <pool>', 'the pool to place it on (an active one: `saas pools list`); default: the default pool')
    .requiredOption('--admin-email <email>', 'the email its first admin user signs in with')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText(
      'after',
      examples(
        "saas tenants create acme --name 'Acme Corp' --pool v1 --admin-email owner@acme.test   # asks for the password",
        `${ADMIN_PASSWORD_VARIABLE}=… saas tenants create acme --name 'Acme Corp' --pool v1 --admin-email owner@acme.test`,
      ) +
        `\nThe admin's password comes from ${ADMIN_PASSWORD_VARIABLE}, or is asked for on the terminal\n` +
        '(twice, not shown). It is never an option: it would land in your shell history.\n',
    )
    .action(async (slug: string, options: CreateOptions) => {
      const slugCheck = checkTenantSlug(slug);
      if (!slugCheck.ok) throw new CliError(slugCheck.reason, { exitCode: ExitCode.Usage });
      const client = session.controlPlane();
      const adminPassword = await askAdminPassword(session, slug);
      const created = await client.post('/platform/tenants', tenant, {
        slug,
        name: options.name,
        adminEmail: options.adminEmail,
        adminPassword,
        ...(options.pool === undefined ? {} : { pool: options.pool }),
      });
      if (options.json) return session.out.json(created);
      session.out.line(`Tenant ${created.slug} is ${created.status} on pool ${created.pool}; ${options.adminEmail} signs in as its admin.`);
      session.out.fields(tenantFields(created));
    });

  tenants
    .command('suspend')
    .description("suspend a tenant: its users are turned away and its jobs wait, its data stays")
    .argument('<slug>', 'the tenant')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas tenants suspend acme'))
    .action(async (slug: string, options: JsonOption) => {
      const result = await session.controlPlane().post(apiPath`/platform/tenants/${slug}/suspend`, tenant);
      if (options.json) return session.out.json(result);
      session.out.line(
        result.status === 'suspended'
          ? `Tenant ${result.slug} is suspended: its users are turned away and its jobs wait (saas tenants resume ${result.slug}).`
          : `Tenant ${result.slug} is ${result.status}.`,
      );
    });

  tenants
    .command('resume')
    .description('make a suspended tenant active again')
    .argument('<slug>', 'the tenant')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas tenants resume acme'))
    .action(async (slug: string, options: JsonOption) => {
      const result = await session.controlPlane().post(apiPath`/platform/tenants/${slug}/resume`, tenant);
      if (options.json) return session.out.json(result);
      session.out.line(`Tenant ${result.slug} is ${result.status}.`);
    });

  tenants
    .command('set-job-plan')
    .description("put a tenant on a job plan (see `saas jobs plans list`)")
    .argument('<slug>', 'the tenant')
    .argument('<plan>', 'the job plan')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas tenants set-job-plan acme business'))
    .action(async (slug: string, plan: string, options: JsonOption) => {
      const result = await session.controlPlane().put(apiPath`/platform/tenants/${slug}/job-plan`, tenantJobPlan, { plan });
      if (options.json) return session.out.json(result);
      session.out.line(`Tenant ${result.tenant} is on job plan ${result.plan}.`);
    });

  addTenantMoveCommand(tenants, session);
}

/** Follows the control plane's `next` cursor to the last page; one page of them all, `next` null. */
async function everyPage(client: ControlPlaneClient, filter: Pick<ListOptions, 'pool' | 'status'>, after: string | undefined): Promise<TenantPage> {
  const all: Tenant[] = [];
  for (let cursor = after; ; ) {
    const page = await client.get('/platform/tenants', tenantPage, { ...filter, after: cursor, limit: FULL_PAGE });
    all.push(...page.tenants);
    if (page.next === null) return { tenants: all, next: null };
    if (cursor !== undefined && page.next <= cursor) {
      throw new CliError(`the control plane's next page (after ${page.next}) does not move past ${cursor}`, {
        hint: 'saas and the control plane may be from different versions; rebuild both (npm run build)',
      });
    }
    cursor = page.next;
  }
}

function describeFilter(options: ListOptions): string {
  const parts = [
    options.pool === undefined ? '' : ` on pool ${options.pool}`,
    options.status === undefined ? '' : ` with status ${options.status}`,
    options.after === undefined ? '' : ` after ${options.after}`,
  ];
  return parts.join('');
}

/** From the environment, or asked twice on the terminal; never an option (shell history). */
async function askAdminPassword(session: CliSession, slug: string): Promise<string> {
  const fromEnv = session.env(ADMIN_PASSWORD_VARIABLE);
  if (fromEnv !== undefined) {
    session.keepSecret(fromEnv);
    return fromEnv;
  }
  if (!session.canAskSecret) {
    throw new CliError(`no password for the admin of ${slug}: ${ADMIN_PASSWORD_VARIABLE} is not set, and there is no terminal to ask on`, {
      exitCode: ExitCode.Usage,
      hint: `set ${ADMIN_PASSWORD_VARIABLE} (it is never an option: it would land in your shell history)`,
    });
  }
  const password = await session.askSecret(`Password for the admin of ${slug}: `);
  if (password === '') throw new CliError('no password given; nothing was created', { exitCode: ExitCode.Usage });
  if ((await session.askSecret('The same password again: ')) !== password) {
    throw new CliError('the two passwords differ; nothing was created', { exitCode: ExitCode.Usage, hint: 'run the command again' });
  }
  return password;
}
