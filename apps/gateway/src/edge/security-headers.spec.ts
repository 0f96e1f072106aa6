import { securityHeaders } from '@mysaas/nest-http';
import { recordSecurityHeaders } from './security-headers';

describe('recordSecurityHeaders', () => {
  const sets = recordSecurityHeaders(['body{margin:0}']);
  const names = (list: ReadonlyArray<readonly [string, string]>) => list.map(([name]) => name);

  it('holds what the shared helmet middleware sets: CSP with the style hash, no framing, nosniff', () => {
    const plain = new Map(sets.plain);
    expect(plain.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(plain.get('content-security-policy')).toMatch(/style-src 'self' 'sha256-/);
    expect(plain.get('x-frame-options')).toBe('DENY');
    expect(plain.get('x-content-type-options')).toBe('nosniff');
    expect(plain.get('referrer-policy')).toBe('same-origin');
  });

  it('adds HSTS over https only', () => {
    expect(names(sets.plain)).not.toContain('strict-transport-security');
    expect(new Map(sets.secure).get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('matches the middleware header for header, so the gateway cannot drift from the other apps', () => {
    const set: Record<string, string> = {};
    const res = { setHeader: (n: string, v: string) => (set[n.toLowerCase()] = String(v)), removeHeader: (n: string) => delete set[n.toLowerCase()] };
    for (const middleware of securityHeaders({ inlineStyles: ['body{margin:0}'] })) middleware({ secure: false } as never, res as never, () => undefined);
    expect(Object.fromEntries(sets.plain)).toEqual(set);
  });
});
