import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** What `npm start -- --json` prints once the platform is up. */
export interface Ready {
  ready: true;
  gateway: { port: number };
  tenants: Array<{ slug: string; pool: string; url: string; email: string; password: string }>;
  controlPlane: { url: string; adminToken: string };
  appServers: Record<string, string>;
  jobs: { queue: string; dashboard: string };
}

export interface RunningCli {
  ready: Ready;
  stderr: () => string;
  /**
   * Ctrl-C as a terminal sends it: SIGINT to the whole process group, the embedded Postgres
   * servers included. Resolves with the command's exit code.
   */
  interrupt(): Promise<number | null>;
}

const CLI = join(__dirname, '../../dist/cli.js');

/** What a fresh machine has: no database server and no Redis (the job queue runs on the embedded Postgres). */
const EMBEDDED_ENV = { ...process.env, DATABASE_URL: '', CONTROL_DATABASE_URL: '', POOL_ADMIN_DATABASE_URL: '', REDIS_URL: '' };

/** Starts the built `npm start` command and waits for its ready line. */
export function runCli(args: string[]): Promise<RunningCli> {
  // Its own process group, like a command started from a shell.
  const child: ChildProcess = spawn(process.execPath, [CLI, '--port', '0', '--json', ...args], {
    env: EMBEDDED_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      resolve({
        ready: JSON.parse(line) as Ready,
        stderr: () => stderr,
        interrupt: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            process.kill(-child.pid!, 'SIGINT');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before it was ready:\n${stderr}`)));
  });
}

/** Runs the command to completion (help, reset, bad flags). */
export function runToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: EMBEDDED_ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
