// End-to-end browser test of the kuzot web app: Debian's Chromium driven by
// playwright-core through the whole path an analyst takes on a fresh install — set up
// the first account, log in, import an export, search, open and label a message, switch
// the interface to Kyrgyz and look at the dashboard's charts.
//
// Run by .ci/e2e.sh, which starts `kuzot serve` on a fresh data directory and passes:
//   KUZOT_URL         base address, e.g. http://127.0.0.1:41234
//   KUZOT_SETUP_LINK  the one-time setup link the server printed
//   CHROMIUM          the browser binary (default /usr/bin/chromium)
//
// Any console error or uncaught page error fails the run: the app serves a strict
// Content-Security-Policy, and a violation only ever shows up as a console error.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const artifacts = path.join(here, 'artifacts');
const exportFile = path.join(repo, 'examples/telegram/result.json');
const kyLocale = path.join(repo, 'crates/kuzot-web/locales/ky/core.ftl');

const base = (process.env.KUZOT_URL || '').replace(/\/+$/, '');
const setupLink = process.env.KUZOT_SETUP_LINK || '';
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
// Generous for a loaded 2-core CI machine, still far below the script's budget.
const TIMEOUT_MS = 30_000;

// Two forms of one Russian word from the example export ("охранники" in one message,
// "охранником" in another): with Russian stemming both queries find the same messages.
const QUERY = 'охранники';
const OTHER_FORM = 'охранником';

/** A new password per run: it lives only in this process and the throwaway data dir. */
const password = randomBytes(18).toString('base64url');
const account = 'admin';

/** Reads simple `key = value` lines of a Fluent file (enough for single-line messages). */
async function ftlMessages(file) {
  const out = new Map();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^([a-z][a-z0-9-]*)\s*=\s*(\S.*)$/.exec(line);
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

let stepNo = 0;
let currentStep = 'start';
const problems = [];

async function step(name, fn) {
  stepNo += 1;
  currentStep = name;
  const started = Date.now();
  await fn();
  // Errors logged by the page during a step fail that step, not a later one.
  assert.deepEqual(problems, [], `page reported errors during "${name}"`);
  console.log(`ok ${stepNo} - ${name} (${Date.now() - started} ms)`);
}

/** Hit ids (from the /messages/{id} links) of the search results shown, in rank order. */
async function hitIds(page) {
  const hrefs = await page.locator('ol.hits li.hit a.open').evaluateAll((as) =>
    as.map((a) => a.getAttribute('href')),
  );
  return hrefs.map((h) => Number(/^\/messages\/(\d+)$/.exec(h)?.[1]));
}

/** Submits the search form on the current page and waits for the results. */
async function search(page, q) {
  await page.fill('#q', q);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === q),
    page.locator('form[role="search"] button[type="submit"]').click(),
  ]);
  return hitIds(page);
}

/** Records a page's console errors, uncaught errors and server errors in `problems`. */
function watch(page, label) {
  const tag = label ? ` (${label})` : '';
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url || '';
    // Chromium asks every site for /favicon.ico on its own; kuzot has none (404). That
    // is the browser's request, not the page's, so it is the one error let through.
    if (where && new URL(where).pathname === '/favicon.ico' && /\b404\b/.test(msg.text())) return;
    problems.push(`console error${tag}: ${msg.text()} (${where || 'no url'})`);
  });
  page.on('pageerror', (err) => problems.push(`page error${tag}: ${err.message}`));
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`HTTP ${r.status()}${tag} for ${r.url()}`);
  });
}

async function main() {
  assert.match(base, /^http:\/\/[^/]+$/, 'KUZOT_URL must be the server address, e.g. http://127.0.0.1:8080');
  assert.ok(setupLink.startsWith(`${base}/setup/`), 'KUZOT_SETUP_LINK must be the one-time setup link of KUZOT_URL');
  const ky = await ftlMessages(kyLocale);
  for (const key of ['dashboard-title', 'nav-search', 'chart-table']) {
    assert.ok(ky.get(key), `ky/core.ftl has no ${key}`);
  }

  const profile = await mkdtemp(path.join(tmpdir(), 'kuzot-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--no-first-run',
    ],
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page, '');

  let failed = null;
  try {
    await step('setup link creates the administrator', async () => {
      await page.goto(setupLink);
      assert.equal(await page.inputValue('#name'), account);
      await page.fill('#password', password);
      await Promise.all([page.waitForURL(`${base}/login`), page.click('form.stacked button[type="submit"]')]);
      // The link is single-use: a second visit must not offer the form again.
      const again = await page.request.get(setupLink);
      assert.equal(again.status(), 404, 'setup link still works after use');
    });

    await step('wrong password is refused', async () => {
      await page.fill('#name', account);
      await page.fill('#password', `${password}x`);
      await page.click('form.stacked button[type="submit"]');
      await page.locator('p.error[role="alert"]').waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
      // The refusal is a 401 page, which Chromium logs as a console error: expected here.
      const i = problems.findIndex((p) => /status of 401\b.*\/login\)$/.test(p));
      assert.notEqual(i, -1, 'a wrong password did not answer 401');
      problems.splice(i, 1);
    });

    const login = async () => {
      await page.goto(`${base}/login`);
      await page.fill('#name', account);
      await page.fill('#password', password);
      await Promise.all([page.waitForURL(`${base}/`), page.click('form.stacked button[type="submit"]')]);
      await page.locator('a.account').waitFor();
      assert.match(await page.locator('a.account').innerText(), new RegExp(`^${account} `));
    };

    await step('login', login);

    await step('logout, then login again', async () => {
      await Promise.all([
        page.waitForURL(`${base}/login`),
        page.click('form[action="/logout"] button[type="submit"]'),
      ]);
      assert.equal(await page.locator('a.account').count(), 0);
      const dashboard = await page.request.get(`${base}/`, { maxRedirects: 0 });
      assert.notEqual(dashboard.status(), 200, 'dashboard still open after logout');
      await login();
    });

    await step('import the example Telegram export', async () => {
      await page.goto(`${base}/imports`);
      await page.setInputFiles('#file', exportFile);
      await page.selectOption('select[name="format"]', 'telegram_json');
      await Promise.all([
        page.waitForURL(/\/imports\/jobs\/\d+$/),
        page.click('#upload-submit'),
      ]);
      // app.js polls the job and reloads the page once it is finished.
      await page.locator('#job[data-state="done"], #job[data-state="failed"]').waitFor({ timeout: 60_000 });
      assert.equal(await page.getAttribute('#job', 'data-state'), 'done', 'import job failed');
      assert.equal(await page.locator('#job .error').count(), 0);
      const docs = Number((await page.innerText('#job-documents')).replace(/\D/g, ''));
      assert.ok(docs >= 5, `only ${docs} documents imported`);
      await page.locator('#job-files tbody tr').first().waitFor();
    });

    let ids = [];
    await step(`search finds "${QUERY}" and, by stemming, "${OTHER_FORM}"`, async () => {
      await page.click('#job-search');
      await page.waitForURL(`${base}/search`);
      ids = await search(page, QUERY);
      assert.ok(ids.length >= 2, `expected at least 2 hits, got ${ids.length}`);
      assert.match(await page.innerText('#total'), new RegExp(`^${ids.length}\\b`));
      assert.ok((await page.locator('ol.hits .snippet mark').count()) > 0, 'no highlighted terms');
      const other = await search(page, OTHER_FORM);
      const sorted = (a) => [...a].sort((x, y) => x - y);
      assert.deepEqual(sorted(other), sorted(ids), 'another form of the word finds other messages');
      const none = await search(page, 'zzqxnotaword');
      assert.deepEqual(none, []);
      await search(page, QUERY);
    });

    let messagePath = '';
    await step('open a message from the results', async () => {
      await Promise.all([page.waitForURL(/\/messages\/\d+$/), page.locator('ol.hits a.open').first().click()]);
      messagePath = new URL(page.url()).pathname;
      assert.equal(Number(messagePath.split('/').pop()), ids[0]);
      const text = (await page.innerText('#text')).toLowerCase();
      assert.ok(text.includes('охранни'), 'message text does not contain the searched word');
      await page.locator('#label-form').waitFor();
    });

    await step('label the message', async () => {
      const current = await page.inputValue('#label-category');
      const options = await page.locator('#label-category option').evaluateAll((os) =>
        os.map((o) => ({ value: o.value, text: o.textContent.trim() })),
      );
      const choice = options.find((o) => o.value !== current);
      assert.ok(choice, 'no other category to choose');
      const note = `e2e ${Date.now()}`;
      await page.selectOption('#label-category', choice.value);
      await page.fill('#label-form input[name="note"]', note);
      await Promise.all([page.waitForURL(`${base}${messagePath}`), page.click('#label-submit')]);
      const row = page.locator('section table tbody tr', { hasText: note });
      await row.waitFor();
      const cells = await row.locator('td').allInnerTexts();
      assert.ok(cells[0].includes(choice.text), `label shows "${cells[0]}", expected "${choice.text}"`);
      assert.equal(cells[1], account, 'label does not say who labelled');
      assert.ok(cells[2].trim() !== '', 'label does not say when');
      assert.equal(cells[4], note);
    });

    await step('switch the interface to Kyrgyz', async () => {
      await Promise.all([
        page.waitForURL(`${base}${messagePath}`),
        page.click('.langs a[data-lang="ky"]'),
      ]);
      assert.equal(await page.getAttribute('html', 'lang'), 'ky');
      assert.equal(await page.locator('.langs strong[lang="ky"]').count(), 1);
      await page.locator('header nav a[href="/search"]', { hasText: ky.get('nav-search') }).waitFor();
      // The choice is a cookie: it holds on the next page too.
      await page.goto(`${base}/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'ky');
      assert.equal((await page.innerText('main h1')).trim(), ky.get('dashboard-title'));
    });

    await step('dashboard draws its charts', async () => {
      const figures = page.locator('figure.chart');
      const n = await figures.count();
      assert.ok(n >= 1, 'no charts on the dashboard');
      for (let i = 0; i < n; i += 1) {
        const fig = figures.nth(i);
        const id = await fig.getAttribute('id');
        const svg = fig.locator('svg').first();
        await svg.waitFor();
        const box = await svg.boundingBox();
        assert.ok(box && box.width > 0 && box.height > 0, `${id}: svg has no size`);
        const marks = await svg.locator('rect, path, circle, polyline, line').count();
        assert.ok(marks > 0, `${id}: svg draws nothing`);
      }
      // The weekly chart must show the imported messages as bars or a line.
      const weekly = page.locator('#chart-weekly svg');
      assert.ok((await weekly.locator('rect, path, polyline').count()) > 1, 'weekly chart is empty');

      // Its numbers table opens, in Kyrgyz, and has rows.
      const fig = figures.first();
      await fig.locator('details summary', { hasText: ky.get('chart-table') }).click();
      await fig.locator('table.numbers tbody tr').first().waitFor({ state: 'visible' });

      // The SVG and CSV links work and serve the same chart.
      const svgHref = await fig.locator('figcaption a', { hasText: 'SVG' }).getAttribute('href');
      const svgRes = await page.request.get(`${base}${svgHref}`);
      assert.equal(svgRes.status(), 200);
      assert.match(svgRes.headers()['content-type'], /^image\/svg\+xml/);
      const svgBody = await svgRes.text();
      assert.match(svgBody, /<svg[\s>]/);
      assert.match(svgBody, /<(rect|path)[\s>]/);
      const csvHref = await fig.locator('figcaption a', { hasText: 'CSV' }).getAttribute('href');
      const csvRes = await page.request.get(`${base}${csvHref}`);
      assert.equal(csvRes.status(), 200);
      assert.match(csvRes.headers()['content-type'], /^text\/csv/);
      const lines = (await csvRes.text()).trim().split(/\r?\n/);
      assert.ok(lines.length >= 2, 'chart CSV has no data rows');
      const rows = await fig.locator('table.numbers tbody tr').count();
      assert.equal(lines.length - 1, rows, 'CSV rows differ from the table rows');

      // Opened as a page of its own, the SVG renders as an image with a size.
      const img = await context.newPage();
      watch(img, 'svg page');
      await img.goto(`${base}${svgHref}`);
      const size = await img.locator('svg').first().boundingBox();
      assert.ok(size && size.width > 0 && size.height > 0, 'standalone SVG has no size');
      await img.close();
    });
  } catch (err) {
    failed = err;
  }

  if (failed) {
    console.log(`not ok ${stepNo} - ${currentStep}`);
    console.log(String(failed.stack || failed).replaceAll(password, '<password>'));
    for (const p of problems) console.log(`  ${p}`);
    try {
      await mkdir(artifacts, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const shot = path.join(artifacts, `failure-${stamp}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      await writeFile(path.join(artifacts, `failure-${stamp}.html`), await page.content());
      console.log(`  page at failure: ${page.url()}; saved ${path.relative(repo, shot)} and .html`);
    } catch (e) {
      console.log(`  (could not save the page: ${e.message})`);
    }
  }
  await context.close();
  await rm(profile, { recursive: true, force: true });
  if (failed) process.exit(1);
  console.log(`all ${stepNo} steps passed`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
