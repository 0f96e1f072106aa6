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
});
