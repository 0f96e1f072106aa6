import type { IncomingMessage } from 'node:http';
import { isHealthProbe, readEdgeRequest } from './edge-request';

const request = (url: string, rawHeaders: string[] = ['Host', 'acme.localhost']): IncomingMessage => {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!.toLowerCase()] ??= rawHeaders[i + 1]!;
  return { url, rawHeaders, headers } as unknown as IncomingMessage;
};

describe('readEdgeRequest', () => {
  it('normalises the target once and keeps the query byte for byte', () => {
    expect(readEdgeRequest(request('/x/../API/./me?next=%2Fhome'))).toMatchObject({ ok: true, path: '/API/me', query: '?next=%2Fhome' });
  });

  it('refuses a second Host header, whatever its case', () => {
    const edge = readEdgeRequest(request('/login', ['Host', 'acme.localhost', 'hOST', '127.0.0.1:3100']));
    expect(edge).toMatchObject({ ok: false, error: { code: 'HOST_DUPLICATED' } });
  });

  it('refuses a target that could name another server', () => {
    expect(readEdgeRequest(request('//127.0.0.1:3100/healthz'))).toMatchObject({ ok: false, error: { code: 'REQUEST_TARGET_INVALID' } });
  });

  it("keeps a well-formed X-Request-Id and replaces anything else, even on a refusal", () => {
    expect(readEdgeRequest(request('/login', ['Host', 'a.localhost', 'X-Request-Id', 'trace-1.a:b']))).toMatchObject({ requestId: 'trace-1.a:b' });
    const refused = readEdgeRequest(request('http://evil/', ['Host', 'a.localhost', 'X-Request-Id', '<script>']));
    expect(refused.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('isHealthProbe', () => {
  it('names the two probes, in any case, and nothing below them', () => {
    expect(['/healthz', '/readyz', '/HEALTHZ', '/readyz/'].map(isHealthProbe)).toEqual([true, true, true, true]);
    expect(['/healthz/x', '/api/healthz', '/healthzz', '/'].map(isHealthProbe)).toEqual([false, false, false, false]);
  });
});
