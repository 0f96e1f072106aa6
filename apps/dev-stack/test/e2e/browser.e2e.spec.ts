import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { readEnv } from '@mysaas/config';
import { wipeDataDir } from '../../src/data-dir';
import { runCli, type RunningCli } from './cli-process';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (readEnv('CI') === 'true') throw new Error(`CI must run the browser test: install Debian's chromium (${CHROMIUM})`);
  console.log(`SKIPPED browser test: ${CHROMIUM} is missing (apt-get install chromium); CI installs it and runs this test`);
}

/**
 * A person at http://acme.localhost:<port>/login in a real browser: *.localhost resolves to
 * this machine without touching /etc/hosts, the form signs in, the links page works.
 */
(available ? describe : describe.skip)('the sign-in page in a browser', () => {
  const dataDir = join(tmpdir(), `mysaas-browser-${randomBytes(4).toString('hex')}`);
  let running: RunningCli;
  let browser: Browser;

  beforeAll(async () => {
    running = await runCli(['--data-dir', dataDir]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await running?.interrupt();
    await wipeDataDir(dataDir);
  });

  it('signs in on acme, creates a link, and signs out', async () => {
    const acme = running.ready.tenants.find((t) => t.slug === 'acme')!;
    const page = await browser.newPage();
    await page.goto(`${acme.url}/login`);
    expect(await page.title()).toBe('Sign in · Acme Corp');
    await page.fill('#email', acme.email);
    await page.fill('#password', acme.password);
    await Promise.all([page.waitForURL(`${acme.url}/`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Acme Corp links');

    await page.fill('#url', 'https://example.com/spring-launch');
    await page.fill('#code', 'spring');
    await Promise.all([page.waitForURL(`${acme.url}/`), page.click('text=Create link')]);
    expect(await page.textContent('table')).toContain('https://example.com/spring-launch');

    await Promise.all([page.waitForURL(`${acme.url}/login`), page.click('text=Sign out')]);
    await page.goto(`${acme.url}/`);
    expect(page.url()).toBe(`${acme.url}/login`);
  }, 60_000);

  it("shows globex's own sign-in page, not acme's session", async () => {
    const globex = running.ready.tenants.find((t) => t.slug === 'globex')!;
    const page = await browser.newPage();
    await page.goto(`${globex.url}/`);
    expect(page.url()).toBe(`${globex.url}/login`);
    expect(await page.textContent('h1')).toBe('Sign in to Globex Corporation');
  }, 60_000);

  it('shows a wrong password on the form', async () => {
    const acme = running.ready.tenants.find((t) => t.slug === 'acme')!;
    const page = await browser.newPage();
    await page.goto(`${acme.url}/login`);
    await page.fill('#email', acme.email);
    await page.fill('#password', 'not-the-password');
    await Promise.all([page.waitForURL(`${acme.url}/login?error=credentials`), page.click('button[type=submit]')]);
    expect(await page.textContent('[role=alert]')).toBe('Email or password is incorrect.');
  }, 60_000);
});
