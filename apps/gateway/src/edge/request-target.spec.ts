import { parseRequestTarget } from './request-target';

describe('parseRequestTarget', () => {
  it.each([
    ['/login', '/login', ''],
    ['/api/links?limit=5', '/api/links', '?limit=5'],
    ['/x?next=//evil.example/&a=\\b', '/x', '?next=//evil.example/&a=\\b'],
    ['/./api/me', '/api/me', ''],
    ['/x/../api/me', '/api/me', ''],
    ['/../../api/me', '/api/me', ''],
    ['/a/b/..', '/a/', ''],
    ['/a/.', '/a/', ''],
    ['/%2e/api/me', '/api/me', ''],
    ['/x/%2E%2E/api/me', '/api/me', ''],
    ['/%61pi/me', '/api/me', ''],
    ['/api//me', '/api/me', ''],
    ['/l/AbC-9_~', '/l/AbC-9_~', ''],
    ['/q/%e2%82%ac', '/q/%E2%82%AC', ''],
    ['/', '/', ''],
  ])('normalises %j to %j', (raw, path, query) => {
    expect(parseRequestTarget(raw)).toEqual({ ok: true, path, query });
  });

  it.each([
    ['http://127.0.0.1:3100/healthz', 'absolute-form'],
    ['HTTPS://evil.example/', 'absolute-form'],
    ['//127.0.0.1:3100/healthz', 'reads as a host name'],
    ['///evil.example/', 'reads as a host name'],
    ['/\\evil.example/', 'backslash'],
    ['/\\/evil.example/', 'backslash'],
    ['/%2F%2Fevil.example/', 'encoded slash'],
    ['/%2fapi/me', 'encoded slash'],
    ['/%5cevil.example', 'encoded slash'],
    ['/a%00b', 'NUL'],
    ['/%zz', 'malformed percent-escape'],
    ['/%4', 'malformed percent-escape'],
    ['/x#fragment', 'fragment'],
    ['*', 'asterisk form'],
    ['127.0.0.1:3100', 'must be a path'],
    ['evil.example/x', 'must be a path'],
    ['', 'empty'],
  ])('refuses %j (%s)', (raw, reason) => {
    const target = parseRequestTarget(raw);
    expect(target.ok).toBe(false);
    if (!target.ok) expect(target.reason).toContain(reason);
  });

  it('never yields a path that a URL parser would read as another host', () => {
    const tricky = ['/.//evil.example/', '/x/..//evil.example/', '/%2e%2e//evil.example', '/./\\evil', '/..%2f..%2fevil'];
    for (const raw of tricky) {
      const target = parseRequestTarget(raw);
      if (target.ok) expect(new URL(target.path, 'http://upstream.internal:3201').host).toBe('upstream.internal:3201');
    }
  });
});
