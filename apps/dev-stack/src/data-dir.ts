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
  appDbPassword: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export async function loadOrCreateSecrets(dataDir: string): Promise<StackSecrets> {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as StackSecrets;
  const secrets: StackSecrets = {
    adminToken: hex(24),
    tenantContextSecret: hex(32),
    sessionSecret: hex(32),
    postgresPassword: hex(16),
    gatewayDbPassword: hex(16),
    appDbPassword: hex(16),
  };
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
