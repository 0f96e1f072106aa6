import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, ExitCode } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath, type ControlPlaneClient } from '../control-plane/control-plane-client';
import { formatDuration, formatOptional, formatPercent, formatTimestamp } from '../output/format';
import type { Column } from '../output/table';
import { examples } from './help-text';
import { positiveInteger, positiveNumber } from './option-parsers';

// The answers' shapes. Loose objects: fields a newer control plane adds pass through to --json.

/** Why a tenant's jobs are held, where the control plane says (`operator`, `suspended`). */
const pausedFor = z.array(z.string()).optional();

const tenantJobStats = z.looseObject({
  tenant: z.string(),
  plan: z.string(),
  paused: z.boolean(),
  pausedFor,
  queued: z.number(),
  running: z.number(),
  oldestQueuedAgeMs: z.number().nullable(),
  startedLastMinute: z.number(),
  servedShare: z.number(),
});
const jobStats = z.looseObject({
  tenants: z.array(tenantJobStats),
  totals: z.looseObject({ queued: z.number(), running: z.number(), startedLastMinute: z.number() }),
});
const deadJobs = z.looseObject({
  jobs: z.array(
    z.looseObject({
      id: z.string(),
      tenant: z.string(),
      name: z.string(),
      failedReason: z.string().nullish(),
      attemptsMade: z.number(),
      failedAt: z.string().nullable(),
    }),
  ),
});
const replayed = z.looseObject({ replayed: z.array(z.looseObject({ id: z.string(), newId: z.string() })) });
const tenantPause = z.looseObject({ tenant: z.string(), paused: z.boolean(), pausedFor });
const jobPlan = z.looseObject({
  name: z.string(),
  weight: z.number(),
  maxRunning: z.number(),
  ratePerSecond: z.number().nullable(),
  burst: z.number().nullable(),
  maxQueued: z.number(),
});
const jobPlans = z.looseObject({ plans: z.array(jobPlan) });

type TenantJobStats = z.output<typeof tenantJobStats>;
type JobStats = z.output<typeof jobStats>;
type DeadJob = z.output<typeof deadJobs>['jobs'][number];
type JobPlan = z.output<typeof jobPlan>;

/** A stats line as shown: one per tenant, and a total when there are several. */
type StatsRow = Record<'tenant' | 'plan' | 'paused' | 'queued' | 'running' | 'oldest' | 'started' | 'share', string>;

const statsRow = (t: TenantJobStats): StatsRow => ({
  tenant: t.tenant,
  plan: t.plan,
  paused: t.paused ? (t.pausedFor?.length ? t.pausedFor.join(',') : 'yes') : 'no',
  queued: String(t.queued),
  running: String(t.running),
  oldest: formatDuration(t.oldestQueuedAgeMs),
  started: String(t.startedLastMinute),
  share: formatPercent(t.servedShare),
});

const totalsRow = (totals: JobStats['totals']): StatsRow => ({
  tenant: 'total',
  plan: '',
  paused: '',
  queued: String(totals.queued),
  running: String(totals.running),
  oldest: '',
  started: String(totals.startedLastMinute),
  share: '',
});

const STATS_COLUMNS: Column<StatsRow>[] = [
  { header: 'TENANT', cell: (r) => r.tenant },
  { header: 'PLAN', cell: (r) => r.plan },
  { header: 'PAUSED', cell: (r) => r.paused },
  { header: 'QUEUED', cell: (r) => r.queued, align: 'right' },
  { header: 'RUNNING', cell: (r) => r.running, align: 'right' },
  { header: 'OLDEST', cell: (r) => r.oldest, align: 'right' },
  { header: 'STARTED/MIN', cell: (r) => r.started, align: 'right' },
  { header: 'SHARE', cell: (r) => r.share, align: 'right' },
];

const REASON_WIDTH = 60;
const DEAD_COLUMNS: Column<DeadJob>[] = [
  { header: 'ID', cell: (j) => j.id },
  { header: 'TENANT', cell: (j) => j.tenant },
  { header: 'JOB', cell: (j) => j.name },
  { header: 'ATTEMPTS', cell: (j) => String(j.attemptsMade), align: 'right' },
  { header: 'FAILED AT', cell: (j) => formatTimestamp(j.failedAt) },
  { header: 'REASON', cell: (j) => firstLine(j.failedReason ?? '', REASON_WIDTH) },
];

const PLAN_COLUMNS: Column<JobPlan>[] = [
  { header: 'PLAN', cell: (p) => p.name },
  { header: 'WEIGHT', cell: (p) => String(p.weight), align: 'right' },
  { header: 'MAX RUNNING', cell: (p) => String(p.maxRunning), align: 'right' },
  { header: 'RATE/S', cell: (p) => formatOptional(p.ratePerSecond), align: 'right' },
  { header: 'BURST', cell: (p) => formatOptional(p.burst), align: 'right' },
  { header: 'MAX QUEUED', cell: (p) => String(p.maxQueued), align: 'right' },
];

interface JsonOption {
  json?: boolean;
}

/** `saas jobs …`: the shared job service, seen and steered from the control plane. */
export function addJobsCommands(program: Command, session: CliSession): void {
  const jobs = program
    .command('jobs')
    .description("the shared job service: its queues, dead jobs, tenants' plans")
    .addHelpText('after', examples('saas jobs stats', 'saas jobs dead list', 'saas jobs pause acme', 'saas jobs plans list'));

  jobs
    .command('stats')
    .description("each tenant's queued and running jobs, and its share of the workers")
    .option('--tenant <slug>', 'only this tenant')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas jobs stats', 'saas jobs stats --tenant acme --json'))
    .action(async (options: JsonOption & { tenant?: string }) => {
      const stats = await session.controlPlane().get('/platform/jobs/stats', jobStats, { tenant: options.tenant });
      if (options.json) return session.out.json(stats);
      if (stats.tenants.length === 0) {
        return session.out.line(options.tenant ? `No job statistics for tenant ${options.tenant}.` : 'No tenants have jobs.');
      }
      const rows = stats.tenants.map(statsRow);
      session.out.table(STATS_COLUMNS, rows.length > 1 ? [...rows, totalsRow(stats.totals)] : rows);
    });

  const dead = jobs
    .command('dead')
    .description('jobs that failed every attempt')
    .addHelpText('after', examples('saas jobs dead list --tenant acme', 'saas jobs dead replay b42'));

  dead
    .command('list')
    .description('dead jobs, newest first')
    .option('--tenant <slug>', 'only this tenant')
    .option('--limit <n>', 'at most this many', positiveInteger)
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas jobs dead list', 'saas jobs dead list --tenant acme --limit 20'))
    .action(async (options: JsonOption & { tenant?: string; limit?: number }) => {
      const result = await session.controlPlane().get('/platform/jobs/dead', deadJobs, { tenant: options.tenant, limit: options.limit });
      if (options.json) return session.out.json(result);
      if (result.jobs.length === 0) {
        return session.out.line(options.tenant ? `No dead jobs for tenant ${options.tenant}.` : 'No dead jobs.');
      }
      session.out.table(DEAD_COLUMNS, result.jobs);
    });

  dead
    .command('replay')
    .description('queue dead jobs again, as new jobs: one by id, or all of a tenant')
    .argument('[id]', 'the dead job (see `saas jobs dead list`)')
    .option('--tenant <slug>', "all of this tenant's dead jobs")
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas jobs dead replay b42', 'saas jobs dead replay --tenant acme'))
    .action(async (id: string | undefined, options: JsonOption & { tenant?: string }, command: Command) => {
      if ((id === undefined) === (options.tenant === undefined)) {
        command.error('error: give either a dead job id or --tenant <slug> (exactly one)', { exitCode: ExitCode.Usage });
      }
      const client = session.controlPlane();
      const result =
        id !== undefined
          ? await client.post(apiPath`/platform/jobs/dead/${id}/replay`, replayed)
          : await client.post('/platform/jobs/dead/replay', replayed, { tenant: options.tenant });
      if (options.json) return session.out.json(result);
      if (result.replayed.length === 0) return session.out.line('Nothing to replay: no dead jobs matched.');
      session.out.line(`Replayed ${count(result.replayed.length, 'dead job')} as new jobs:`);
      session.out.table(
        [
          { header: 'DEAD ID', cell: (r) => r.id },
          { header: 'NEW ID', cell: (r) => r.newId },
        ],
        result.replayed,
      );
    });

  jobs
    .command('pause')
    .description("stop starting a tenant's jobs; running ones finish, new ones wait in its queue")
    .argument('<slug>', 'the tenant')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas jobs pause acme'))
    .action(async (slug: string, options: JsonOption) => {
      const result = await session.controlPlane().post(apiPath`/platform/tenants/${slug}/jobs/pause`, tenantPause);
      if (options.json) return session.out.json(result);
      session.out.line(
        result.paused
          ? `Jobs of tenant ${result.tenant} are paused${reasons(result)}: running ones finish, queued ones wait (saas jobs resume ${result.tenant}).`
          : `Jobs of tenant ${result.tenant} are not paused.`,
      );
    });

  jobs
    .command('resume')
    .description("start a paused tenant's jobs again")
    .argument('<slug>', 'the tenant')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas jobs resume acme'))
    .action(async (slug: string, options: JsonOption) => {
      const result = await session.controlPlane().post(apiPath`/platform/tenants/${slug}/jobs/resume`, tenantPause);
      if (options.json) return session.out.json(result);
      // A suspended tenant's jobs stay held whatever an operator resumes.
      session.out.line(
        result.paused
          ? `Jobs of tenant ${result.tenant} are still paused${reasons(result)}.`
          : `Jobs of tenant ${result.tenant} run again.`,
      );
    });

  const plans = jobs
    .command('plans')
    .description("job plans: each tenant's weight and limits in the job service")
    .addHelpText('after', examples('saas jobs plans list', 'saas jobs plans set business --weight 4'));

  plans
    .command('list')
    .description('every job plan')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas jobs plans list'))
    .action(async (options: JsonOption) => {
      const result = await session.controlPlane().get('/platform/job-plans', jobPlans);
      if (options.json) return session.out.json(result);
      if (result.plans.length === 0) return session.out.line('No job plans.');
      session.out.table(PLAN_COLUMNS, result.plans);
    });

  plans
    .command('set')
    .description('change a job plan (fields not given stay as they are), or create one')
    .argument('<name>', 'the plan')
    .option('--weight <n>', 'its share of the workers relative to other plans (positive integer)', positiveInteger)
    .option('--max-running <n>', 'jobs of one tenant running at once (positive integer)', positiveInteger)
    .option('--rate <n>', 'jobs one tenant may start per second (positive number)', positiveNumber)
    .option('--burst <n>', 'starts allowed at once above the rate (positive number)', positiveNumber)
    .option('--max-queued <n>', 'jobs one tenant may have waiting (positive integer)', positiveInteger)
    .option('--json', 'print the raw answer as JSON')
    .addHelpText(
      'after',
      examples(
        'saas jobs plans set business --weight 4 --max-running 16',
        'saas jobs plans set standard --rate 5 --burst 20',
        'saas jobs plans set bulk --weight 1 --max-running 2 --max-queued 1000000   # a new plan',
      ),
    )
    .action(async (name: string, options: JsonOption & PlanOptions, command: Command) => {
      const changes = {
        weight: options.weight,
        maxRunning: options.maxRunning,
        ratePerSecond: options.rate,
        burst: options.burst,
        maxQueued: options.maxQueued,
      };
      const given: Partial<PlanFields> = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
      if (Object.keys(given).length === 0) {
        command.error('error: nothing to change: give at least one of --weight, --max-running, --rate, --burst, --max-queued', {
          exitCode: ExitCode.Usage,
        });
      }
      const client = session.controlPlane();
      const plan = await client.put(apiPath`/platform/job-plans/${name}`, jobPlan, await planToSave(client, name, given));
      if (options.json) return session.out.json(plan);
      session.out.table(PLAN_COLUMNS, [plan]);
    });
}

/** The plan fields `plans set` sends, as the control plane's PUT names them. */
type PlanFields = Pick<JobPlan, 'weight' | 'maxRunning' | 'ratePerSecond' | 'burst' | 'maxQueued'>;
const REQUIRED_FOR_NEW_PLAN = { weight: '--weight', maxRunning: '--max-running', maxQueued: '--max-queued' } as const;

/**
 * The control plane's PUT replaces a plan whole (rate and burst left out become "none"), so the
 * fields not given are read from the plan as it is. A new plan needs the required ones given.
 */
async function planToSave(client: ControlPlaneClient, name: string, given: Partial<PlanFields>): Promise<Partial<PlanFields>> {
  const current = (await client.get('/platform/job-plans', jobPlans)).plans.find((plan) => plan.name === name);
  if (current === undefined) {
    const missing = Object.entries(REQUIRED_FOR_NEW_PLAN).filter(([field]) => !(field in given)).map(([, flag]) => flag);
    if (missing.length > 0) {
      throw new CliError(`there is no job plan named ${name}; to create it, give ${missing.join(', ')} too`, {
        exitCode: ExitCode.Usage,
        hint: '`saas jobs plans list` shows the plans',
      });
    }
    return given;
  }
  const { weight, maxRunning, ratePerSecond, burst, maxQueued } = current;
  return { weight, maxRunning, ratePerSecond, burst, maxQueued, ...given };
}

interface PlanOptions {
  weight?: number;
  maxRunning?: number;
  rate?: number;
  burst?: number;
  maxQueued?: number;
}

const reasons = ({ pausedFor: why }: { pausedFor?: string[] | undefined }): string => (why?.length ? ` (${why.join(', ')})` : '');

function firstLine(text: string, width: number): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
