import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readEnv, type Env } from '@mysaas/config';
import { CliError } from '../cli-error';

/** Which control plane to talk to, and the admin token it accepts. */
export interface ControlPlaneTarget {
  url: URL;
  token: string;
  /** Where each was found, for hints: the variable's name, or the dev stack's file. */
  urlFrom: string;
  tokenFrom: string;
}

export interface DiscoveryOptions {
  cwd: string;
  /** Defaults to the process environment (read through @mysaas/config). */
  env?: Env;
  isAlive?: (pid: number) => boolean;
}

const START_HINT = 'start it with `npm start` in the repository, or set SAAS_URL and SAAS_TOKEN';

/**
 * SAAS_URL + SAAS_TOKEN when set; otherwise the dev stack `npm start` runs: it writes
 * <dataDir>/stack.json while it runs, and keeps the admin token in <dataDir>/secrets.json.
 * SAAS_TOKEN alone replaces the dev stack's token; SAAS_URL alone is refused, so the local
 * stack's token is never sent to another server.
 */
export function findControlPlane(options: DiscoveryOptions): ControlPlaneTarget {
  const env = (name: string) => readEnv(name, options.env);
  const url = env('SAAS_URL');
  const token = env('SAAS_TOKEN');
  if (url !== undefined) {
    if (token === undefined) {
      throw new CliError('SAAS_URL is set but SAAS_TOKEN is not', {
        hint: "set SAAS_TOKEN to that control plane's admin token (its PLATFORM_ADMIN_TOKEN)",
      });
    }
    return { url: parseUrl(url, 'SAAS_URL'), token, urlFrom: 'SAAS_URL', tokenFrom: 'SAAS_TOKEN' };
  }

  const dataDir = dataDirOf(options.cwd, env('MYSAAS_DATA_DIR'));
  const stackFile = join(dataDir, 'stack.json');
  const secretsFile = join(dataDir, 'secrets.json');
  const stack = readStackFile(stackFile);
  if (!(options.isAlive ?? isAlive)(stack.pid)) {
    throw new CliError(`the dev stack is not running (its process ${stack.pid} has ended)`, { hint: START_HINT });
  }
  return {
    url: parseUrl(stack.controlPlaneUrl, stackFile),
    token: token ?? readAdminToken(secretsFile),
    urlFrom: stackFile,
    tokenFrom: token === undefined ? secretsFile : 'SAAS_TOKEN',
  };
}

/** $MYSAAS_DATA_DIR, or .mysaas at the repository root (as `npm start` decides it). */
function dataDirOf(cwd: string, fromEnv: string | undefined): string {
  if (fromEnv !== undefined) return resolve(cwd, fromEnv);
  const root = repoRoot(cwd);
  if (root === undefined) {
    throw new CliError('no control plane given: SAAS_URL is not set and this is not inside the MySaaS repository', {
      hint: 'set SAAS_URL and SAAS_TOKEN, or run saas inside the repository while `npm start` runs',
    });
  }
  return join(root, '.mysaas');
}

/** The nearest folder at or above `from` whose package.json declares workspaces. */
export function repoRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (declaresWorkspaces(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function declaresWorkspaces(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const manifest: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof manifest === 'object' && manifest !== null && 'workspaces' in manifest;
  } catch {
    return false;
  }
}

function readStackFile(file: string): { controlPlaneUrl: string; pid: number } {
  if (!existsSync(file)) {
    throw new CliError(`the dev stack is not running (no ${file})`, { hint: START_HINT });
  }
  const stack = readJson(file);
  const { controlPlaneUrl, pid } = stack;
  if (typeof controlPlaneUrl !== 'string' || typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
    throw new CliError(`${file} does not name the control plane ({"controlPlaneUrl": "...", "pid": ...} expected)`, {
      hint: `restart the dev stack (\`npm start\`), or set SAAS_URL and SAAS_TOKEN`,
    });
  }
  return { controlPlaneUrl, pid };
}

function readAdminToken(file: string): string {
  const token = existsSync(file) ? readJson(file).adminToken : undefined;
  if (typeof token !== 'string' || token === '') {
    throw new CliError(`no admin token in ${file}`, { hint: 'set SAAS_TOKEN to the control plane admin token' });
  }
  return token;
}

function readJson(file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below, without echoing the file: secrets.json holds more than the admin token
  }
  throw new CliError(`${file} is not a JSON object`, { hint: 'restart the dev stack (`npm start`), or set SAAS_URL and SAAS_TOKEN' });
}

function parseUrl(value: string, from: string): URL {
  if (URL.canParse(value)) {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  }
  throw new CliError(`${from} does not hold an http(s) URL`, { hint: "give the control plane's address, e.g. http://127.0.0.1:4001" });
}

/** Signal 0 checks that a process exists without touching it; EPERM: it exists, as another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
