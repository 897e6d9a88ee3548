/**
 * End to end: the real server on a real ingested sample (200 catalogue photos from the shared data set,
 * or the synthetic catalogue when it is absent), driven through Debian Chromium with playwright-core.
 * Screenshots go to test-artifacts/ (gitignored).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Lookbook } from '../../src/lookbook.ts';
import { makeSyntheticCatalogue } from '../../src/catalog/synthetic.ts';
import { startServer, type RunningServer } from '../../src/server/index.ts';
import { datasetPath, REPO_ROOT } from '../../src/testing/datasets.ts';

const CHROMIUM = process.env.LOOKBOOK_CHROMIUM ?? '/usr/bin/chromium';
/** Without Debian's Chromium the browser tests skip with a reason (and fail in CI, which installs it). */
const NO_BROWSER = fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set LOOKBOOK_CHROMIUM)`;
if (NO_BROWSER && process.env.CI === 'true') throw new Error(`${NO_BROWSER}: required in CI`);
if (NO_BROWSER) console.log(`# skipping the browser tests: ${NO_BROWSER}`);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
let dir: string;
let lb: Lookbook;
let server: RunningServer;
let browser: Browser;
let sampleImage: string;

before(async () => {
  if (NO_BROWSER) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookbook-e2e-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  lb = await Lookbook.open({ dataDir: path.join(dir, 'data'), ignoreEnv: true, logLevel: 'error' });
  const shared = datasetPath('fashion-small');
  if (shared) {
    await lb.ingest({ metadata: path.join(shared, 'styles.csv'), imagesDir: path.join(shared, 'images'), limit: 200, writeReport: false });
    // A photo that is not in the ingested sample (the 300th row onwards) to upload.
    const ids = new Set((await lb.store.listItems({ limit: 1000 })).map((i) => i.id));
    const candidates = fs.readdirSync(path.join(shared, 'images')).filter((f) => !ids.has(f.replace(/\.jpg$/, ''))).sort();
    sampleImage = path.join(shared, 'images', candidates[Math.floor(candidates.length / 2)]!);
  } else {
    if (process.env.CI === 'true') throw new Error('fashion-product-images-small is required in CI');
    console.log('# fashion-small not found: using the synthetic catalogue');
    const csv = await makeSyntheticCatalogue(path.join(dir, 'catalogue'), { variants: 1 });
    await lb.ingest({ metadata: csv, writeReport: false });
    sampleImage = path.join(dir, 'catalogue', 'images', 'demo-0007.jpg');
  }
  server = await startServer(lb, { host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await lb?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function newPage(width = 1280, height = 900): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  (page as Page & { problems?: string[] }).problems = problems;
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

test('catalogue grid with filters, keyboard skip link', { skip: NO_BROWSER }, async () => {
  const page = await newPage();
  await page.goto(server.url);
  await page.waitForSelector('#catalogue-grid .card img');
  const cards = await page.locator('#catalogue-grid .card').count();
  assert.ok(cards >= 12, `expected a page of cards, got ${cards}`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  // Filter by the first category in the menu: every card then shows it.
  const option = await page.locator('#f-category option').nth(1).getAttribute('value');
  assert.ok(option);
  await page.selectOption('#f-category', option);
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction((c) => Array.from(document.querySelectorAll('#catalogue-grid .card-meta')).every((e) => e.textContent!.startsWith(c)) && document.querySelectorAll('#catalogue-grid .card').length > 0, option);
  await shot(page, 'catalogue-filtered');
  await page.click('form.filters button[type=reset]');
  await page.waitForFunction(() => !document.querySelector('#result-count')?.textContent?.startsWith('0'));
  await shot(page, 'catalogue');
  assert.deepEqual((page as Page & { problems?: string[] }).problems, []);
  await page.close();
});

test('upload a photo: detected colours and similar items; open an item: similar items', { skip: NO_BROWSER }, async () => {
  const page = await newPage();
  await page.goto(server.url);
  await page.waitForSelector('#photo-input', { state: 'attached' });
  await page.setInputFiles('#photo-input', sampleImage);
  await page.waitForSelector('#photo-results .grid .card');
  await shot(page, 'photo-search');
  const colours = await page.locator('#photo-results .swatch-name').allTextContents();
  assert.ok(colours.length > 0 && colours.every((c) => c.trim().length > 0), 'colour swatches with names');
  const similar = await page.locator('#photo-results .grid .card').count();
  assert.equal(similar, 12);
  await shot(page, 'photo-search');

  const first = page.locator('#photo-results .grid .card').first();
  const id = await first.getAttribute('data-item-id');
  await first.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('.item-hero h1');
  assert.equal(decodeURIComponent(new URL(page.url()).hash), `#/item/${id}`);
  await page.waitForSelector('section[aria-labelledby="s-similar-items"] .grid .card');
  const sims = await page.locator('section[aria-labelledby="s-similar-items"] .card').evaluateAll((els) => els.map((e) => e.getAttribute('data-item-id')));
  assert.ok(sims.length > 0 && !sims.includes(id), 'similar items exclude the item itself');
  await page.waitForLoadState('networkidle');
  await shot(page, 'item');

  // Like it, then the user page shows a profile and recommendations.
  await page.click('text=I like this');
  await page.waitForSelector('text=♥ Liked');
  await page.goto(`${server.url}/#/user/guest`);
  await page.waitForSelector('section[aria-labelledby="s-recommended-for-you"] .grid .card');
  await page.waitForSelector('section[aria-labelledby="s-style-profile"] .swatch');
  await shot(page, 'user');
  assert.deepEqual((page as Page & { problems?: string[] }).problems, []);
  await page.close();
});

test('readable on a phone-sized window', { skip: NO_BROWSER }, async () => {
  const page = await newPage(390, 844);
  await page.goto(server.url);
  await page.waitForSelector('#catalogue-grid .card img');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
  const columns = await page.evaluate(() => getComputedStyle(document.querySelector('#catalogue-grid .grid')!).gridTemplateColumns.split(' ').length);
  assert.equal(columns, 2);
  await shot(page, 'phone-catalogue');
  const id = await page.locator('#catalogue-grid .card').first().getAttribute('data-item-id');
  await page.goto(`${server.url}/#/item/${encodeURIComponent(id!)}`);
  await page.waitForSelector('section[aria-labelledby="s-similar-items"] .grid .card');
  await shot(page, 'phone-item');
  await page.close();
});
