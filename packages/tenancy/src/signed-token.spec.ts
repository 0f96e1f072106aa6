import { parseTenantSlug } from './slug';
import { TenantContextSigner, type TenantContextInput } from './tenant-context';

const SECRET = 'a'.repeat(32);
const input: TenantContextInput = {
  tenant: { id: '7b0c7c2e-0000-4000-8000-000000000001', slug: parseTenantSlug('acme'), name: 'Acme' },
  pool: 'v1',
  requestId: 'req-1',
};

describe('TenantContextSigner', () => {
  const signer = new TenantContextSigner(SECRET, 30);

  it('round-trips the claims it signed', () => {
    const check = signer.verify(signer.sign(input, 1000), 1010);
    expect(check).toEqual({ ok: true, claims: { ...input, iat: 1000, exp: 1030 } });
  });

  it('refuses an expired context', () => {
    expect(signer.verify(signer.sign(input, 1000), 1031)).toEqual({ ok: false, failure: 'expired' });
  });

  it('refuses a context signed with another secret', () => {
    const forged = new TenantContextSigner('b'.repeat(32)).sign(input, 1000);
    expect(signer.verify(forged, 1000)).toEqual({ ok: false, failure: 'bad-signature' });
  });

  it('refuses a context whose payload was edited after signing', () => {
    const [purpose, , mac] = signer.sign(input, 1000).split('.');
    const payload = Buffer.from(JSON.stringify({ ...input, tenant: { ...input.tenant, slug: 'globex' }, iat: 1000, exp: 1030 })).toString('base64url');
    expect(signer.verify(`${purpose}.${payload}.${mac}`, 1000)).toEqual({ ok: false, failure: 'bad-signature' });
  });

  it('refuses missing and malformed contexts', () => {
    expect(signer.verify(undefined)).toEqual({ ok: false, failure: 'missing' });
    expect(signer.verify('not-a-token')).toEqual({ ok: false, failure: 'malformed' });
    expect(signer.verify('ctx1.x.y.z')).toEqual({ ok: false, failure: 'malformed' });
  });

  it('refuses a context issued in the future beyond the allowed clock skew', () => {
    expect(signer.verify(signer.sign(input, 2000), 1000)).toEqual({ ok: false, failure: 'not-yet-valid' });
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => new TenantContextSigner('short')).toThrow('at least 32 characters');
  });
});
