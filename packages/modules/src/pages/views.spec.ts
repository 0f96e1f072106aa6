import type { Link } from '../links/link.entity';
import type { LinkImportSummary } from '../links/link-imports.service';
import { importPage, linksPage } from './views';

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

  const summary = (status: LinkImportSummary['status']): LinkImportSummary => ({
    id: '3f2b6c1e-0000-4000-8000-000000000001',
    status,
    total: 1200,
    imported: 400,
    skipped: 50,
    failed: 50,
    createdAt: new Date(0),
    startedAt: new Date(0),
    finishedAt: null,
  });

  it("shows each import's progress, and refreshes itself only while one is queued or running", () => {
    const running = linksPage('Acme', 'a@acme.test', [], undefined, [summary('running'), summary('done')]);
    expect(running).toContain('<meta http-equiv="refresh" content="5">');
    expect(running).toContain('<progress value="500" max="1200">');
    expect(running).toContain('400 imported, 50 skipped, 50 failed of 1,200');
    expect(running).toContain('href="/api/links/imports/3f2b6c1e-0000-4000-8000-000000000001"');
    expect(linksPage('Acme', 'a@acme.test', [], undefined, [summary('queued')])).toContain('http-equiv="refresh"');
    for (const settled of [[summary('done'), summary('failed')], []]) {
      expect(linksPage('Acme', 'a@acme.test', [], undefined, settled)).not.toContain('http-equiv="refresh"');
    }
  });

  it('uses no inline script or style attribute, which the CSP would block', () => {
    for (const html of [linksPage('Acme', 'a@acme.test', [], 'oops', [summary('running')]), importPage('Acme', 'oops')]) {
      expect(html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
      expect(html.match(/<style>/g)).toHaveLength(1);
    }
  });

  it('posts the import form to the import route, escaping the tenant name and the message', () => {
    const html = importPage('<Acme & Co>', '<b>bad</b>');
    expect(html).toContain('<form method="post" action="/links/imports">');
    expect(html).toContain('<textarea id="lines" name="lines"');
    expect(html).toContain('&lt;Acme &amp; Co&gt;');
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt;');
  });
});
