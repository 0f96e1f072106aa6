import type { Command } from 'commander';
import { z } from 'zod';
import { POOL_NAME_PATTERN, POOL_NAME_RULE } from '@mysaas/tenancy';
import { CliError, ExitCode } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath } from '../control-plane/control-plane-client';
import { examples } from './help-text';
import { positiveInteger } from './option-parsers';

// The control plane's progress lines (POST /platform/pools/:name/migrate).
const report = z.looseObject({
  total: z.number(),
  migrated: z.array(z.looseObject({ slug: z.string(), ran: z.array(z.string()), ms: z.number() })),
  current: z.array(z.string()),
  failed: z.array(z.looseObject({ slug: z.string(), reason: z.string() })),
  notReached: z.array(z.string()),
});
const progressLine = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('planned'), pool: z.string(), release: z.number(), total: z.number(), current: z.number(), pending: z.number() }),
  z.looseObject({ type: z.literal('schema'), slug: z.string(), status: z.enum(['migrated', 'current', 'failed']), reason: z.string().optional() }),
  z.looseObject({ type: z.literal('done'), report }),
  z.looseObject({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);

type Report = z.output<typeof report>;

interface MigrateOptions {
  pool: string;
  concurrency: number;
  json?: boolean;
}

/** `saas migrate --pool <name>`: every tenant schema of a pool to its release, with progress. */
export function addMigrateCommand(program: Command, session: CliSession): void {
  program
    .command('migrate')
    .description("apply the pending migrations of a pool's release to every tenant schema on it")
    .requiredOption('--pool <name>', 'the pool to migrate')
    .option('--concurrency <n>', 'schemas migrated at once (1 to 32)', positiveInteger, 4)
    .option('--json', 'print the final report as JSON (no progress display)')
    .addHelpText(
      'after',
      examples('saas migrate --pool v1', 'saas migrate --pool v1 --concurrency 8', 'saas migrate --pool v1 --json') +
        '\nEach schema migrates in a transaction of its own: one that fails is rolled back and reported,\n' +
        'the others go on. Stopped (Ctrl-C, a crash), run it again: it skips the schemas already\n' +
        'current and migrates the rest. Tenants are served meanwhile (each briefly waits while its\n' +
        'own schema migrates).\n',
    )
    .action(async (options: MigrateOptions) => {
      if (!POOL_NAME_PATTERN.test(options.pool)) {
        throw new CliError(`pool name "${options.pool}" is invalid: it ${POOL_NAME_RULE}`, { exitCode: ExitCode.Usage });
      }
      if (options.concurrency > 32) throw new CliError('--concurrency is at most 32', { exitCode: ExitCode.Usage });
      const progress = new Progress(session, options.json !== true);
      let final: Report | undefined;
      let broke: { code: string; message: string } | undefined;
      await session.controlPlane().stream(apiPath`/platform/pools/${options.pool}/migrate`, progressLine, { concurrency: options.concurrency }, (line) => {
        if (line.type === 'planned') progress.planned(line);
        else if (line.type === 'schema') progress.schema(line);
        else if (line.type === 'done') final = line.report;
        else broke = line;
      });
      progress.end();
      if (broke !== undefined) throw new CliError(`${broke.message} (${broke.code})`, { hint: `run \`saas migrate --pool ${options.pool}\` again` });
      if (final === undefined) throw new CliError('the control plane ended the migration without a report', { hint: `see its log; run \`saas migrate --pool ${options.pool}\` again` });
      if (options.json) session.out.json(final);
      else printReport(session, options.pool, final);
      if (final.failed.length > 0 || final.notReached.length > 0) {
        throw new CliError(`${final.failed.length} schema(s) failed and ${final.notReached.length} were not reached`, {
          hint: final.failed.length > 0 ? 'fix what each reason says, then run the command again (it only does what is left)' : `run \`saas migrate --pool ${options.pool}\` again`,
        });
      }
    });
}

/** A progress bar on a terminal (stderr, redrawn in place); a line per tenth otherwise. */
class Progress {
  private pending = 0;
  private done = 0;
  private failed = 0;
  private lastTenth = -1;

  constructor(
    private readonly session: CliSession,
    private readonly show: boolean,
  ) {}

  planned(plan: { pool: string; release: number; total: number; current: number; pending: number }): void {
    this.pending = plan.pending;
    if (!this.show) return;
    this.session.err.line(`Pool ${plan.pool} (release ${plan.release}): ${plan.total} tenant schemas, ${plan.current} already current, ${plan.pending} to migrate.`);
    this.draw();
  }

  schema(outcome: { slug: string; status: string; reason?: string | undefined }): void {
    this.done += 1;
    if (outcome.status === 'failed') this.failed += 1;
    if (!this.show) return;
    if (outcome.status === 'failed') {
      this.clear();
      this.session.err.line(`  ✗ ${outcome.slug}: ${outcome.reason ?? 'failed'}`);
    }
    this.draw();
  }

  end(): void {
    if (this.show && this.session.err.color) this.session.err.write('\n');
  }

  private draw(): void {
    const total = Math.max(this.pending, this.done);
    if (total === 0) return;
    if (this.session.err.color) {
      const width = 30;
      const filled = Math.round((this.done / total) * width);
      this.session.err.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${total}${this.failed > 0 ? `, ${this.failed} failed` : ''}`);
      return;
    }
    const tenth = Math.floor((this.done / total) * 10);
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      this.session.err.line(`  ${this.done}/${total} done${this.failed > 0 ? `, ${this.failed} failed` : ''}`);
    }
  }

  private clear(): void {
    if (this.session.err.color) this.session.err.write('\r\u001b[2K');
  }
}

function printReport(session: CliSession, pool: string, report: Report): void {
  session.out.line(`Pool ${pool}: ${report.migrated.length} migrated, ${report.current.length} already current, ${report.failed.length} failed${report.notReached.length > 0 ? `, ${report.notReached.length} not reached` : ''} (of ${report.total}).`);
  if (report.failed.length > 0) {
    session.out.table(
      [
        { header: 'TENANT', cell: (f: { slug: string }) => f.slug },
        { header: 'WHY IT FAILED (rolled back)', cell: (f: { reason: string }) => f.reason },
      ],
      report.failed,
    );
  }
}
