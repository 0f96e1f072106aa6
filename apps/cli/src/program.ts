import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-error';
import { CliSession, type CliContext } from './cli-session';
import { addJobsCommands } from './commands/jobs.command';
import { addMigrateCommand } from './commands/migrate.command';
import { addMovesCommands } from './commands/moves.command';
import { addPoolsCommands } from './commands/pools.command';
import { addRolloutCommands } from './commands/rollouts.command';
import { addTenantsCommands } from './commands/tenants.command';
import { examples } from './commands/help-text';

const ENVIRONMENT = `
Where the control plane is:
  SAAS_URL, SAAS_TOKEN   its address and admin token (never on the command line: it would
                         land in your shell history)
  otherwise              the dev stack \`npm start\` runs, found from the current folder
                         (its data folder: $MYSAAS_DATA_DIR or <repository>/.mysaas)

Exit codes: 0 done, 1 the operation failed (or a rollout halted), 2 the command was mistyped,
130 Ctrl-C stopped following a tenant move or a rollout (it goes on in the control plane).
`;

/** The whole command tree, bound to one session. Command groups each add themselves here. */
export function createProgram(session: CliSession): Command {
  const program = new Command('saas')
    .description("MySaaS platform engineers' command line: the control plane's admin API")
    // Before any subcommand is added, so that each inherits it: errors are thrown, not exit()ed.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => session.out.write(text),
      writeErr: (text) => session.err.write(text),
      getOutHasColors: () => session.out.color,
      getErrHasColors: () => session.err.color,
    })
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText('after', `${examples('saas pools list', 'saas tenants list --pool v1', 'saas tenants show acme --json', 'saas migrate --pool v1', 'saas tenants move acme --to v2', 'saas moves list', 'saas rollout v2 --canary acme', 'saas jobs stats')}${ENVIRONMENT}`);

  addPoolsCommands(program, session);
  addTenantsCommands(program, session);
  addMigrateCommand(program, session);
  addMovesCommands(program, session);
  addRolloutCommands(program, session);
  addJobsCommands(program, session);
  return program;
}

/** Runs one command line (without `node` and the script) and says how it ended. */
export async function run(args: readonly string[], context: CliContext): Promise<ExitCode> {
  const session = new CliSession(context);
  try {
    await createProgram(session).parseAsync(args, { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    // Commander has already printed its message, or the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    if (error instanceof CliError) {
      session.err.line(`${error.label}: ${error.message}`);
      if (error.hint !== undefined) session.err.line(`hint: ${error.hint}`);
      return error.exitCode;
    }
    session.err.line(`error: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.Failed;
  }
}
