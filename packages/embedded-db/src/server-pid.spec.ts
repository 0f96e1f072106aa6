import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningServerPid } from './server-pid';

const hasProc = existsSync('/proc/self/cmdline');
if (!hasProc) console.log('SKIPPED pid-reuse test: no /proc here, so pid files are trusted as Postgres does');

describe('runningServerPid', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mysaas-pid-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says nothing runs when there is no pid file', async () => {
    await expect(runningServerPid(dir)).resolves.toBeUndefined();
  });

  it('says nothing runs when the pid is dead', async () => {
    await writeFile(join(dir, 'postmaster.pid'), '999999999\n');
    await expect(runningServerPid(dir)).resolves.toBeUndefined();
  });

  (hasProc ? it : it.skip)('does not take a live process that is not Postgres on this folder for the server', async () => {
    // A stale pid file whose pid now belongs to someone else (here: this very test process).
    await writeFile(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n`);
    await expect(runningServerPid(dir)).resolves.toBeUndefined();
  });
});
