import { ConfigError, loadAppServerConfig, loadGatewayConfig, loadWorkerConfig } from './index';

const secrets = { TENANT_CONTEXT_SECRET: 'c'.repeat(32), SESSION_SECRET: 's'.repeat(32) };

describe('gateway config', () => {
  it('applies defaults and nests the result', () => {
    const config = loadGatewayConfig({ ROUTING_DATABASE_URL: 'postgres://gw@db/control', ...secrets });
    expect(config.http.port).toBe(3000);
    expect(config.baseDomain).toBe('localhost');
    expect(config.routing.databaseUrl).toBe('postgres://gw@db/control');
    expect(config.limits.maxBodyBytes).toBe(1024 * 1024);
    expect(config.routing.moveHoldMs).toBe(5_000);
  });

  it('reads the trusted proxies as a list, and refuses what is not an address or range', () => {
    const base = { ROUTING_DATABASE_URL: 'postgres://x', ...secrets };
    expect(loadGatewayConfig(base).http.trustProxy).toEqual([]);
    expect(loadGatewayConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,loopback' }).http.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5', 'loopback']);
    expect(() => loadGatewayConfig({ ...base, TRUST_PROXY: 'everyone' })).toThrow('TRUST_PROXY: must list proxy addresses');
    expect(() => loadGatewayConfig({ ...base, REDIS_URL: 'http://x' })).toThrow('REDIS_URL: must be a redis://');
  });

  it('lets PORT override the port and lower-cases the base domain', () => {
    const config = loadGatewayConfig({ ROUTING_DATABASE_URL: 'postgres://x', PORT: '8080', BASE_DOMAIN: 'MySaaS.com', ...secrets });
    expect(config.http.port).toBe(8080);
    expect(config.baseDomain).toBe('mysaas.com');
  });
});

describe('app-server config', () => {
  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadAppServerConfig({ POOL_NAME: 'V1!', POOL_DATABASE_URL: 'mysql://x', TENANT_CONTEXT_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('POOL_NAME');
    expect(problems).toContain('RELEASE: is required but not set');
    expect(problems).toContain('POOL_DATABASE_URL: must be a postgres://');
    expect(problems).toContain('TENANT_CONTEXT_SECRET: must be at least 32 characters');
    expect(problems).toContain('SESSION_SECRET');
  });

  it('treats empty variables as unset', () => {
    const config = loadAppServerConfig({
      POOL_NAME: 'v1', RELEASE: '1', POOL_DATABASE_URL: 'postgres://app@db/pool', DB_POOL_MAX: '', ...secrets,
    });
    expect(config.database.maxConnections).toBe(10);
  });

  it("bounds one tenant's share of the database connections to a quarter of the pool unless told otherwise", () => {
    const base = { POOL_NAME: 'v1', RELEASE: '1', POOL_DATABASE_URL: 'postgres://app@db/pool', ...secrets };
    expect(loadAppServerConfig({ ...base, DB_POOL_MAX: '10' }).database.maxConnectionsPerTenant).toBe(3);
    expect(loadAppServerConfig({ ...base, DB_POOL_MAX: '3' }).database.maxConnectionsPerTenant).toBe(1);
    expect(loadAppServerConfig({ ...base, DB_POOL_MAX: '10', DB_TENANT_MAX_CONNECTIONS: '8' }).database.maxConnectionsPerTenant).toBe(8);
    expect(loadAppServerConfig({ ...base, DB_POOL_MAX: '4', DB_TENANT_MAX_CONNECTIONS: '8' }).database.maxConnectionsPerTenant).toBe(4);
    expect(loadAppServerConfig(base).database.statementTimeoutMs).toBe(10_000);
  });
});

describe('worker config', () => {
  const base = { JOBS_DATABASE_URL: 'postgres://jobs@db/jobs', ROUTING_DATABASE_URL: 'postgres://w@db/control', POOL_DATABASE_URLS: '{"v1":"postgres://app@db/pool"}' };

  it('sizes the dispatch window in time by default (400 ms of jobs queued), and always at JOBS_WINDOW with JOBS_QUEUE_MS=0', () => {
    expect(loadWorkerConfig(base).jobs).toMatchObject({ window: 128, queueMs: 400 });
    expect(loadWorkerConfig({ ...base, JOBS_QUEUE_MS: '250', JOBS_WINDOW: '512' }).jobs).toMatchObject({ window: 512, queueMs: 250 });
    expect(loadWorkerConfig({ ...base, JOBS_QUEUE_MS: '0' }).jobs.queueMs).toBeUndefined();
    expect(() => loadWorkerConfig({ ...base, JOBS_QUEUE_MS: '-5' })).toThrow(/JOBS_QUEUE_MS/);
  });

  it('keeps a window of up to 1,024 jobs on Redis by default, 128 on BullMQ\'s PostgreSQL backend, or JOBS_WINDOW', () => {
    expect(loadWorkerConfig({ ...base, JOBS_QUEUE_URL: 'redis://redis:6379' }).jobs.window).toBe(1024);
    expect(loadWorkerConfig({ ...base, JOBS_QUEUE_URL: 'rediss://redis:6380' }).jobs.window).toBe(1024);
    expect(loadWorkerConfig({ ...base, JOBS_QUEUE_URL: 'postgres://jobs@db/jobs' }).jobs.window).toBe(128);
    expect(loadWorkerConfig({ ...base, JOBS_QUEUE_URL: 'redis://redis:6379', JOBS_WINDOW: '256' }).jobs.window).toBe(256);
    expect(() => loadWorkerConfig({ ...base, JOBS_WINDOW: '0' })).toThrow(/JOBS_WINDOW/);
  });

  it('runs jobs and may dispatch by default; JOBS_DISPATCH=off only runs jobs, =only only dispatches', () => {
    const jobs = (JOBS_DISPATCH?: string) => loadWorkerConfig(JOBS_DISPATCH === undefined ? base : { ...base, JOBS_DISPATCH }).jobs;
    expect(jobs()).toMatchObject({ dispatch: true, runJobs: true });
    expect(jobs('off')).toMatchObject({ dispatch: false, runJobs: true });
    expect(jobs('only')).toMatchObject({ dispatch: true, runJobs: false });
    expect(() => jobs('sometimes')).toThrow(/JOBS_DISPATCH/);
  });

  it('lowers a dispatch-only process to niceness 10 by default; JOBS_DISPATCH_NICE=0 leaves it, past 19 is refused', () => {
    const nice = (JOBS_DISPATCH_NICE?: string) => loadWorkerConfig(JOBS_DISPATCH_NICE === undefined ? base : { ...base, JOBS_DISPATCH_NICE }).jobs.dispatchNice;
    expect(nice()).toBe(10);
    expect(nice('0')).toBe(0);
    expect(nice('19')).toBe(19);
    expect(() => nice('20')).toThrow(/JOBS_DISPATCH_NICE.*0 to 19/);
    expect(() => nice('-5')).toThrow(/JOBS_DISPATCH_NICE/);
  });
});
