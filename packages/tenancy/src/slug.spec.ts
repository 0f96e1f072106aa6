import { checkTenantSlug, parseTenantSlug, InvalidTenantSlugError } from './slug';
import { tenantRoleName, tenantSchemaName } from './names';

describe('tenant slugs', () => {
  it.each(['acme', 'globex', 'a1', 'big-corp-2', 'x'.repeat(61)])('accepts %s', (slug) => {
    expect(checkTenantSlug(slug)).toEqual({ ok: true, slug });
  });

  it.each([
    ['', 'required'],
    ['a', 'invalid'],
    ['Acme', 'invalid'],
    ['1acme', 'invalid'],
    ['ac_me', 'invalid'],
    ['acme.corp', 'invalid'],
    ['acme-', 'must not end with a hyphen'],
    ['ac--me', 'two hyphens'],
    ['www', 'reserved'],
    ['api', 'reserved'],
    ['admin', 'reserved'],
    ['platform', 'reserved'],
    ['x'.repeat(62), 'at most 61'],
    ['x'.repeat(64), 'invalid'],
  ])('refuses %j and says why (%s)', (slug, reason) => {
    const check = checkTenantSlug(slug);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  it('refuses values that are not strings', () => {
    expect(checkTenantSlug(42)).toEqual({ ok: false, reason: 'slug is required and must be a string' });
  });

  it('throws a typed error from parseTenantSlug', () => {
    expect(() => parseTenantSlug('WWW')).toThrow(InvalidTenantSlugError);
  });
});

describe('tenant Postgres names', () => {
  it('derives t_<slug> with hyphens mapped to underscores', () => {
    expect(tenantSchemaName(parseTenantSlug('big-corp'))).toBe('t_big_corp');
    expect(tenantRoleName(parseTenantSlug('acme'))).toBe('t_acme');
  });

  it('keeps the longest slug within the 63-byte identifier limit', () => {
    expect(tenantSchemaName(parseTenantSlug('x'.repeat(61)))).toHaveLength(63);
  });
});
