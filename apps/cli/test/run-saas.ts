import type { Env } from '@mysaas/config';
import type { Signals } from '../src/cli-session';
import type { Input } from '../src/input/secret-prompt';
import { run } from '../src/program';

export interface SaasRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `saas <args>` in this process, with its own environment and captured outputs. */
export async function runSaas(args: string[], options: { env: Env; cwd?: string; tty?: boolean; stdin?: Input; signals?: Signals }): Promise<SaasRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.signals === undefined ? {} : { signals: options.signals }),
    cwd: options.cwd ?? '/',
    env: options.env,
  });
  return { code, stdout, stderr };
}
