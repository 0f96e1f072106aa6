import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface PostgresPaths {
  /** The folder holding initdb and postgres; undefined when it could not be found. */
  binDir: string | undefined;
  dataDir: string;
}

/**
 * As root, embedded Postgres runs initdb and postgres as the `postgres` system user, which
 * must be able to enter every folder on the way to its binaries and to the data directory.
 * A checkout under a private folder (a home of mode 700, `mktemp -d`) otherwise fails with a
 * bare `spawn .../initdb EACCES`. Returns what is wrong and what to do, or undefined.
 */
export async function postgresUserAccessProblem({ binDir, dataDir }: PostgresPaths): Promise<string | undefined> {
  if (binDir !== undefined) {
    const closed = await foldersClosedToOthers(binDir);
    if (closed.length > 0) {
      return (
        `Running as root, embedded Postgres runs its programs as the "postgres" user, which cannot enter ` +
        `${listFolders(closed)} on the way to them in ${binDir}. Move the checkout to a folder others can ` +
        `enter (such as /srv or /opt), or run \`${chmodCommand(closed)}\`, or run as a normal user, or set ` +
        `DATABASE_URL to use an existing Postgres server.`
      );
    }
  }
  // The data directory itself is handed to the postgres user; the folders above it must be open.
  const closed = await foldersClosedToOthers(dirname(dataDir));
  if (closed.length > 0) {
    return (
      `Running as root, embedded Postgres runs as the "postgres" user, which cannot enter ` +
      `${listFolders(closed)} on the way to its data directory ${dataDir}. Choose a data directory ` +
      `outside it, or run \`${chmodCommand(closed)}\`, or run as a normal user.`
    );
  }
  return undefined;
}

interface ClosedFolder {
  path: string;
  mode: number;
}

/** Existing folders from / down to `dir` (included) that others may not enter (no o+x), outermost first. */
async function foldersClosedToOthers(dir: string): Promise<ClosedFolder[]> {
  const closed: ClosedFolder[] = [];
  for (let path = dir; ; path = dirname(path)) {
    if (existsSync(path)) {
      const { mode } = await stat(path);
      if ((mode & 0o001) === 0) closed.unshift({ path, mode: mode & 0o777 });
    }
    if (dirname(path) === path) return closed;
  }
}

const listFolders = (folders: ClosedFolder[]): string =>
  folders.map(({ path, mode }) => `${path} (mode ${mode.toString(8)})`).join(', ');

const chmodCommand = (folders: ClosedFolder[]): string => `chmod o+x ${folders.map(({ path }) => shellWord(path)).join(' ')}`;

const shellWord = (text: string): string => (/^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);
