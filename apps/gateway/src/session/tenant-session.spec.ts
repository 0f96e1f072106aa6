import { SECURE_SESSION_COOKIE, SESSION_COOKIE, SessionTokenCodec } from '@mysaas/auth';
import type { GatewayConfig } from '../app-config';
import type { TenantRoute } from '../routing/tenant-route';
import { RememberingSessionVerifier, TenantSessions, verifyTenantSession } from './tenant-session';

const SECRET = 'session-secret-for-tests-0123456789abcdef';
const codec = new SessionTokenCodec(SECRET);
const acme = { id: '00000000-0000-4000-8000-00000000acme', slug: 'acme' } as unknown as TenantRoute;
const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Partial<{ tid: string; exp: number }> = {}) =>
  codec.sign({ sid: 'sid-1', uid: 'uid-1', tid: acme.id, iat: now() - 10, exp: now() + 600, ...claims });
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'none';
};

describe('verifyTenantSession: the session rule of the edge', () => {
  it('accepts a signed, unexpired cookie issued for this tenant and names its session', () => {
    expect(verifyTenantSession(codec, `theme=dark; ${SESSION_COOKIE}=${token()}`, false, acme)).toEqual({ sessionId: 'sid-1', userId: 'uid-1' });
  });

  it('refuses a session issued for another tenant', () => {
    expect(code(() => verifyTenantSession(codec, `${SESSION_COOKIE}=${token({ tid: 'globex-id' })}`, false, acme))).toBe('SESSION_WRONG_TENANT');
  });

  it('refuses no cookie, a tampered one, and an expired one, each with its own code', () => {
    expect(code(() => verifyTenantSession(codec, undefined, false, acme))).toBe('SESSION_REQUIRED');
    expect(code(() => verifyTenantSession(codec, 'theme=dark', false, acme))).toBe('SESSION_REQUIRED');
    expect(code(() => verifyTenantSession(codec, `${SESSION_COOKIE}=${token().slice(0, -2)}xx`, false, acme))).toBe('SESSION_INVALID');
    expect(code(() => verifyTenantSession(codec, `${SESSION_COOKIE}=${token({ exp: now() - 1 })}`, false, acme))).toBe('SESSION_EXPIRED');
    const otherSecret = new SessionTokenCodec('another-secret-0123456789abcdef-xyz').sign({ sid: 's', uid: 'u', tid: acme.id, iat: now(), exp: now() + 60 });
    expect(code(() => verifyTenantSession(codec, `${SESSION_COOKIE}=${otherSecret}`, false, acme))).toBe('SESSION_INVALID');
  });

  it('reads only the __Host- cookie over https, so a cookie planted over http does not count', () => {
    expect(code(() => verifyTenantSession(codec, `${SESSION_COOKIE}=${token()}`, true, acme))).toBe('SESSION_REQUIRED');
    expect(verifyTenantSession(codec, `${SECURE_SESSION_COOKIE}=${token()}`, true, acme)).toMatchObject({ sessionId: 'sid-1' });
  });
});

describe('TenantSessions.authenticate', () => {
  const sessions = new TenantSessions({ secrets: { session: SECRET } } as GatewayConfig);

  it('refuses protected routes without a session for this tenant', () => {
    expect(code(() => sessions.authenticate('/api/me', undefined, false, acme))).toBe('SESSION_REQUIRED');
    expect(code(() => sessions.authenticate('/AUTH/logout', `${SESSION_COOKIE}=${token({ tid: 'globex-id' })}`, false, acme))).toBe('SESSION_WRONG_TENANT');
  });

  it('lets other routes through anonymous when the cookie is missing, foreign or broken', () => {
    expect(sessions.authenticate('/login', undefined, false, acme)).toBeNull();
    expect(sessions.authenticate('/login', `${SESSION_COOKIE}=${token({ tid: 'globex-id' })}`, false, acme)).toBeNull();
    expect(sessions.authenticate('/', `${SESSION_COOKIE}=garbage`, false, acme)).toBeNull();
    expect(sessions.authenticate('/', `${SESSION_COOKIE}=${token()}`, false, acme)).toEqual({ sessionId: 'sid-1', userId: 'uid-1' });
  });
});

describe('RememberingSessionVerifier: each token verified once, its expiry every time', () => {
  it('checks the signature of a token once, then answers from memory', () => {
    const counting = new SessionTokenCodec(SECRET);
    const verify = jest.spyOn(counting, 'verify');
    const verifier = new RememberingSessionVerifier(counting);
    const raw = token();
    for (let i = 0; i < 3; i++) expect(verifier.verify(raw)).toMatchObject({ ok: true, claims: { sid: 'sid-1', tid: acme.id } });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token once it has expired', () => {
    let clock = now();
    const verifier = new RememberingSessionVerifier(codec, 100, () => clock);
    const raw = token({ exp: clock + 5 });
    expect(verifier.verify(raw).ok).toBe(true);
    clock += 6;
    expect(verifier.verify(raw)).toEqual({ ok: false, failure: 'expired' });
  });

  it('never remembers a refusal, and keeps the tenant rule for remembered tokens', () => {
    const verifier = new RememberingSessionVerifier(codec);
    const tampered = `${token().slice(0, -2)}xx`;
    expect(verifier.verify(tampered)).toEqual({ ok: false, failure: 'bad-signature' });
    expect(verifier.verify(tampered)).toEqual({ ok: false, failure: 'bad-signature' });
    const globex = token({ tid: 'globex-id' });
    expect(verifier.verify(globex).ok).toBe(true);
    expect(code(() => verifyTenantSession(verifier, `${SESSION_COOKIE}=${globex}`, false, acme))).toBe('SESSION_WRONG_TENANT');
    expect(code(() => verifyTenantSession(verifier, `${SESSION_COOKIE}=${globex}`, false, acme))).toBe('SESSION_WRONG_TENANT');
  });

  it('stays bounded: past its size it starts over and verifies again', () => {
    const counting = new SessionTokenCodec(SECRET);
    const verify = jest.spyOn(counting, 'verify');
    const verifier = new RememberingSessionVerifier(counting, 2);
    const [a, b, c] = [token({ exp: now() + 601 }), token({ exp: now() + 602 }), token({ exp: now() + 603 })];
    [a, b, c, a].forEach((raw) => expect(verifier.verify(raw).ok).toBe(true));
    expect(verify).toHaveBeenCalledTimes(4);
  });
});
