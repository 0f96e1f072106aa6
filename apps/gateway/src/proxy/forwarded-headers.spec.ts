import type { IncomingMessage } from 'node:http';
import { clientResponseHeaders, forwardedFacts, upstreamRequestHeaders } from './forwarded-headers';

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

  it('never forwards Expect: the gateway answered the 100-continue itself', () => {
    expect(upstreamRequestHeaders({ expect: '100-continue', accept: '*/*' }, { for: [], proto: 'http', host: undefined })).toEqual({
      accept: '*/*', 'x-forwarded-proto': 'http',
    });
  });
});

describe('client response headers', () => {
  const defaults = [['x-frame-options', 'DENY'], ['content-security-policy', "default-src 'self'"]] as const;

  it("keeps the app server's platform headers (such as a sign-in verdict) from the client", () => {
    expect(clientResponseHeaders({ 'x-mysaas-signin-result': 'failure', 'content-type': 'application/json' }, [], 'r1')).toEqual([
      'content-type', 'application/json', 'x-request-id', 'r1',
    ]);
  });

  it('passes response headers through, every Set-Cookie kept, minus hop-by-hop ones', () => {
    expect(
      clientResponseHeaders({ 'set-cookie': ['a=1', 'b=2'], 'transfer-encoding': 'chunked', connection: 'keep-alive, x-hop', 'x-hop': '1', 'content-type': 'text/html' }, [], 'r1'),
    ).toEqual(['set-cookie', 'a=1', 'set-cookie', 'b=2', 'content-type', 'text/html', 'x-request-id', 'r1']);
  });

  it("adds the platform's security headers, but a page's own CSP wins", () => {
    const list = clientResponseHeaders({ 'content-security-policy': "default-src 'none'" }, defaults, 'r1');
    expect(list).toEqual(['content-security-policy', "default-src 'none'", 'x-frame-options', 'DENY', 'x-request-id', 'r1']);
  });

  it("answers with the gateway's request id, never one the app server sends", () => {
    expect(clientResponseHeaders({ 'x-request-id': 'other' }, [], 'r1')).toEqual(['x-request-id', 'r1']);
  });
});

describe('forwardedFacts', () => {
  const request = (peer: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress: peer }, headers }) as unknown as IncomingMessage;
  const trustNone = () => false;
  const trustLoopback = (address: string) => address === '127.0.0.1';

  it("ignores a client's own X-Forwarded-For and -Proto: the peer is the client, on plain http", () => {
    expect(forwardedFacts(request('203.0.113.9', { 'x-forwarded-for': '10.9.9.9', 'x-forwarded-proto': 'https' }), trustNone)).toEqual({
      proto: 'http', secure: false, clientAddress: '203.0.113.9', chain: ['203.0.113.9'],
    });
  });

  it("believes a trusted proxy: its chain goes on, the client is the nearest untrusted hop, https counts", () => {
    expect(forwardedFacts(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9', 'x-forwarded-proto': 'https, http' }), trustLoopback)).toEqual({
      proto: 'https', secure: true, clientAddress: '203.0.113.9', chain: ['198.51.100.1', '203.0.113.9', '127.0.0.1'],
    });
  });

  it('takes the last address when every hop is trusted, as Express does', () => {
    expect(forwardedFacts(request('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }), trustLoopback).clientAddress).toBe('127.0.0.1');
  });
});
