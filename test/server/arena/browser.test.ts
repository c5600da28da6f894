import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testArena } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshots of the three pages go (kept after the test for a person to look at). */
const SCREENSHOTS = join(tmpdir(), 'recgym-arena-screenshots');
const profile = mkdtempSync(join(tmpdir(), 'recgym-chromium-'));
afterAll(() => rmSync(profile, { recursive: true, force: true }));

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`arena browser test skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run tries)`);

describe.skipIf(!hasChromium)('the arena in a real browser (Debian chromium via playwright-core)', () => {
  it('registers, logs in, acts on a recommendation and sees the arena figure change; screenshots the three pages', async () => {
    const { chromium } = await import('playwright-core');
    const { arena } = await testArena();
    await arena.auth.register('root', 'root-password', 'admin', 0);
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(`${arena.httpUrl}/`);
      await page.fill('#register-form input[name=name]', 'petra');
      await page.fill('#register-form input[name=password]', 'petra-password');
      await page.click('#register-form button');
      await page.waitForSelector('#slate li');
      // Log out and in again through the login form.
      await page.click('#logout');
      await page.fill('#login-form input[name=name]', 'petra');
      await page.fill('#login-form input[name=password]', 'petra-password');
      await page.click('#login-form button');
      await page.waitForSelector('#slate li');
      await page.goto(`${arena.httpUrl}/arena`);
      expect(await page.textContent('#human .events')).toBe('0');
      await page.goto(`${arena.httpUrl}/`);
      await page.waitForSelector('#slate li');
      await page.click('#slate li:nth-child(2) .act-cart');
      await page.waitForSelector('#slate li.done');
      expect(await page.textContent('#status')).toMatch(/^saved \(event \d+\)$/);
      await page.screenshot({ path: join(SCREENSHOTS, 'shop.png'), fullPage: true });
      await page.goto(`${arena.httpUrl}/arena`);
      // The figures are recomputed at most once a second; the page refreshes them every 2 s.
      await page.locator('#human .events', { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
      expect(await page.textContent('#human .impressions')).toBe('3');
      const decisive = await page.$$eval('#human table.pairs td:nth-child(3)', (cells) => cells.map((c) => c.textContent));
      expect(decisive).toEqual([expect.stringMatching(/^(1 \/ 0|0 \/ 1) \/ 2$/)]);
      expect(await page.$('#human .chart svg')).not.toBeNull();
      await page.screenshot({ path: join(SCREENSHOTS, 'arena.png'), fullPage: true });
      // A user is refused the admin page; the admin sees it.
      const refused = await page.goto(`${arena.httpUrl}/admin`);
      expect(refused?.status()).toBe(403);
      await page.goto(`${arena.httpUrl}/`);
      await page.click('#logout');
      await page.fill('#login-form input[name=name]', 'root');
      await page.fill('#login-form input[name=password]', 'root-password');
      await page.click('#login-form button');
      await page.goto(`${arena.httpUrl}/admin`);
      expect(await page.textContent('#users')).toContain('petra');
      await page.screenshot({ path: join(SCREENSHOTS, 'admin.png'), fullPage: true });
      for (const name of ['shop', 'arena', 'admin']) expect(existsSync(join(SCREENSHOTS, `${name}.png`))).toBe(true);
    } finally {
      await browser.close();
      await arena.close();
    }
  });
});
