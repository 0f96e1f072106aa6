import { loadGatewayConfig } from '@mysaas/config';
import { isFailureStatus, isUpstreamFault } from './upstream-faults';

describe('what counts against a pool member', () => {
  it('counts a failure to connect whatever the request carried', () => {
    for (const code of ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENOTFOUND']) {
      expect([isUpstreamFault(code, false), isUpstreamFault(code, true)]).toEqual([true, true]);
    }
  });

  it('counts a lost connection or a late answer only when no client body was streaming, so a client that resets its upload cannot count', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_HEADERS_TIMEOUT']) {
      expect([isUpstreamFault(code, false), isUpstreamFault(code, true)]).toEqual([true, false]);
    }
    expect(isUpstreamFault('', false)).toBe(false);
    expect(isUpstreamFault('UND_ERR_ABORTED', false)).toBe(false);
  });

  it('counts 502 and 504 answers, never a 503 or anything else a tenant can cause', () => {
    expect([200, 301, 400, 401, 404, 429, 500, 502, 503, 504].filter(isFailureStatus)).toEqual([502, 504]);
  });
});

describe('upstream health settings', () => {
  const base = { ROUTING_DATABASE_URL: 'postgres://x', TENANT_CONTEXT_SECRET: 'c'.repeat(32), SESSION_SECRET: 's'.repeat(32) };

  it('defaults to 3 failures, a 10 s first cool-down and a 2 min longest', () => {
    expect(loadGatewayConfig(base).upstreams).toEqual({ failuresToEject: 3, ejectMs: 10_000, ejectMaxMs: 120_000 });
  });

  it('refuses a longest cool-down shorter than the first', () => {
    expect(() => loadGatewayConfig({ ...base, UPSTREAM_EJECT_MS: '5000', UPSTREAM_EJECT_MAX_MS: '1000' })).toThrow('UPSTREAM_EJECT_MAX_MS: must be at least UPSTREAM_EJECT_MS');
    expect(() => loadGatewayConfig({ ...base, UPSTREAM_FAILURES_TO_EJECT: '0' })).toThrow('UPSTREAM_FAILURES_TO_EJECT');
  });
});
