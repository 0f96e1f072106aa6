import type { Link } from '../links/link.entity';
import { linksPage } from './views';

describe('linksPage', () => {
  it("gives the code field a pattern browsers accept (they compile it with the v flag and ignore one that fails)", () => {
    const html = linksPage('Acme', 'a@acme.test', []);
    const pattern = /<input id="code"[^>]* pattern="([^"]*)"/.exec(html)?.[1];
    expect(pattern).toBeDefined();
    const asBrowsersRead = new RegExp(`^(?:${pattern!})$`, 'v');
    expect(asBrowsersRead.test('spring-sale')).toBe(true);
    expect(asBrowsersRead.test('a/b')).toBe(false);
    expect(asBrowsersRead.test('a'.repeat(33))).toBe(false);
  });

  it('links only to http(s) targets, even for a row written around the service', () => {
    const link = (url: string) => ({ id: '1', code: 'abc', url, createdBy: null, createdAt: new Date(0) }) as Link;
    const page = linksPage('Acme', 'a@acme.test', [link('javascript:alert(1)'), link('https://example.com/ok')]);
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('javascript:alert(1)');
    expect(page).toContain('href="https://example.com/ok"');
  });
});
