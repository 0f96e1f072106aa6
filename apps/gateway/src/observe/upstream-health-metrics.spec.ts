import { Registry } from 'prom-client';
import { createLogger } from '@mysaas/observability';
import { LogCapture, metricValue } from '@mysaas/testing';
import { upstreamHealthMetrics } from './upstream-health-metrics';

describe('upstreamHealthMetrics', () => {
  const upstream = 'http://10.0.0.5:3201';
  let registry: Registry;
  let logs: LogCapture;
  let observer: ReturnType<typeof upstreamHealthMetrics>;

  beforeEach(() => {
    registry = new Registry();
    logs = new LogCapture();
    observer = upstreamHealthMetrics(registry, createLogger({ app: 'gateway', level: 'info', destination: logs }));
  });

  const value = async (name: string, labels: Record<string, string>) => metricValue(await registry.metrics(), name, { pool: 'v1', upstream, ...labels });

  it('reports the state a member is in, and counts its ejections from zero', async () => {
    observer.state('v1', upstream, 'healthy');
    expect(await value('mysaas_gateway_upstream_state', { state: 'healthy' })).toBe(1);
    expect(await value('mysaas_gateway_upstream_state', { state: 'ejected' })).toBe(0);
    expect(await value('mysaas_gateway_upstream_ejections_total', {})).toBe(0);

    observer.state('v1', upstream, 'ejected');
    observer.ejected('v1', upstream, { failures: 3, reason: 'ECONNREFUSED', cooldownMs: 10_000, afterTrial: false });
    expect(await value('mysaas_gateway_upstream_state', { state: 'healthy' })).toBe(0);
    expect(await value('mysaas_gateway_upstream_state', { state: 'ejected' })).toBe(1);
    expect(await value('mysaas_gateway_upstream_ejections_total', {})).toBe(1);
  });

  it('writes one warn line per ejection and one info line per return, with the pool and upstream', () => {
    observer.ejected('v1', upstream, { failures: 3, reason: 'status 502', cooldownMs: 10_000, afterTrial: false });
    observer.restored('v1', upstream, 10_040.4);
    expect(logs.lines.map(({ level, msg, pool, upstream: origin, reason, outMs }) => ({ level, msg, pool, upstream: origin, reason, outMs }))).toEqual([
      { level: 'warn', msg: 'upstream ejected: out of the rotation until its cool-down ends', pool: 'v1', upstream, reason: 'status 502', outMs: undefined },
      { level: 'info', msg: 'upstream back in the rotation', pool: 'v1', upstream, reason: undefined, outMs: 10_040 },
    ]);
  });

  it('drops the series of a forgotten member', async () => {
    observer.state('v1', upstream, 'healthy');
    observer.forgotten('v1', upstream);
    expect(await registry.metrics()).not.toContain(upstream);
  });
});
