import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root: this file runs from apps/dev-stack/dist. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/** What an app says in its `listening` log line, the line that means it is ready. */
export interface Listening {
  url: string;
  metricsUrl: string;
  [field: string]: unknown;
}

export interface AppProcess {
  name: string;
  pid: number;
  listening: Listening;
  /** SIGTERM, then SIGKILL after 10 s; safe to call again or after the app exited. */
  stop(): Promise<void>;
}

/** Every app started and not yet seen to exit: killed if this process exits first. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Runs one of the platform's apps as its own Node process (`node apps/<app>/dist/main.js`), as
 * a deployment does, with exactly `env` (plus PATH): its configuration comes from its own
 * loader, never from this process's memory. Resolves once the app logs `listening` (a JSON
 * line on stdout with its URLs); every line, that one too, goes to `onLog`. Rejects, with the
 * app's last lines, if it exits or is not ready within 30 s.
 */
export function startAppProcess(options: {
  name: string;
  app: 'control-plane' | 'app-server' | 'gateway' | 'worker';
  env: Record<string, string | undefined>;
  /** Every line the app writes (JSON log lines on stdout, anything on stderr). */
  onLog: (name: string, line: string) => void;
}): Promise<AppProcess> {
  const script = join(REPO_ROOT, 'apps', options.app, 'dist', 'main.js');
  if (!existsSync(script)) {
    return Promise.reject(new Error(`${script} is missing: run \`npm run build\` (npm start builds first)`));
  }
  const env = Object.fromEntries(Object.entries({ PATH: process.env.PATH, ...options.env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const child = spawn(process.execPath, [script], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const recent: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => (running.delete(child), done())));

  return new Promise((resolveReady, reject) => {
    let ready = false;
    const fail = (reason: string) => {
      if (ready) return;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${options.name} ${reason}${recent.length ? `; its last lines:\n  ${recent.join('\n  ')}` : ''}`));
    };
    const timer = setTimeout(() => fail(`was not ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const lines = (stream: NodeJS.ReadableStream, isStdout: boolean) =>
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        recent.push(line);
        if (recent.length > 10) recent.shift();
        options.onLog(options.name, line);
        const listening = isStdout && !ready ? listeningIn(line) : undefined;
        if (listening === undefined) return;
        ready = true;
        clearTimeout(timer);
        resolveReady({ name: options.name, pid: child.pid!, listening, stop: () => stop(child, exited) });
      });
    lines(child.stdout!, true);
    lines(child.stderr!, false);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
  });
}

function listeningIn(line: string): Listening | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const fields = JSON.parse(line) as Partial<Listening> & { msg?: unknown };
    return fields.msg === 'listening' && typeof fields.url === 'string' && typeof fields.metricsUrl === 'string' ? (fields as Listening) : undefined;
  } catch {
    return undefined;
  }
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(killer);
}
