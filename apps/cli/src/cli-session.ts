import { readEnv, type Env } from '@mysaas/config';
import { ControlPlaneClient } from './control-plane/control-plane-client';
import { findControlPlane } from './control-plane/discovery';
import { Printer, type Output } from './output/printer';

/** What one run of `saas` works with; main.ts passes the process's, tests their own. */
export interface CliContext {
  stdout: Output;
  stderr: Output;
  cwd: string;
  /** Defaults to the process environment (read through @mysaas/config). */
  env?: Env;
}

/** One run: its outputs, and the control plane client, found only when a command needs it. */
export class CliSession {
  readonly out: Printer;
  readonly err: Printer;
  private readonly secrets = new Set<string>();
  private client: ControlPlaneClient | undefined;

  constructor(private readonly context: CliContext) {
    const noColor = readEnv('NO_COLOR', context.env) !== undefined;
    this.out = new Printer(context.stdout, this.secrets, context.stdout.isTTY === true && !noColor);
    this.err = new Printer(context.stderr, this.secrets, context.stderr.isTTY === true && !noColor);
    this.keepSecret(readEnv('SAAS_TOKEN', context.env));
  }

  controlPlane(): ControlPlaneClient {
    if (this.client === undefined) {
      const target = findControlPlane({ cwd: this.context.cwd, env: this.context.env });
      this.keepSecret(target.token);
      this.client = new ControlPlaneClient(target);
    }
    return this.client;
  }

  /**
   * A real admin token is at least 24 characters (the control plane refuses shorter ones);
   * blanking out a short mistyped one would garble every line that happens to contain it.
   */
  private keepSecret(token: string | undefined): void {
    if (token !== undefined && token.length >= MIN_SECRET_LENGTH) this.secrets.add(token);
  }
}

const MIN_SECRET_LENGTH = 8;
