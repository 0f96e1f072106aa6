import { Option, type Command } from 'commander';
import { checkTenantSlug, MOVE_METHODS, MOVE_STATES, POOL_NAME_PATTERN, POOL_NAME_RULE, type MoveMethod, type MoveState } from '@mysaas/tenancy';
import { CliError, ExitCode } from '../cli-error';
import type { CliSession } from '../cli-session';
import { apiPath, type ControlPlaneClient } from '../control-plane/control-plane-client';
import { retryWhileBusy } from './busy-retry';
import { examples } from './help-text';
import { followMove, POLL_MS } from './move-follow';
import {
  EVENT_COLUMNS,
  MOVE_COLUMNS,
  formatNextSteps,
  moveDetail,
  moveFieldList,
  moveHeadline,
  moveList,
  moveRests,
  moveView,
  nextSteps,
  type MoveDetail,
  type MoveGoal,
  type MoveView,
} from './move-view';
import { positiveInteger } from './option-parsers';

interface JsonOption {
  json?: boolean;
}

/** `--no-wait` (commander's negatable option): `wait` is true unless it is given. */
interface FollowOption extends JsonOption {
  wait: boolean;
}

interface MoveOptions extends FollowOption {
  to: string;
  method?: MoveMethod;
}

interface ListOptions extends JsonOption {
  tenant?: string;
  state?: MoveState;
  limit?: number;
}

/** Move ids are UUIDs; anything else is mistyped, said before any request. */
const MOVE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXAMPLE_ID = '3f0c9a52-7b1e-4d2a-9c61-0e8f5b2d4a17';

const FOLLOWING =
  '\nIt follows the move until it rests, printing each step on stderr as it happens, then sums it\n' +
  "up on stdout (with --json: the move and its steps, as the control plane has them, and no steps\n" +
  'as they happen). Ctrl-C stops the following only: the move goes on in the control plane\n' +
  '(`saas moves show <id>`). --no-wait returns as soon as the control plane has taken the request.\n';

/** `saas tenants move`: added to the `tenants` group, next to the tenant's other commands. */
export function addTenantMoveCommand(tenants: Command, session: CliSession): void {
  tenants
    .command('move')
    .description('move a tenant to another pool while it keeps working, and follow the move')
    .argument('<slug>', 'the tenant')
    .requiredOption('--to <pool>', 'the pool to move it to (an active one, of the same release or newer: `saas pools list`)')
    .addOption(
      new Option('--method <method>', "logical (changes stream during the copy; needs wal_level=logical on the old pool's server) or blocking (requests wait for the whole copy); default: the best the server allows").choices(MOVE_METHODS),
    )
    .option('--no-wait', 'return once the move has started, without following it')
    .option('--json', 'print the move as JSON once it rests (with --no-wait: once it has started)')
    .addHelpText(
      'after',
      examples('saas tenants move acme --to v2', 'saas tenants move acme --to v2 --method blocking', 'saas tenants move acme --to v2 --no-wait --json | jq -r .id') +
        FOLLOWING +
        '\nThe move copies the tenant to the new pool, then cuts over: its jobs and requests wait briefly\n' +
        'while the last changes are applied and routing switches. It then rests, switched: the old\n' +
        'schema stays, write-protected, until `saas moves finalize <id>` drops it, or\n' +
        '`saas moves rollback <id>` puts the tenant back. Exit code 0 once it is switched, 1 if it failed\n' +
        '(the tenant stays on its old pool, untouched: `saas moves resume <id>` or `saas moves rollback <id>`).\n',
    )
    .action(async (slug: string, options: MoveOptions) => {
      const slugCheck = checkTenantSlug(slug);
      if (!slugCheck.ok) throw new CliError(slugCheck.reason, { exitCode: ExitCode.Usage });
      if (!POOL_NAME_PATTERN.test(options.to)) {
        throw new CliError(`pool name "${options.to}" is invalid: it ${POOL_NAME_RULE}`, { exitCode: ExitCode.Usage, hint: '`saas pools list` shows the pools' });
      }
      const client = session.controlPlane();
      const body = { tenant: slug, to: options.to, ...(options.method === undefined ? {} : { method: options.method }) };
      const started = await withMoveHints(client.post('/platform/moves', moveView, body), { slug, pool: options.to });
      await conclude(session, client, started, {
        goal: 'switched',
        options,
        opening: `Moving tenant ${started.tenant} from pool ${started.from} to ${started.to} (move ${started.id}).`,
      });
    });
}

/** `saas moves …`: the tenant moves the control plane has recorded, and the steps after one. */
export function addMovesCommands(program: Command, session: CliSession): void {
  const moves = program
    .command('moves')
    .description("tenant moves between pools: list and show them, finalize, roll back or resume one")
    .addHelpText(
      'after',
      examples('saas tenants move acme --to v2', 'saas moves list --tenant acme', `saas moves show ${EXAMPLE_ID}`, `saas moves finalize ${EXAMPLE_ID}`) +
        '\nA move (`saas tenants move`) copies, syncs and cuts over, then rests switched: the tenant is\n' +
        'served from the new pool, its old schema kept write-protected until the move is finalized\n' +
        '(dropped for good) or rolled back (the tenant back on its old pool). A failed move leaves the\n' +
        'tenant on its old pool, untouched, until it is resumed or rolled back.\n' +
        `States: ${MOVE_STATES.join(', ')}.\n`,
    );

  moves
    .command('list')
    .description('tenant moves, newest first')
    .option('--tenant <slug>', "only this tenant's moves")
    .addOption(new Option('--state <state>', 'only the moves in this state').choices(MOVE_STATES))
    .option('--limit <n>', 'at most this many', positiveInteger)
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples('saas moves list', 'saas moves list --state switched', 'saas moves list --tenant acme --limit 5 --json'))
    .action(async (options: ListOptions) => {
      const result = await session.controlPlane().get('/platform/moves', moveList, { tenant: options.tenant, state: options.state, limit: options.limit });
      if (options.json) return session.out.json(result);
      if (result.moves.length === 0) return session.out.line(`No moves${describeFilter(options)}.`);
      session.out.table(MOVE_COLUMNS, result.moves);
    });

  moves
    .command('show')
    .description('one move: where it is, its figures, and each of its steps with its time')
    .argument('<id>', 'the move (see `saas moves list`)')
    .option('--json', 'print the raw answer as JSON')
    .addHelpText('after', examples(`saas moves show ${EXAMPLE_ID}`, `saas moves show ${EXAMPLE_ID} --json | jq '.events[] | select(.outcome == "done") | [.step, .ms]'`))
    .action(async (id: string, options: JsonOption) => {
      checkMoveId(id);
      const move = await withMoveHints(session.controlPlane().get(apiPath`/platform/moves/${id}`, moveDetail), { id });
      if (options.json) return session.out.json(move);
      printMove(session, move);
      session.out.line();
      if (move.events.length === 0) session.out.line('No steps recorded yet.');
      else session.out.table(EVENT_COLUMNS, move.events);
      const next = formatNextSteps(nextSteps(move));
      if (next !== '') session.out.write(`\n${next}`);
    });

  const followUp = (name: 'rollback' | 'finalize' | 'resume', description: string, goal: MoveGoal, opening: (m: MoveView) => string, help: string) =>
    moves
      .command(name)
      .description(description)
      .argument('<id>', 'the move (see `saas moves list`)')
      .option('--no-wait', 'return once the control plane has taken the request, without following the move')
      .option('--json', 'print the move as JSON once it rests (with --no-wait: as the control plane took the request)')
      .addHelpText('after', examples(`saas moves ${name} ${EXAMPLE_ID}`, `saas moves ${name} ${EXAMPLE_ID} --no-wait`) + FOLLOWING + help)
      .action(async (id: string, options: FollowOption) => {
        checkMoveId(id);
        const client = session.controlPlane();
        // Its steps so far: only the ones that follow are news.
        const before = options.wait ? await withMoveHints(client.get(apiPath`/platform/moves/${id}`, moveDetail), { id }) : undefined;
        const path = { rollback: apiPath`/platform/moves/${id}/rollback`, finalize: apiPath`/platform/moves/${id}/finalize`, resume: apiPath`/platform/moves/${id}/resume` }[name];
        const started = await retryWhileBusy(before !== undefined && moveRests(before.state), POLL_MS, () => withMoveHints(client.post(path, moveView), { id }));
        await conclude(session, client, started, { before, goal, options, opening: opening(started) });
      });

  followUp(
    'finalize',
    "end a switched move: drop the tenant's old schema on its old pool, for good",
    'finalized',
    (m) => `Finalizing move ${m.id}: dropping tenant ${m.tenant}'s old schema on pool ${m.from}.`,
    '\nOnly a switched move can be finalized; after that it cannot be rolled back.\n',
  );
  followUp(
    'rollback',
    'put the tenant back on its old pool (a switched move copies back what changed), or give up an unfinished move',
    'rolled_back',
    (m) => `Rolling back move ${m.id}: tenant ${m.tenant} goes back to pool ${m.from}.`,
    '\nA switched move goes back only to a pool at most one release older (its app servers must\n' +
      'serve the schema); the tenant waits briefly, as at the cutover, while what changed is copied back.\n',
  );
  followUp(
    'resume',
    'run a failed or interrupted move again from where it stopped (a failed one copies again)',
    'switched',
    (m) => `Resuming move ${m.id} of tenant ${m.tenant} from pool ${m.from} to ${m.to}.`,
    '\nA move that stopped while finalizing or rolling back goes on with that.\n',
  );
}

interface ConcludeOptions {
  /** The move before the command; none for a new move. */
  before?: MoveDetail | undefined;
  goal: MoveGoal;
  options: FollowOption;
  /** Said on stderr when following starts. */
  opening: string;
}

/** After the control plane has taken the request: follows the move (unless --no-wait) and says how it ended. */
async function conclude(session: CliSession, client: ControlPlaneClient, started: MoveView, how: ConcludeOptions): Promise<void> {
  const { json, wait } = how.options;
  if (!wait) {
    if (json) return session.out.json(started);
    printMove(session, started);
    session.out.write(formatNextSteps(nextSteps(started)));
    return;
  }
  if (!json) session.err.line(`${how.opening} Ctrl-C stops following, not the move.`);
  const end = await followMove(session, client, { before: how.before, started, goal: how.goal, show: !json });
  const id = started.id;
  if (end.how === 'interrupted') {
    throw new CliError(`no longer following move ${id}; it goes on in the control plane`, {
      label: 'stopped',
      exitCode: ExitCode.Interrupted,
      hint: `\`saas moves show ${id}\` shows where it is`,
    });
  }
  const move = end.move;
  if (json) session.out.json(move);
  else printMove(session, move);
  if (end.how === 'rested' && move.state === how.goal) {
    if (!json) session.out.write(formatNextSteps(nextSteps(move)));
    return;
  }
  if (end.how === 'stalled') {
    const reason = typeof end.failure.details.reason === 'string' ? `: ${end.failure.details.reason}` : '';
    throw new CliError(`move ${id} stopped while ${move.state}: its step ${end.failure.step} failed${reason}`, {
      hint: `the control plane tries it again every few seconds (\`saas moves show ${id}\` shows its steps); \`saas moves resume ${id}\` tries now`,
    });
  }
  if (end.how === 'unchanged') {
    throw new CliError(`move ${id} has not changed since the control plane took the request: it is still ${move.state}`, {
      hint: `\`saas moves show ${id}\` shows its steps; the control plane's log may say why`,
    });
  }
  throw endedElsewhere(move, how.goal);
}

/** A move that rests, but not where the command was taking it. */
function endedElsewhere(m: MoveView, goal: MoveGoal): CliError {
  if (m.state === 'failed') {
    return new CliError(`move ${m.id} failed: ${m.error ?? 'the control plane gave no reason'}`, {
      hint: `the tenant is still on ${m.from}, untouched: \`saas moves resume ${m.id}\` tries again, \`saas moves rollback ${m.id}\` gives the move up`,
    });
  }
  if (goal === 'rolled_back' && m.state === 'switched') {
    return new CliError(m.error ?? `move ${m.id} is still switched`, {
      hint: `${m.tenant} is served from ${m.to} meanwhile: \`saas moves rollback ${m.id}\` tries again; \`saas moves show ${m.id}\` shows its steps`,
    });
  }
  return new CliError(`move ${m.id} is ${m.state}, not ${goal.replace('_', ' ')}${m.error === null ? '' : `: ${m.error}`}`, {
    hint: `\`saas moves show ${m.id}\` shows its steps`,
  });
}


function printMove(session: CliSession, move: MoveView): void {
  session.out.line(moveHeadline(move));
  session.out.fields(moveFieldList(move));
}

function checkMoveId(id: string): void {
  if (!MOVE_ID.test(id)) {
    throw new CliError(`"${id}" is not a move id (one looks like ${EXAMPLE_ID})`, { exitCode: ExitCode.Usage, hint: '`saas moves list` shows the moves and their ids' });
  }
}

/**
 * The control plane's hints for move errors name `<slug>`, `<name>` or `<id>`; the command
 * knows which, so the hint says the command to type.
 */
async function withMoveHints<T>(request: Promise<T>, names: { slug?: string; pool?: string; id?: string }): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (!(error instanceof CliError) || error.hint === undefined || error.code?.startsWith('MOVE_') !== true) throw error;
    let hint = error.hint;
    for (const [placeholder, value] of [['<slug>', names.slug], ['<name>', names.pool], ['<id>', names.id]] as const) {
      if (value !== undefined) hint = hint.split(placeholder).join(value);
    }
    throw new CliError(error.message, { hint, code: error.code, exitCode: error.exitCode });
  }
}

function describeFilter(options: ListOptions): string {
  return [options.tenant === undefined ? '' : ` of tenant ${options.tenant}`, options.state === undefined ? '' : ` in state ${options.state}`].join('');
}
