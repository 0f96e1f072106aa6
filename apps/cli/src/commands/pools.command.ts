import type { Command } from 'commander';
import { z } from 'zod';
import { POOL_NAME_PATTERN, POOL_NAME_RULE, type PoolStatus } from '@mysaas/tenancy';
import { CliError, ExitCode } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath } from '../control-plane/control-plane-client';
import { NONE, formatTimestamp } from '../output/format';
import type { Column } from '../output/table';
import { examples } from './help-text';
import { positiveInteger } from './option-parsers';

// The answers' shapes (the control plane's poolView). Loose objects: fields a newer control
// plane adds pass through to --json. No database URL: the control plane never shows it.
const pool = z.looseObject({
  name: z.string(),
  release: z.number(),
  status: z.string(),
  databaseServer: z.string(),
  appRole: z.string(),
  upstreams: z.array(z.string()),
  isDefault: z.boolean().optional(),
  tenantCount: z.number().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const pools = z.looseObject({ pools: z.array(pool) });

type Pool = z.output<typeof pool>;

const upstreamList = (upstreams: string[]): string => (upstreams.length === 0 ? NONE : upstreams.join(', '));

const POOL_COLUMNS: Column<Pool>[] = [
  { header: 'POOL', cell: (p) => p.name },
  { header: 'RELEASE', cell: (p) => String(p.release), align: 'right' },
  { header: 'STATUS', cell: (p) => p.status },
  { header: 'DEFAULT', cell: (p) => (p.isDefault ? 'yes' : '') },
  { header: 'TENANTS', cell: (p) => (p.tenantCount === undefined ? '' : String(p.tenantCount)), align: 'right' },
  { header: 'DATABASE', cell: (p) => p.databaseServer },
  { header: 'APP ROLE', cell: (p) => p.appRole },
  { header: 'UPSTREAMS', cell: (p) => upstreamList(p.upstreams) },
];

const poolFields = (p: Pool): Array<[string, string]> => [
  ['Pool', p.name],
  ['Release', String(p.release)],
  ['Status', p.status],
  ['Default', p.isDefault ? 'yes' : 'no'],
  ['Database', p.databaseServer],
  ['App role', p.appRole],
  ['Upstreams', upstreamList(p.upstreams)],
  ['Created', formatTimestamp(p.createdAt)],
  ['Updated', formatTimestamp(p.updatedAt)],
];

/** What each status means for the pool's tenants, said after a change. */
const STATUS_MEANING: Partial<Record<string, string>> = {
  active: 'it serves its tenants and takes new ones',
  draining: 'it still serves its tenants but takes no new ones',
  retired: 'it serves nothing',
} satisfies Record<PoolStatus, string>;

interface JsonOption {
  json?: boolean;
}

interface CreateOptions extends JsonOption {
  release: number;
  databaseUrl: string;
  appRole: string;
  upstream?: string[];
}

/** `saas pools …`: the pools tenants are placed on (a database server, its app servers, a release). */
export function addPoolsCommands(program: Command, session: CliSession): void {
  const poolsCommand = program
    .command('pools')
    .description('pools: a database server and the app servers of one release, that tenants are placed on')
    .addHelpText('after', examples('saas pools list', 'saas pools show v1', 'saas pools drain v1', 'saas pools set-default v2'));

  poolsCommand
    .command('list')
    .description('every pool, with its status and number of tenants')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas pools list', 'saas pools list --json'))
    .action(async (options: JsonOption) => {
      const result = await session.controlPlane().get('/platform/pools', pools);
      if (options.json) return session.out.json(result);
      if (result.pools.length === 0) return session.out.line('No pools.');
      session.out.table(POOL_COLUMNS, result.pools);
    });

  poolsCommand
    .command('show')
    .description('one pool')
    .argument('<name>', 'the pool')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas pools show v1'))
    .action(async (name: string, options: JsonOption) => {
      const result = await session.controlPlane().get(apiPath`/platform/pools/${name}`, pool);
      if (options.json) return session.out.json(result);
      session.out.fields(poolFields(result));
    });

  poolsCommand
    .command('create')
    .description("register a pool, once the control plane has checked its database server and app role")
    .argument('<name>', `the pool's name (${POOL_NAME_RULE})`)
    .requiredOption('--release <n>', 'the release its app servers run (positive integer)', positiveInteger)
    // The value is a credential: it is blanked out of all output, and never part of an error message.
    .requiredOption('--database-url <url>', 'admin URL of its database server (postgres://…); the password may come from SAAS_POOL_DATABASE_PASSWORD', (url: string) => {
      session.keepSecret(url);
      return url;
    })
    .requiredOption('--app-role <role>', 'the login role its app servers use on that server (LOGIN NOINHERIT)')
    .option('--upstream <url>', 'an app server of the pool, e.g. http://10.0.0.5:3201 (repeat for several)', (url: string, previous: string[] = []) => [...previous, url])
    .option('--json', 'print the raw answer as JSON')
    .addHelpText(
      'after',
      examples(
        'saas pools create v2 --release 2 --database-url postgres://admin@db2:5432/mysaas --app-role mysaas_app \\\n      --upstream http://10.0.0.5:3201 --upstream http://10.0.0.6:3201',
      ) +
        '\nThe database password is best given in SAAS_POOL_DATABASE_PASSWORD, not in --database-url\n' +
        '(where it would land in your shell history). The control plane keeps the URL and never\n' +
        'shows it; saas never prints it.\n',
    )
    .action(async (name: string, options: CreateOptions) => {
      if (!POOL_NAME_PATTERN.test(name)) {
        throw new CliError(`pool name "${name}" is invalid: it ${POOL_NAME_RULE}`, { exitCode: ExitCode.Usage });
      }
      const databaseUrl = withPassword(options.databaseUrl, session);
      const created = await session.controlPlane().post('/platform/pools', pool, {
        name,
        release: options.release,
        databaseUrl,
        appRole: options.appRole,
        ...(options.upstream === undefined ? {} : { upstreams: options.upstream }),
      });
      if (options.json) return session.out.json(created);
      session.out.line(`Pool ${created.name} is registered: ${statusMeaning(created)}.`);
      session.out.fields(poolFields(created));
    });

  poolsCommand
    .command('drain')
    .description('stop placing new tenants on a pool; its tenants are still served')
    .argument('<name>', 'the pool')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas pools drain v1'))
    .action(async (name: string, options: JsonOption) => {
      const result = await session.controlPlane().patch(apiPath`/platform/pools/${name}`, pool, { status: 'draining' satisfies PoolStatus });
      if (options.json) return session.out.json(result);
      session.out.line(`Pool ${result.name} is ${result.status}: ${statusMeaning(result)}.`);
    });

  poolsCommand
    .command('activate')
    .description('let a draining pool take new tenants again')
    .argument('<name>', 'the pool')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas pools activate v1'))
    .action(async (name: string, options: JsonOption) => {
      const result = await session.controlPlane().patch(apiPath`/platform/pools/${name}`, pool, { status: 'active' satisfies PoolStatus });
      if (options.json) return session.out.json(result);
      session.out.line(`Pool ${result.name} is ${result.status}: ${statusMeaning(result)}.`);
    });

  poolsCommand
    .command('retire')
    .description('stop serving a pool, for good; the control plane refuses while tenants are still on it')
    .argument('<name>', 'the pool')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas pools retire v1'))
    .action(async (name: string, options: JsonOption) => {
      const result = await session.controlPlane().patch(apiPath`/platform/pools/${name}`, pool, { status: 'retired' satisfies PoolStatus });
      if (options.json) return session.out.json(result);
      session.out.line(`Pool ${result.name} is ${result.status}: ${statusMeaning(result)}.`);
    });

  poolsCommand
    .command('set-default')
    .description('make an active pool the one new tenants go to when none is named')
    .argument('<name>', 'the pool')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas pools set-default v2'))
    .action(async (name: string, options: JsonOption) => {
      const result = await session.controlPlane().patch(apiPath`/platform/pools/${name}`, pool, { isDefault: true });
      if (options.json) return session.out.json(result);
      session.out.line(`Pool ${result.name} is the default: tenants created without a pool go there.`);
    });
}

const statusMeaning = (p: Pool): string => STATUS_MEANING[p.status] ?? `its status is ${p.status}`;

/**
 * The database URL to send: the one given, with SAAS_POOL_DATABASE_PASSWORD as its password
 * when it has none (a URL typed with its password stays in the shell history). Every form of
 * the password is kept secret, so that no output shows it, whoever echoes it.
 */
function withPassword(given: string, session: CliSession): string {
  const fromEnv = session.env('SAAS_POOL_DATABASE_PASSWORD');
  session.keepSecret(fromEnv);
  // An unparsable URL goes as it is: the control plane says what is wrong with it, without echoing it.
  if (!URL.canParse(given)) return given;
  const url = new URL(given);
  if (url.password === '' && fromEnv !== undefined) url.password = encodeURIComponent(fromEnv);
  session.keepSecret(url.password);
  session.keepSecret(safeDecode(url.password));
  session.keepSecret(url.toString());
  return url.password === new URL(given).password ? given : url.toString();
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
