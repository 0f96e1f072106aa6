/** How `saas` ends: scripts tell a failed operation from a mistyped command. */
export enum ExitCode {
  Ok = 0,
  Failed = 1,
  Usage = 2,
  /** Ctrl-C stopped a command that follows an operation; the operation goes on (128 + SIGINT, as shells say). */
  Interrupted = 130,
}

/** An error meant for the person at the terminal: a message, and what to do next where we know. */
export class CliError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  /** The control plane's error code (`MOVE_SAME_POOL`), when it refused. */
  readonly code: string | undefined;
  /** How the message is introduced: `error` unless nothing went wrong (`stopped`). */
  readonly label: string;

  constructor(message: string, options: { hint?: string; exitCode?: ExitCode; code?: string; label?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.Failed;
    this.code = options.code;
    this.label = options.label ?? 'error';
  }
}
