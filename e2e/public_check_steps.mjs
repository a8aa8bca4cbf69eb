// Browser steps for the public offer checker (/check) and "know your rights" (/rights),
// called by browser_test.mjs after its own steps. An anonymous visitor (a browser context
// of its own, with no session) on a 390×844 phone, in each of the public pages' five
// languages (ky, uz, tg, ru, en; the switcher offers all five there): the form
// is labelled, an invented military-contract offer is submitted (a plain form POST),
// the answer is drawn with its signs marked, and neither page scrolls sideways or
// squeezes its text. Screenshots go to target/e2e-screenshots/public-*.png.

import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

const PHONE = { width: 390, height: 844 };

// Invented for this test from how DOMAIN.md describes recruiters' ads; not a real message.
const OFFER = 'Служба по контракту в Министерстве обороны! Единовременная выплата 195 000 рублей, '
  + 'статус ветерана боевых действий, гражданство РФ для вас и семьи. '
  + '<b>Звоните</b> +7 912 604-18-27';

const HEADINGS = {
  ky: 'Бул аскердик келишим',
  ru: 'Это военный контракт',
  en: 'This is a military contract',
  uz: 'Bu harbiy shartnoma',
  tg: 'Ин шартномаи ҳарбӣ аст',
};

/** Problems with how the current page looks at this width. */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const html = document.documentElement;
    const overflow = html.scrollWidth - window.innerWidth;
    if (overflow > 1) out.push(`page ${overflow}px wider than the viewport`);
    for (const e of document.querySelectorAll('main p, main li, main h1, main h2, main h3, main label')) {
      const text = e.innerText.trim();
      const box = e.getBoundingClientRect();
      if (text.length >= 8 && box.width > 0 && box.width < 48) {
        out.push(`"${text.slice(0, 20)}" squeezed into ${Math.round(box.width)}px`);
      }
    }
    for (const id of ['check-text', 'check-citizenship', 'check-keep']) {
      const field = document.getElementById(id);
      if (field && !document.querySelector(`label[for="${id}"]`)) out.push(`#${id} has no label`);
    }
    if (!document.querySelector('main h1')) out.push('no h1');
    return out;
  });
}

/**
 * Runs the steps. `step(name, fn)` is the main test's step runner; `base` the server's
 * address; `screenshots` the folder for screenshots; `executablePath` the Chromium binary.
 */
export async function publicCheckSteps({ step, base, screenshots, executablePath }) {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const host = new URL(base).hostname;
    for (const lang of ['ky', 'uz', 'tg', 'ru', 'en']) {
      await step(`anonymous /check and /rights on a phone in ${lang}`, async () => {
        const context = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
        await context.addCookies([{ name: 'kuzot_lang', value: lang, domain: host, path: '/' }]);
        const page = await context.newPage();
        const errors = [];
        page.on('console', (m) => {
          if (m.type() === 'error' && !/favicon/.test(m.location().url || '')) errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));

        const form = await page.goto(`${base}/check`);
        assert.equal(form.status(), 200, '/check needs no account');
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
        const offered = await page.locator('header .langs [lang]').evaluateAll((els) => els.map((e) => e.lang));
        assert.deepEqual(offered, ['ky', 'uz', 'tg', 'ru', 'en'], 'the switcher offers five languages');
        assert.deepEqual(await layoutProblems(page), [], `${lang} /check form`);
        assert.equal(await page.isChecked('#check-keep'), false, 'the consent box starts unticked');
        await page.screenshot({ path: path.join(screenshots, `public-${lang}-phone-check-form.png`), fullPage: true });

        await page.fill('#check-text', OFFER);
        await page.selectOption('#check-citizenship', 'kg+ru');
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${base}/check` && r.request().method() === 'POST'),
          page.click('form.check-form button[type="submit"]'),
        ]);
        assert.equal(answer.status(), 200);
        await page.waitForLoadState('domcontentloaded');
        const heading = await page.locator('#answer-title').innerText();
        assert.equal(heading.trim(), HEADINGS[lang]);
        assert.ok((await page.locator('.check-text mark').count()) > 0, 'signs are marked in the text');
        assert.ok((await page.locator('ul.law li').count()) > 0, 'legal risks are listed');
        assert.equal(await page.locator('.check-text b').count(), 0, 'markup of the text is not rendered');
        assert.deepEqual(await layoutProblems(page), [], `${lang} /check answer`);
        await page.screenshot({ path: path.join(screenshots, `public-${lang}-phone-check-answer.png`), fullPage: true });

        const rights = await page.goto(`${base}/rights`);
        assert.equal(rights.status(), 200, '/rights needs no account');
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
        assert.deepEqual(await layoutProblems(page), [], `${lang} /rights`);
        await page.screenshot({ path: path.join(screenshots, `public-${lang}-phone-rights.png`), fullPage: true });

        assert.deepEqual(errors, [], `${lang}: console errors`);
        await context.close();
      });
    }
    await step('a page outside the public ones is Russian for an Uzbek or Tajik reader', async () => {
      for (const lang of ['uz', 'tg']) {
        const context = await browser.newContext({ viewport: PHONE });
        await context.addCookies([{ name: 'kuzot_lang', value: lang, domain: host, path: '/' }]);
        const page = await context.newPage();
        await page.goto(`${base}/login`);
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru', `${lang} /login`);
        await context.close();
      }
    });
    await step('/check answers with JavaScript turned off (a plain form POST)', async () => {
      const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
      await context.addCookies([{ name: 'kuzot_lang', value: 'ru', domain: host, path: '/' }]);
      const page = await context.newPage();
      await page.goto(`${base}/check`);
      await page.fill('#check-text', OFFER);
      await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}/check` && r.request().method() === 'POST'),
        page.click('form.check-form button[type="submit"]'),
      ]);
      await page.waitForLoadState('domcontentloaded');
      assert.equal((await page.locator('#answer-title').innerText()).trim(), HEADINGS.ru);
      await context.close();
    });
  } finally {
    await browser.close();
  }
}
