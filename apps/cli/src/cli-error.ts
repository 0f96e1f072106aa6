/** How `saas` ends: scripts tell a failed operation from a mistyped command. */
export enum ExitCode {
  Ok = 0,
  Failed = 1,
  Usage = 2,
}

/** An error meant for the person at the terminal: a message, and what to do next where we know. */
export class CliError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(message: string, options: { hint?: string; exitCode?: ExitCode } = {}) {
    super(message);
    this.name = 'CliError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.Failed;
  }
}
