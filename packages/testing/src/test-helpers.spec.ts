import { checkTenantSlug } from '@mysaas/tenancy';
import { uniqueSlug } from './factories';
import { cookieFrom, type HttpResponse } from './http-client';
import { withUrlParts } from './test-server';

describe('test helpers', () => {
  it('makes valid, distinct slugs', () => {
    const slugs = Array.from({ length: 50 }, () => uniqueSlug('acme'));
    expect(slugs.every((s) => checkTenantSlug(s).ok && s.startsWith('acme-'))).toBe(true);
    expect(new Set(slugs).size).toBe(50);
  });

  it('swaps the login and database of a connection URL', () => {
    expect(withUrlParts('postgres://postgres:pw@127.0.0.1:5432/postgres', { user: 'app', password: 'p@ss', database: 'pool' })).toBe(
      'postgres://app:p%40ss@127.0.0.1:5432/pool',
    );
  });

  it('reads one cookie out of Set-Cookie headers', () => {
    const res = { headers: { 'set-cookie': ['a=1; Path=/', 'mysaas_session=tok; HttpOnly'] } } as unknown as HttpResponse;
    expect(cookieFrom(res, 'mysaas_session')).toBe('mysaas_session=tok');
    expect(cookieFrom(res, 'missing')).toBeUndefined();
  });
});
