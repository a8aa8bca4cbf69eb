// Browser steps of the public numbers page (/public), called by browser_test.mjs after
// its own steps, with the administrator logged in and the example export imported:
// the administrator chooses the sources that feed the page, then an anonymous visitor
// (cookies cleared) reads it in ky, ru and en on a phone (390×844) and a desktop, with no
// sideways scroll, a chart per kind of count, its CSV and SVG, and no message text.
//
// Screenshots: target/e2e-screenshots/public-<lang>-<viewport>.png.

import assert from 'node:assert/strict';
import path from 'node:path';

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1366, height: 900 },
];

/**
 * @param {object} t
 * @param {import('playwright-core').BrowserContext} t.context
 * @param {import('playwright-core').Page} t.page
 * @param {string} t.base the server's address
 * @param {(name: string, fn: () => Promise<void>) => Promise<void>} t.step
 * @param {(page: import('playwright-core').Page, lang: string) => Promise<string[]>} t.lookProblems
 * @param {string} t.screenshots folder of the screenshots
 */
export async function publicNumbersSteps({ context, page, base, step, lookProblems, screenshots }) {
  await step('an administrator chooses the sources of the public numbers page', async () => {
    const host = new URL(base).hostname;
    const found = [];
    for (const lang of ['ky', 'ru', 'en']) {
      await context.addCookies([{ name: 'kuzot_lang', value: lang, domain: host, path: '/' }]);
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize({ width: viewport.width, height: viewport.height });
        const response = await page.goto(`${base}/admin/public`);
        assert.equal(response.status(), 200, `/admin/public in ${lang}`);
        for (const problem of await lookProblems(page, lang)) found.push(`${lang} ${viewport.name} /admin/public: ${problem}`);
        await page.screenshot({
          path: path.join(screenshots, `public-admin-${lang}-${viewport.name}.png`),
          fullPage: true,
        });
      }
    }
    assert.deepEqual(found, [], `the admin page does not look right:\n${found.join('\n')}`);
    await context.addCookies([{ name: 'kuzot_lang', value: 'en', domain: host, path: '/' }]);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/admin/public`);
    const boxes = page.locator('#public-admin-form input[name="source"]');
    assert.ok((await boxes.count()) > 0, 'no source to choose');
    for (const box of await boxes.all()) await box.check();
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/admin/public' && u.searchParams.get('saved') === '1'),
      page.click('#public-admin-form button[type="submit"]'),
    ]);
    await page.locator('#public-admin-saved').waitFor();
  });

  await step('anyone reads the public numbers in ky, uz, tg, ru and en, on a phone and a desktop', async () => {
    // A visitor without an account: the administrator's session is gone from here on.
    await context.clearCookies();
    const host = new URL(base).hostname;
    const found = [];
    for (const lang of ['ky', 'uz', 'tg', 'ru', 'en']) {
      await context.addCookies([{ name: 'kuzot_lang', value: lang, domain: host, path: '/' }]);
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize({ width: viewport.width, height: viewport.height });
        const response = await page.goto(`${base}/public`);
        assert.equal(response.status(), 200, `/public in ${lang}`);
        assert.equal(await page.locator('a.account').count(), 0, 'the visitor is anonymous');
        assert.ok((await page.locator('#public-chart-categories').count()) === 1, `no chart in ${lang}`);
        const where = `${lang} ${viewport.name} /public`;
        for (const problem of await lookProblems(page, lang)) found.push(`${where}: ${problem}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) found.push(`${where}: ${overflow}px of sideways scroll`);
        await page.screenshot({
          path: path.join(screenshots, `public-${lang}-${viewport.name}.png`),
          fullPage: true,
        });
        // The first screen as the reader sees it, and the first chart at its own size.
        await page.screenshot({ path: path.join(screenshots, `public-${lang}-${viewport.name}-top.png`) });
        await page.locator('#public-chart-categories').screenshot({
          path: path.join(screenshots, `public-${lang}-${viewport.name}-chart.png`),
        });
      }
    }
    assert.deepEqual(found, [], `the public page does not look right:\n${found.join('\n')}`);
    // Each chart's CSV holds the date of the data; its SVG is an image of its own.
    const csv = await page.request.get(`${base}/public/charts/categories.csv`);
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /\d{4}-\d{2}-\d{2}/, 'the CSV has no date of the data');
    const svg = await page.request.get(`${base}/public/charts/months.svg`);
    assert.equal(svg.status(), 200);
    assert.match(svg.headers()['content-type'], /^image\/svg\+xml/);
  });
}
