import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders, styleHash } from './security-headers';

/** Runs the middlewares against a response that records its headers. */
function headersFor(secure: boolean, inlineStyles: string[] = []): Record<string, string> {
  const set: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string) => (set[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete set[name.toLowerCase()],
  } as unknown as ServerResponse;
  const req = { secure } as IncomingMessage & { secure: boolean };
  for (const middleware of securityHeaders({ inlineStyles })) middleware(req, res, () => undefined);
  return set;
}

describe('securityHeaders', () => {
  it('forbids framing, sniffing and foreign scripts, and allows only the named inline styles', () => {
    const headers = headersFor(false, ['body{margin:0}']);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    const csp = headers['content-security-policy']!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`style-src 'self' ${styleHash('body{margin:0}')}`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('sends HSTS over https only', () => {
    expect(headersFor(false)['strict-transport-security']).toBeUndefined();
    expect(headersFor(true)['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('hashes a style block the way browsers check it', () => {
    // echo -n 'body{margin:0}' | openssl dgst -sha256 -binary | base64
    expect(styleHash('body{margin:0}')).toBe("'sha256-IAdwN3biDCQ3brrgp1m8kBEsPQYyqfREKOEfeoREopc='");
  });
});
