import { assertSameOrigin } from './same-origin';

const refused = (method: string, headers: Record<string, string>) => {
  try {
    assertSameOrigin(method, headers);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'CROSS_ORIGIN_REQUEST';
  }
};

describe('assertSameOrigin', () => {
  const host = 'acme.localhost:3000';

  it("refuses a write whose Origin is another tenant's host (same site, so SameSite does not stop it)", () => {
    expect(refused('POST', { host, origin: 'http://globex.localhost:3000' })).toBe(true);
    expect(refused('DELETE', { host, origin: 'null' })).toBe(true);
  });

  it('accepts a write from the very host, in any case', () => {
    expect(refused('POST', { host, origin: 'http://ACME.localhost:3000' })).toBe(false);
  });

  it('refuses a write without Origin that the browser marks cross-site or same-site, and allows one without either', () => {
    expect(refused('POST', { host, 'sec-fetch-site': 'same-site' })).toBe(true);
    expect(refused('POST', { host, 'sec-fetch-site': 'cross-site' })).toBe(true);
    expect(refused('POST', { host })).toBe(false);
  });

  it('never judges reads', () => {
    expect(refused('GET', { host, origin: 'http://evil.example' })).toBe(false);
    expect(refused('HEAD', { host, 'sec-fetch-site': 'cross-site' })).toBe(false);
  });
});
