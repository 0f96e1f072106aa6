import { readEnv, type Env } from '@mysaas/config';
import { ControlPlaneClient } from './control-plane/control-plane-client';
import { findControlPlane } from './control-plane/discovery';
import { canAskSecretOn, readSecret, type Input } from './input/secret-prompt';
import { Printer, type Output } from './output/printer';

/** What one run of `saas` works with; main.ts passes the process's, tests their own. */
export interface CliContext {
  stdout: Output;
  stderr: Output;
  /** Where a password is asked for, when it is a terminal; none: nothing is asked. */
  stdin?: Input;
  cwd: string;
  /** Defaults to the process environment (read through @mysaas/config). */
  env?: Env;
  /** Where Ctrl-C (SIGINT) comes from; defaults to the process. */
  signals?: Signals;
}

/** The part of the process that reports Ctrl-C. */
export interface Signals {
  once(event: 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGINT', listener: () => void): unknown;
}

/** One run: its outputs, and the control plane client, found only when a command needs it. */
export class CliSession {
  readonly out: Printer;
  readonly err: Printer;
  private readonly secrets = new Set<string>();
  private client: ControlPlaneClient | undefined;

  constructor(private readonly context: CliContext) {
    const noColor = this.env('NO_COLOR') !== undefined;
    this.out = new Printer(context.stdout, this.secrets, context.stdout.isTTY === true && !noColor);
    this.err = new Printer(context.stderr, this.secrets, context.stderr.isTTY === true && !noColor);
    this.keepSecret(this.env('SAAS_TOKEN'));
  }

  controlPlane(): ControlPlaneClient {
    if (this.client === undefined) {
      const target = findControlPlane({ cwd: this.context.cwd, env: this.context.env });
      this.keepSecret(target.token);
      this.client = new ControlPlaneClient(target);
    }
    return this.client;
  }

  env(name: string): string | undefined {
    return readEnv(name, this.context.env);
  }

  /**
   * Calls `listener` on the first Ctrl-C, instead of ending the process, until the returned
   * function is called. A second Ctrl-C ends the process as usual.
   */
  onInterrupt(listener: () => void): () => void {
    const signals = this.context.signals ?? process;
    signals.once('SIGINT', listener);
    return () => {
      signals.off('SIGINT', listener);
    };
  }

  /** Whether there is a terminal to ask for a secret on. */
  get canAskSecret(): boolean {
    return canAskSecretOn(this.context.stdin);
  }

  /** Asks on the terminal, the question on stderr (stdout stays for the answer), the reply unechoed. */
  async askSecret(question: string): Promise<string> {
    const { stdin } = this.context;
    if (stdin === undefined || !canAskSecretOn(stdin)) throw new Error('askSecret needs a terminal: check canAskSecret first');
    const secret = await readSecret(stdin, this.err, question);
    this.keepSecret(secret);
    return secret;
  }

  /**
   * Blanks a secret out of everything printed from now on (shown as `***`). A real admin token
   * is at least 24 characters (the control plane refuses shorter ones); blanking out a short
   * mistyped secret would garble every line that happens to contain it.
   */
  keepSecret(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }
}

const MIN_SECRET_LENGTH = 8;
