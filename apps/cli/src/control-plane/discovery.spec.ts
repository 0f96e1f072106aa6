import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli-error';
import { findControlPlane, repoRoot } from './discovery';

const ADMIN_TOKEN = 'dev-stack-admin-token-0123456789';

describe('finding the control plane', () => {
  let tmp: string;
  let dataDir: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'saas-discovery-'));
    dataDir = join(tmp, 'data');
    mkdirSync(dataDir);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const writeStack = (dir: string, stack: unknown, secrets: unknown = { adminToken: ADMIN_TOKEN, sessionSecret: 'other-secret' }) => {
    writeFileSync(join(dir, 'stack.json'), typeof stack === 'string' ? stack : JSON.stringify(stack));
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify(secrets));
  };
  const failure = (run: () => unknown): CliError => {
    try {
      run();
    } catch (error) {
      if (error instanceof CliError) return error;
      throw error;
    }
    throw new Error('expected a CliError');
  };
  /** A pid that surely belongs to no process: a child that has already exited. */
  const endedPid = () => spawnSync(process.execPath, ['-e', '']).pid;

  it("uses the running dev stack's URL from <dataDir>/stack.json and its admin token from secrets.json", () => {
    writeStack(dataDir, { controlPlaneUrl: 'http://127.0.0.1:4001', pid: process.pid });

    const target = findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir } });

    expect(target).toEqual({
      url: new URL('http://127.0.0.1:4001'),
      token: ADMIN_TOKEN,
      urlFrom: join(dataDir, 'stack.json'),
      tokenFrom: join(dataDir, 'secrets.json'),
    });
  });

  it('finds the data folder at <repo root>/.mysaas from anywhere inside the repository', () => {
    const repo = join(tmp, 'repo');
    const app = join(repo, 'apps', 'some-app');
    mkdirSync(join(repo, '.mysaas'), { recursive: true });
    mkdirSync(app, { recursive: true });
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'root', workspaces: ['apps/*'] }));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'some-app' })); // not the root: no workspaces
    writeStack(join(repo, '.mysaas'), { controlPlaneUrl: 'http://127.0.0.1:4555', pid: process.pid });

    expect(repoRoot(app)).toBe(repo);
    expect(findControlPlane({ cwd: app, env: {} }).url.href).toBe('http://127.0.0.1:4555/');
  });

  it('says the dev stack is not running, and how to start it, when the pid in stack.json has ended', () => {
    const pid = endedPid();
    writeStack(dataDir, { controlPlaneUrl: 'http://127.0.0.1:4001', pid });

    const error = failure(() => findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir } }));

    expect(error.message).toBe(`the dev stack is not running (its process ${pid} has ended)`);
    expect(error.hint).toContain('npm start');
    expect(error.hint).toContain('SAAS_URL and SAAS_TOKEN');
    expect(error.exitCode).toBe(1);
  });

  it('says the dev stack is not running when there is no stack.json', () => {
    const error = failure(() => findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir } }));
    expect(error.message).toBe(`the dev stack is not running (no ${join(dataDir, 'stack.json')})`);
    expect(error.hint).toContain('npm start');
  });

  it('prefers SAAS_URL and SAAS_TOKEN to a running dev stack', () => {
    writeStack(dataDir, { controlPlaneUrl: 'http://127.0.0.1:4001', pid: process.pid });

    const target = findControlPlane({
      cwd: tmp,
      env: { MYSAAS_DATA_DIR: dataDir, SAAS_URL: 'https://control.example.com', SAAS_TOKEN: 'production-token-0123456789abcdef' },
    });

    expect(target).toEqual({
      url: new URL('https://control.example.com'),
      token: 'production-token-0123456789abcdef',
      urlFrom: 'SAAS_URL',
      tokenFrom: 'SAAS_TOKEN',
    });
  });

  it("takes SAAS_TOKEN alone in place of the dev stack's token", () => {
    writeStack(dataDir, { controlPlaneUrl: 'http://127.0.0.1:4001', pid: process.pid });
    const target = findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir, SAAS_TOKEN: 'another-token-0123456789' } });
    expect(target).toMatchObject({ url: new URL('http://127.0.0.1:4001'), token: 'another-token-0123456789', tokenFrom: 'SAAS_TOKEN' });
  });

  it("refuses SAAS_URL without SAAS_TOKEN rather than send the dev stack's token elsewhere", () => {
    writeStack(dataDir, { controlPlaneUrl: 'http://127.0.0.1:4001', pid: process.pid });
    const error = failure(() => findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir, SAAS_URL: 'https://control.example.com' } }));
    expect(error.message).toBe('SAAS_URL is set but SAAS_TOKEN is not');
  });

  it('treats an empty variable as unset, as the shell does with `SAAS_URL= saas …`', () => {
    writeStack(dataDir, { controlPlaneUrl: 'http://127.0.0.1:4001', pid: process.pid });
    const target = findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir, SAAS_URL: '', SAAS_TOKEN: '' } });
    expect(target.token).toBe(ADMIN_TOKEN);
  });

  it('refuses a SAAS_URL that is not an http(s) URL, without echoing it (it may be a pasted token)', () => {
    const error = failure(() => findControlPlane({ cwd: tmp, env: { SAAS_URL: 'not-a-url-0123456789', SAAS_TOKEN: 'token-0123456789' } }));
    expect(error.message).toBe('SAAS_URL does not hold an http(s) URL');
  });

  it('asks for SAAS_URL outside the repository when no data folder is given', () => {
    const error = failure(() => findControlPlane({ cwd: tmp, env: {} }));
    expect(error.message).toContain('SAAS_URL is not set and this is not inside the MySaaS repository');
  });

  it('reports an unreadable stack.json or secrets.json without printing what is in them', () => {
    writeStack(dataDir, '{"controlPlaneUrl": ');
    expect(failure(() => findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir } })).message).toBe(
      `${join(dataDir, 'stack.json')} is not a JSON object`,
    );

    writeStack(dataDir, { controlPlaneUrl: 'http://127.0.0.1:4001', pid: process.pid }, { sessionSecret: 'other-secret' });
    const error = failure(() => findControlPlane({ cwd: tmp, env: { MYSAAS_DATA_DIR: dataDir } }));
    expect(error.message).toBe(`no admin token in ${join(dataDir, 'secrets.json')}`);
    expect(`${error.message} ${error.hint}`).not.toContain('other-secret');
  });
});
