import { InvalidArgumentError, type Command } from 'commander';
import { checkTenantSlug, POOL_NAME_PATTERN, POOL_NAME_RULE, ROLLOUT_STATES } from '@mysaas/tenancy';
import { CliError, ExitCode } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath, type ControlPlaneClient } from '../control-plane/control-plane-client';
import { formatDuration } from '../output/format';
import { retryWhileBusy } from './busy-retry';
import { examples } from './help-text';
import { formatNextSteps } from './move-view';
import { duration, positiveInteger, ratio, risingPercentages, share, wholeNumber } from './option-parsers';
import { followRollout, ROLLOUT_POLL_MS } from './rollout-follow';
import {
  REPORT_COLUMNS,
  ROLLOUT_COLUMNS,
  ROLLOUT_ID,
  describePlan,
  nextSteps,
  reportRows,
  rolloutFieldList,
  rolloutHeadline,
  rolloutList,
  rolloutRests,
  rolloutView,
  type RolloutGoal,
  type RolloutView,
} from './rollout-view';

interface JsonOption {
  json?: boolean;
}

/** `--no-wait` (commander's negatable option): `wait` is true unless it is given. */
interface FollowOption extends JsonOption {
  wait: boolean;
}

interface RolloutOptions extends FollowOption {
  canary?: string[];
  waves?: number[];
  from?: string;
  window?: number;
  maxErrorIncrease?: number;
  maxLatencyRatio?: number;
  minRequests?: number;
}

interface ListOptions extends JsonOption {
  limit?: number;
}

const EXAMPLE_ID = '7c2e4b18-93d5-4f0a-b6e1-5a8d9c3f2e71';
/** The control plane watches at least 0.1 s and at most an hour of traffic per window. */
const MIN_WINDOW_MS = 100;
const MAX_WINDOW_MS = 3_600_000;
/** The control plane lists at most this many rollouts at once. */
const MAX_LIST = 500;

const FOLLOWING =
  '\nIt follows the rollout until it rests, printing on stderr what happens (each wave as it starts,\n' +
  "each tenant's health before its move, the move step by step, the verdict on its health after),\n" +
  'then sums it up on stdout: each tenant, moved or not, with its verdict, and what to run next\n' +
  '(with --json: the rollout as the control plane has it, and nothing as it happens). Ctrl-C stops\n' +
  'the following only: the rollout goes on in the control plane (`saas rollouts show <id>`).\n' +
  '--no-wait returns as soon as the control plane has taken the request.\n';

/** `saas rollout <pool>` and `saas rollouts …`: tenants moved to a pool in waves, judged as they go. */
export function addRolloutCommands(program: Command, session: CliSession): void {
  program
    .command('rollout')
    .description("move tenants to a pool in waves, canaries first, halting on a regression in their own error rate or latency; and follow it")
    .argument('<pool>', 'the pool to move them to (the new release: `saas pools list`)')
    .option('--canary <slug,...>', 'tenants moved first, in a wave of their own (comma-separated, or repeat the option)', canaryList)
    .option('--waves <percentages>', 'rising shares of the tenants moved by the end of each wave, e.g. 10%,50%,100% (the default); tenants left over make a last wave', risingPercentages)
    .option('--from <pool>', 'only the tenants on this pool (default: every active tenant on an older release)')
    .option('--window <duration>', "traffic watched before and after each wave's moves, e.g. 30s (the default), 2m, 500ms", windowDuration)
    .option('--max-error-increase <share>', 'a regression: the 5xx share rises by more than this, e.g. 5% (the default) or 0.05', share)
    .option('--max-latency-ratio <factor>', 'a regression: mean latency grows by more than this factor (and by 50 ms): 2 by default', ratio)
    .option('--min-requests <n>', 'fewer requests than this after a move is too little traffic to judge: 5 by default', wholeNumber)
    .option('--no-wait', 'return once the rollout has started, without following it')
    .option('--json', 'print the rollout as JSON once it rests (with --no-wait: once it has started)')
    .addHelpText(
      'after',
      examples(
        'saas rollout v2 --canary acme',
        'saas rollout v2 --canary acme,globex --waves 10%,50%,100% --window 2m --max-error-increase 2%',
        'saas rollout v2 --from v1 --no-wait --json | jq -r .id',
      ) +
        FOLLOWING +
        '\nEach wave: its tenants\' traffic is watched for a window, they move one at a time (as\n' +
        '`saas tenants move` does), their traffic is watched again, and each is judged against its own\n' +
        'before. A regression (or a failed move) halts the rollout before the next wave, with a report.\n' +
        'Exit code 0 once every wave has moved (the moves then rest switched: `saas moves finalize`),\n' +
        '1 when it halted: `saas rollouts resume <id>` goes on, `saas rollouts rollback <id>` puts\n' +
        'every tenant it moved back. The control plane judges on the gateways\' metrics\n' +
        '(ROLLOUT_METRICS_URLS).\n',
    )
    .action(async (pool: string, options: RolloutOptions) => {
      checkPoolName(pool, 'pool');
      if (options.from !== undefined) checkPoolName(options.from, '--from');
      const client = session.controlPlane();
      const body = {
        pool,
        ...(options.canary === undefined ? {} : { canaries: options.canary }),
        ...(options.waves === undefined ? {} : { waves: options.waves }),
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.window === undefined ? {} : { windowSeconds: options.window / 1000 }),
        ...(options.maxErrorIncrease === undefined ? {} : { maxErrorRateIncrease: options.maxErrorIncrease }),
        ...(options.maxLatencyRatio === undefined ? {} : { maxLatencyRatio: options.maxLatencyRatio }),
        ...(options.minRequests === undefined ? {} : { minRequests: options.minRequests }),
      };
      const started = await withOpenRollout(client, pool, client.post('/platform/rollouts', rolloutView, body));
      await conclude(session, client, started, {
        goal: 'done',
        options,
        opening: `Rolling out to pool ${started.pool} (rollout ${started.id}): ${describePlan(started)}.`,
      });
    });

  const rollouts = program
    .command('rollouts')
    .description('staged rollouts to a pool: list and show them, resume or roll back one')
    .addHelpText(
      'after',
      examples('saas rollout v2 --canary acme', 'saas rollouts list', `saas rollouts show ${EXAMPLE_ID}`, `saas rollouts resume ${EXAMPLE_ID}`, `saas rollouts rollback ${EXAMPLE_ID}`) +
        '\nA rollout (`saas rollout <pool>`) moves tenants to a pool wave after wave, canaries first,\n' +
        'judging each on its own error rate and latency before and after its move. It halts on a\n' +
        'regression or a failed move, and waits: resumed, it accepts the halted wave and moves the\n' +
        'next; rolled back, every tenant it moved goes back to its old pool.\n' +
        `States: ${ROLLOUT_STATES.join(', ')}.\n`,
    );

  rollouts
    .command('list')
    .description('rollouts, newest first')
    .option('--limit <n>', `at most this many (up to ${MAX_LIST}; 50 by default)`, positiveInteger)
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas rollouts list', 'saas rollouts list --limit 5 --json'))
    .action(async (options: ListOptions) => {
      if (options.limit !== undefined && options.limit > MAX_LIST) {
        throw new CliError(`--limit ${options.limit} is more than the control plane lists at once (${MAX_LIST})`, { exitCode: ExitCode.Usage });
      }
      const result = await session.controlPlane().get('/platform/rollouts', rolloutList, { limit: options.limit });
      if (options.json) return session.out.json(result);
      if (result.rollouts.length === 0) return session.out.line('No rollouts.');
      session.out.table(ROLLOUT_COLUMNS, result.rollouts);
    });

  rollouts
    .command('show')
    .description('one rollout: its plan, waves and policy, and each tenant: moved or not, its health before and after, its verdict')
    .argument('<id>', 'the rollout (see `saas rollouts list`)')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples(`saas rollouts show ${EXAMPLE_ID}`, `saas rollouts show ${EXAMPLE_ID} --json | jq '.report | map_values(.verdict)'`))
    .action(async (id: string, options: JsonOption) => {
      checkRolloutId(id);
      const rollout = await withRolloutHints(session.controlPlane().get(apiPath`/platform/rollouts/${id}`, rolloutView), id);
      if (options.json) return session.out.json(rollout);
      printRollout(session, rollout);
    });

  const followUp = (name: 'resume' | 'rollback', description: string, goal: RolloutGoal, opening: (r: RolloutView) => string, help: string) =>
    rollouts
      .command(name)
      .description(description)
      .argument('<id>', 'the rollout (see `saas rollouts list`)')
      .option('--no-wait', 'return once the control plane has taken the request, without following the rollout')
      .option('--json', 'print the rollout as JSON once it rests (with --no-wait: as the control plane took the request)')
      .addHelpText('after', examples(`saas rollouts ${name} ${EXAMPLE_ID}`, `saas rollouts ${name} ${EXAMPLE_ID} --no-wait`) + FOLLOWING + help)
      .action(async (id: string, options: FollowOption) => {
        checkRolloutId(id);
        const client = session.controlPlane();
        // Read first: a rollout that has just halted may keep its runner a moment longer (MOVE_BUSY).
        const before = options.wait ? await withRolloutHints(client.get(apiPath`/platform/rollouts/${id}`, rolloutView), id) : undefined;
        const path = name === 'resume' ? apiPath`/platform/rollouts/${id}/resume` : apiPath`/platform/rollouts/${id}/rollback`;
        const started = await retryWhileBusy(before !== undefined && rolloutRests(before.state), ROLLOUT_POLL_MS, () => withRolloutHints(client.post(path, rolloutView), id));
        await conclude(session, client, started, { goal, options, opening: opening(started) });
      });

  followUp(
    'resume',
    'go on with a halted rollout: accept the wave it halted on and move the next (a wave halted on a failed move is tried again)',
    'done',
    (r) => `Resuming rollout ${r.id} to pool ${r.pool}.`,
    '\nOnly a halted rollout can be resumed. Exit code 0 once every wave has moved, 1 if it halts again.\n',
  );
  followUp(
    'rollback',
    'roll a rollout back as a whole: every tenant it moved goes back to its old pool, with the writes made meanwhile',
    'rolled_back',
    (r) => `Rolling back rollout ${r.id}: every tenant it moved to pool ${r.pool} goes back to its old pool.`,
    '\nEach tenant waits briefly, as at its move\'s cutover, while what changed is copied back; a move\n' +
      'already finalized stays. Exit code 0 once every tenant is back, 1 if one could not go back\n' +
      '(the rollout halts, saying which: run the command again).\n',
  );
}

interface ConcludeOptions {
  goal: RolloutGoal;
  options: FollowOption;
  /** Said on stderr when following starts. */
  opening: string;
}

/** After the control plane has taken the request: follows the rollout (unless --no-wait) and says how it ended. */
async function conclude(session: CliSession, client: ControlPlaneClient, started: RolloutView, how: ConcludeOptions): Promise<void> {
  const { json, wait } = how.options;
  if (!wait) {
    if (json) return session.out.json(started);
    return printRollout(session, started);
  }
  if (!json) session.err.line(`${how.opening} Ctrl-C stops following, not the rollout.`);
  const end = await followRollout(session, client, { started, show: !json });
  const id = started.id;
  if (end.how === 'interrupted') {
    throw new CliError(`no longer following rollout ${id}; it goes on in the control plane`, {
      label: 'stopped',
      exitCode: ExitCode.Interrupted,
      hint: `\`saas rollouts show ${id}\` shows where it is`,
    });
  }
  const rollout = end.rollout;
  if (json) session.out.json(rollout);
  else printRollout(session, rollout);
  if (rollout.state !== how.goal) throw endedElsewhere(rollout, how.goal);
}

/** A rollout that rests, but not where the command was taking it. */
function endedElsewhere(r: RolloutView, goal: RolloutGoal): CliError {
  const id = r.id;
  const why = r.error ?? 'the control plane gave no reason';
  if (r.state === 'halted' && goal === 'rolled_back') {
    return new CliError(`rollout ${id} could not roll back: ${why}`, {
      hint: `\`saas rollouts show ${id}\` shows which tenants are back; \`saas rollouts rollback ${id}\` tries again`,
    });
  }
  if (r.state === 'halted') {
    const wave = Math.min(r.currentWave, r.plan.length - 1) + 1;
    return new CliError(`rollout ${id} halted in wave ${wave} of ${r.plan.length}: ${why}`, {
      hint: `\`saas rollouts resume ${id}\` goes on (accepting wave ${wave}), \`saas rollouts rollback ${id}\` puts every tenant it moved back`,
    });
  }
  if (r.state === 'failed') {
    return new CliError(`rollout ${id} failed: ${why}`, { hint: `\`saas rollouts rollback ${id}\` puts every tenant it moved back; \`saas rollouts show ${id}\` shows each` });
  }
  return new CliError(`rollout ${id} is ${r.state.replace('_', ' ')}, not ${goal.replace('_', ' ')}${r.error === null ? '' : `: ${r.error}`}`, {
    hint: `\`saas rollouts show ${id}\` shows each tenant and its move`,
  });
}

function printRollout(session: CliSession, r: RolloutView): void {
  session.out.line(rolloutHeadline(r));
  session.out.fields(rolloutFieldList(r));
  session.out.line();
  session.out.table(REPORT_COLUMNS, reportRows(r));
  const next = formatNextSteps(nextSteps(r));
  if (next !== '') session.out.write(`\n${next}`);
}


/** The control plane's rollout errors reuse move codes; their hints name rollout commands here. */
const ROLLOUT_HINTS: Record<string, string> = {
  MOVE_WRONG_STATE: '`saas rollouts show <id>` shows its state and what can be done next',
  MOVE_BUSY: 'it is running a wave: `saas rollouts show <id>` shows where it is; resume or roll it back once it halts',
};

async function withRolloutHints<T>(request: Promise<T>, id: string): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (!(error instanceof CliError) || error.code === undefined) throw error;
    const hint = ROLLOUT_HINTS[error.code] ?? error.hint;
    if (hint === undefined) throw error;
    throw new CliError(error.message, { hint: hint.split('<id>').join(id), code: error.code, exitCode: error.exitCode });
  }
}

/** ROLLOUT_OPEN: the hint names the open rollout of that pool, when it can be found. */
async function withOpenRollout(client: ControlPlaneClient, pool: string, request: Promise<RolloutView>): Promise<RolloutView> {
  try {
    return await request;
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== 'ROLLOUT_OPEN') throw error;
    const open = await client
      .get('/platform/rollouts', rolloutList, { limit: MAX_LIST })
      .then((list) => list.rollouts.find((r) => r.pool === pool && !['done', 'failed', 'rolled_back'].includes(r.state)))
      .catch(() => undefined);
    if (open === undefined) throw error;
    throw new CliError(error.message, {
      code: error.code,
      hint: `it is rollout ${open.id} (${open.state}): \`saas rollouts show ${open.id}\`, then \`saas rollouts resume ${open.id}\` or \`saas rollouts rollback ${open.id}\``,
    });
  }
}

function checkRolloutId(id: string): void {
  if (!ROLLOUT_ID.test(id)) {
    throw new CliError(`"${id}" is not a rollout id (one looks like ${EXAMPLE_ID})`, { exitCode: ExitCode.Usage, hint: '`saas rollouts list` shows the rollouts and their ids' });
  }
}

function checkPoolName(name: string, what: string): void {
  if (!POOL_NAME_PATTERN.test(name)) {
    throw new CliError(`${what === 'pool' ? '' : `${what}: `}pool name "${name}" is invalid: it ${POOL_NAME_RULE}`, { exitCode: ExitCode.Usage, hint: '`saas pools list` shows the pools' });
  }
}

/** `--canary acme,globex` (or the option repeated): tenant slugs, each checked, each once. */
export function canaryList(value: string, previous: string[] = []): string[] {
  const slugs = value
    .split(',')
    .map((slug) => slug.trim())
    .filter((slug) => slug !== '');
  if (slugs.length === 0) throw new InvalidArgumentError('Expected tenant slugs, comma-separated (e.g. acme,globex).');
  for (const slug of slugs) {
    const check = checkTenantSlug(slug);
    if (!check.ok) throw new InvalidArgumentError(`${check.reason}.`);
  }
  return [...new Set([...previous, ...slugs])];
}

/** `--window`: a duration the control plane takes (100ms to 1h). */
export function windowDuration(value: string): number {
  const ms = duration(value);
  if (ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS) {
    throw new InvalidArgumentError(`Expected a window from ${formatDuration(MIN_WINDOW_MS)} to ${formatDuration(MAX_WINDOW_MS)}, not ${formatDuration(ms)}.`);
  }
  return ms;
}
