import { clientResponseHeaders, upstreamRequestHeaders } from './forwarded-headers';

describe('forwarded headers', () => {
  it('drops hop-by-hop headers, including those the Connection header names', () => {
    const headers = upstreamRequestHeaders(
      { connection: 'keep-alive, x-secret-hop', 'keep-alive': 'timeout=5', 'x-secret-hop': '1', te: 'trailers', accept: 'application/json' },
      { for: ['10.0.0.1'], proto: 'http', host: 'acme.localhost:3000' },
    );
    expect(headers).toEqual({
      accept: 'application/json',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'acme.localhost:3000',
    });
  });

  it('never forwards a client-supplied platform header such as a forged tenant context', () => {
    const headers = upstreamRequestHeaders(
      { 'x-mysaas-tenant-context': 'forged', 'x-mysaas-anything': 'x', cookie: 'a=b' },
      { for: [], proto: 'https', host: undefined },
    );
    expect(headers).toEqual({ cookie: 'a=b', 'x-forwarded-proto': 'https' });
  });

  it('drops the named cookies and keeps the others', () => {
    const headers = upstreamRequestHeaders(
      { cookie: 'theme=dark; mysaas_session=ses1.x.y;other=1' },
      { for: [], proto: 'http', host: undefined },
      ['mysaas_session'],
    );
    expect(headers.cookie).toBe('theme=dark; other=1');
    const none = upstreamRequestHeaders({ cookie: 'mysaas_session=ses1.x.y' }, { for: [], proto: 'http', host: undefined }, ['mysaas_session']);
    expect(none).not.toHaveProperty('cookie');
  });

  it("replaces the client's X-Forwarded-For and -Proto with the chain and proto it is given", () => {
    const headers = upstreamRequestHeaders(
      { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
      { for: ['10.0.0.1'], proto: 'http', host: undefined },
    );
    expect(headers['x-forwarded-for']).toBe('10.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
  });

  it("keeps the app server's platform headers (such as a sign-in verdict) from the client", () => {
    expect(clientResponseHeaders({ 'x-mysaas-signin-result': 'failure', 'content-type': 'application/json' })).toEqual({
      'content-type': 'application/json',
    });
  });

  it('passes response headers through, Set-Cookie lists included, minus hop-by-hop ones', () => {
    expect(
      clientResponseHeaders({ 'set-cookie': ['a=1', 'b=2'], 'transfer-encoding': 'chunked', 'content-type': 'text/html' }),
    ).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/html' });
  });
});
