import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** The pid of the Postgres server running on this data folder, if one is. */
export async function runningServerPid(dataDir: string): Promise<number | undefined> {
  let content: string;
  try {
    content = await readFile(resolve(dataDir, 'postmaster.pid'), 'utf8');
  } catch (error) {
    // No pid file (never started, or removed by a shutdown finishing right now): not running.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(content.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return (await servesFolder(pid, dataDir)) ? pid : undefined;
}

/**
 * A stale pid file can name a pid the system has since given to another process; signalling
 * that would stop something else. Where /proc exists, check it is Postgres on this folder.
 */
async function servesFolder(pid: number, dataDir: string): Promise<boolean> {
  let cmdline: string;
  try {
    cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return true; // no /proc (macOS): trust the pid file, as Postgres itself does
  }
  return cmdline.includes('postgres') && cmdline.includes(resolve(dataDir));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
