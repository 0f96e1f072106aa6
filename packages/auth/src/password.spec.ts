import { hashPassword, passwordProblem, verifyPassword, MAX_PASSWORD_LENGTH } from './password';
import { SessionTokenCodec } from './session-token';

describe('passwords', () => {
  it('verifies the password it hashed and refuses another', async () => {
    const hash = await hashPassword('demo-password-1');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword(hash, 'demo-password-1')).resolves.toBe(true);
    await expect(verifyPassword(hash, 'demo-password-2')).resolves.toBe(false);
  });

  it('verifies hashes made with other argon2id parameters (they are stored in the hash)', async () => {
    const heavier = '$argon2id$v=19$m=65536,t=3,p=4$ta0/lSNLuAe1vYJUdf0ePg$SBDEHAFSdfwZWDugSFDWO9vdq95Og0dQpgGUU7juHYM';
    await expect(verifyPassword(heavier, 'x')).resolves.toBe(true);
  });

  it('refuses when there is no user, without throwing', async () => {
    await expect(verifyPassword(undefined, 'anything-at-all')).resolves.toBe(false);
  });

  it('refuses an oversized password without hashing it', async () => {
    const hash = await hashPassword('demo-password-1');
    await expect(verifyPassword(hash, 'x'.repeat(MAX_PASSWORD_LENGTH + 1))).resolves.toBe(false);
  });

  it('refuses a corrupt stored hash instead of throwing', async () => {
    await expect(verifyPassword('not-a-hash', 'demo-password-1')).resolves.toBe(false);
  });

  it('explains what is wrong with a new password', () => {
    expect(passwordProblem('short')).toContain('at least 8');
    expect(passwordProblem(undefined)).toContain('required');
    expect(passwordProblem('long-enough-1')).toBeUndefined();
  });
});

describe('session tokens', () => {
  const codec = new SessionTokenCodec('s'.repeat(32));
  const claims = { sid: 's1', tid: 't1', uid: 'u1', iat: 100, exp: 200 };

  it('round-trips and expires', () => {
    expect(codec.verify(codec.sign(claims), 150)).toEqual({ ok: true, claims });
    expect(codec.verify(codec.sign(claims), 201)).toEqual({ ok: false, failure: 'expired' });
  });

  it('is not interchangeable with a token of another purpose under the same secret', () => {
    const token = codec.sign(claims).replace(/^ses1\./, 'ctx1.');
    expect(codec.verify(token, 150)).toEqual({ ok: false, failure: 'malformed' });
  });
});
