import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runningServerPid } from '@mysaas/embedded-db';

/** The monorepo root: the nearest folder above `from` whose package.json declares workspaces. */
export function repoRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!declaresWorkspaces(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function declaresWorkspaces(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return 'workspaces' in (JSON.parse(readFileSync(file, 'utf8')) as object);
  } catch {
    return false;
  }
}

export const defaultDataDir = (): string => join(repoRoot(), '.mysaas');

/** Secrets of one local installation; kept with its data so sessions survive restarts. */
export interface StackSecrets {
  adminToken: string;
  tenantContextSecret: string;
  sessionSecret: string;
  postgresPassword: string;
  gatewayDbPassword: string;
  /** Pool v1's app login (named before there was a v2). */
  appDbPassword: string;
  appV2DbPassword: string;
  workerDbPassword: string;
  jobsDbPassword: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

const newSecrets = (): StackSecrets => ({
  adminToken: hex(24),
  tenantContextSecret: hex(32),
  sessionSecret: hex(32),
  postgresPassword: hex(16),
  gatewayDbPassword: hex(16),
  appDbPassword: hex(16),
  appV2DbPassword: hex(16),
  workerDbPassword: hex(16),
  jobsDbPassword: hex(16),
});

/** The data folder's secrets; made on first start, and completed when a newer version needs more. */
export async function loadOrCreateSecrets(dataDir: string): Promise<StackSecrets> {
  const file = join(dataDir, 'secrets.json');
  const kept = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Partial<StackSecrets>) : undefined;
  if (kept !== undefined && Object.keys(newSecrets()).every((key) => key in kept)) return kept as StackSecrets;
  const secrets: StackSecrets = { ...newSecrets(), ...kept };
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** Deletes a data folder, refusing while one of its Postgres servers still runs. */
export async function wipeDataDir(dataDir: string): Promise<boolean> {
  if (!existsSync(dataDir)) return false;
  for (const serverDir of await serverDirs(dataDir)) {
    const pid = await runningServerPid(serverDir);
    if (pid !== undefined) {
      throw new Error(`a Postgres server (pid ${pid}) is still running on ${serverDir}; stop \`npm start\` first`);
    }
  }
  await rm(dataDir, { recursive: true, force: true });
  return true;
}

async function serverDirs(dataDir: string): Promise<string[]> {
  const postgresDir = join(dataDir, 'postgres');
  if (!existsSync(postgresDir)) return [];
  return (await readdir(postgresDir)).map((name) => join(postgresDir, name));
}

/** What tools (the `saas` CLI) read to find a running stack: written once it is up, removed as it stops. */
export const STACK_FILE = 'stack.json';

export async function writeStackFile(dataDir: string, stack: { controlPlaneUrl: string }): Promise<void> {
  await writeFile(join(dataDir, STACK_FILE), `${JSON.stringify({ controlPlaneUrl: stack.controlPlaneUrl, pid: process.pid }, null, 2)}\n`, { mode: 0o644 });
}

export async function removeStackFile(dataDir: string): Promise<void> {
  await rm(join(dataDir, STACK_FILE), { force: true });
}
