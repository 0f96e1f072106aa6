import { resolveTenantHost } from './host';

describe('resolveTenantHost', () => {
  it.each([
    ['acme.localhost:3000', 'localhost', 'acme'],
    ['ACME.LocalHost:3000', 'localhost', 'acme'],
    ['acme.localhost', 'localhost', 'acme'],
    ['acme.localhost.', 'localhost', 'acme'],
    ['big-corp.mysaas.com', 'mysaas.com', 'big-corp'],
    ['globex.mysaas.com:443', 'mysaas.com', 'globex'],
  ])('reads the tenant from %s (base %s)', (host, base, slug) => {
    expect(resolveTenantHost(host, base)).toEqual({ kind: 'tenant', slug });
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['acme.localhost:99999', 'invalid port'],
    ['acme.localhost:abc', 'invalid port'],
    ['ac me.localhost', 'not a valid host name'],
    ['acme..localhost', 'not a valid host name'],
    ['<script>.localhost', 'not a valid host name'],
    ['x_y.localhost', 'not a valid host name'],
  ])('calls %j malformed (%s)', (host, reason) => {
    const result = resolveTenantHost(host, 'localhost');
    expect(result.kind).toBe('malformed');
    if (result.kind === 'malformed') expect(result.reason).toContain(reason);
  });

  it.each([
    ['localhost:3000', "base domain"],
    ['example.com', 'not a subdomain of localhost'],
    ['evil-localhost', 'not a subdomain of localhost'],
    ['a.b.localhost', 'more than one label'],
    ['[::1]:3000', 'IP address'],
    ['127.0.0.1:3000', 'not a subdomain'],
  ])('says %j is not a tenant host (%s)', (host, reason) => {
    const result = resolveTenantHost(host, 'localhost');
    expect(result.kind).toBe('not-a-tenant-host');
    if (result.kind === 'not-a-tenant-host') expect(result.reason).toContain(reason);
  });

  it.each(['www.localhost', 'a.localhost', 'acme-.localhost', '9lives.localhost'])(
    'treats %s as a subdomain that no tenant can own',
    (host) => {
      expect(resolveTenantHost(host, 'localhost').kind).toBe('unknown-tenant');
    },
  );
});
