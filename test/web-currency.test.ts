// Currencies on the page, in real Chromium against the real server seeded from data/ with the ECB
// reference rates of data/fx/ (held up to 2026-07-06): the table and the calculator convert
// through the API (`currency=`) and show the rate used; "today" has no rate, and the page says so
// in the API's words instead of breaking; a model page charts a currency the model does not
// publish on one axis; DeepSeek V4-Pro's CNY/USD disagreement (2026-08-17) is listed on its page
// and marked, with a link, in the table. Kimi K2 Thinking is priced as Moonshot's page publishes
// it: CNY only (data/moonshot.json without the catalogs' USD figures).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from './helpers/chromium.ts';
import { launchBrowser, visitPage, screenshot, type WatchedPage } from './helpers/browser.ts';
import { startServerWithRates } from './helpers/fx.ts';
import { request, type SeededServer } from './helpers/server.ts';

const KIMI = 'moonshot/kimi-k2-thinking';
const PRO = 'deepseek/deepseek-v4-pro';
let s: SeededServer;
let browser: Browser;
let origin = '';

beforeAll(async () => {
  [s, browser] = await Promise.all([startServerWithRates({ providerOnly: KIMI }), launchBrowser()]);
  origin = new URL(s.url).origin;
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const visit = (path: string, width = 1280): Promise<WatchedPage> => visitPage(browser, s.url, path, width);

/** Only the expected 422s of conversions without a rate; nothing leaves our origin. */
function expectClean(w: WatchedPage): void {
  expect(w.errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
  expect(w.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
}

describe('the table in one currency', () => {
  it('shows every row in the chosen currency and says, in the API’s words, which models today’s missing rate leaves out', async () => {
    const w = await visit('/');
    const { page } = w;
    await page.locator('#overview[data-ready="true"]').waitFor();
    await page.selectOption('#show', 'USD');
    await page.locator('#overview[data-ready="true"]:not([aria-busy])').waitFor();
    const rows = page.locator('#price-table tbody tr');
    expect(await rows.count()).toBe(50);
    expect(await rows.evaluateAll((trs) => trs.every((tr) => (tr as HTMLElement).dataset.currency === 'USD'))).toBe(true);
    // Kimi publishes CNY only and there is no CNY→USD rate for today: left out, and said why.
    const notice = page.locator('#not-converted [role=status]');
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.innerText()).toMatch(/models? (is|are) not shown in USD: their prices could not be converted\. .*no ECB reference rate .*→USD for \d{4}-\d\d-\d\d/);
    expect(new URL(page.url()).searchParams.get('show')).toBe('USD');
    expect(await page.locator('#price-table caption').innerText()).toContain('in USD (converted where not published)');
    await screenshot(page, 'web-overview-show-usd');
    // The same view without JavaScript.
    const html = (await request(s.url, '/?show=USD')).text;
    expect(html).toMatch(/not shown in USD: their prices could not be converted/);
    // The footer no longer says prices are never converted.
    expect(html).not.toMatch(/never converted/);
    expectClean(w);
    await w.context.close();
  });

  it('converts a CNY-only model at the rate of a day the ECB published, the rate on the row', async () => {
    const at = '2026-04-10T12:00:00Z';
    const table = (await request(s.url, `/v1/overview?currency=USD&at=${at}`)).body;
    const kimi = table.data.find((r: any) => r.model === KIMI);
    expect(kimi).toMatchObject({ currency: 'USD', fx: { convertedFrom: 'CNY', rateDate: '2026-04-10' } });
    const sheet = (await request(s.url, `/v1/prices?model=${KIMI}&at=${at}&currency=USD`)).body;
    const input = sheet.prices.find((p: any) => p.component === 'input' && Object.keys(p.conditions).length === 0);
    expect(kimi.input.amount).toBe(input.amount);
    expect(kimi.fx.rate).toBe(input.rate);
    // Published-currency rows are preferred: a USD list stays as published, not converted.
    expect(table.data.find((r: any) => r.model === 'anthropic/claude-opus-4-6')).toMatchObject({ currency: 'USD', fx: null });
  });
});

describe('model page conversions', () => {
  it('shows the sheet converted at a past date with the rate per line, and today’s missing rate as a message', async () => {
    const w = await visit(`/models/${KIMI}?sheetCurrency=USD&at=2026-04-10`);
    const { page } = w;
    const converted = page.locator('#price-sheet td.price .converted');
    expect(await converted.count()).toBeGreaterThan(0);
    expect(await converted.first().innerText()).toMatch(/^converted from [\d.,]+ CNY at [\d.]+ USD\/CNY, ECB reference rate of 2026-04-10/);
    await w.context.close();

    const today = await visit(`/models/${KIMI}?sheetCurrency=USD`);
    const alert = today.page.locator('section[aria-labelledby="sheet-h"] [role=alert]').first();
    expect(await alert.innerText()).toMatch(/could not be shown in USD[\s\S]*no ECB reference rate CNY→USD/);
    expect(await today.page.locator('a', { hasText: 'Show the sheet as published' }).count()).toBe(1);
    // The facts and charts still read.
    await today.page.locator('figure.chart canvas').first().waitFor();
    expectClean(today);
    await today.context.close();
  });

  it('charts a currency the model does not publish on one axis, from the API’s conversion at each price change, gaps where no rate', async () => {
    const w = await visit(`/models/${KIMI}?currency=USD`);
    const { page } = w;
    const fig = page.locator('figure.chart[data-component="output"]');
    await fig.locator('canvas').waitFor();
    expect(await fig.getAttribute('data-axes')).toBe('1');
    expect(await fig.getAttribute('data-currency')).toBe('USD');
    expect(await fig.locator('figcaption').innerText()).toMatch(/USD per 1M tokens \(converted from CNY at the ECB reference rate of each step’s day\)/);
    expect(await fig.locator('.chart-notes').innerText()).toMatch(/ECB reference rates used \(USD per CNY\): [\d.]+ of \d{4}-\d\d-\d\d/);
    // Instants after the last rate held are gaps, said once above the charts.
    expect(await page.locator('#conversion-gaps').innerText()).toMatch(/could not be converted to USD \(gaps in the chart\): .*no ECB reference rate/);
    await screenshot(page, 'web-model-kimi-converted-usd');
    // As published, DeepSeek V4-Pro: CNY and USD, an axis each.
    const pro = await visit(`/models/${PRO}?currency=ALL`);
    const both = pro.page.locator('figure.chart[data-component="input"]');
    await both.locator('canvas').waitFor();
    expect(await both.getAttribute('data-axes')).toBe('2');
    expectClean(w);
    await w.context.close();
    await pro.context.close();
  });
});

describe('disagreements', () => {
  it('lists DeepSeek V4-Pro’s CNY/USD disagreement on its page, each side’s value and since when; the table links to it', async () => {
    const api = (await request(s.url, `/v1/disagreements?model=${PRO}`)).body;
    expect(api.data.length).toBeGreaterThan(0);
    const w = await visit(`/models/${PRO}`);
    const { page } = w;
    const rows = page.locator('#disagreements tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    const text = await page.locator('#disagreements').innerText();
    expect(text).toMatch(/CNY list, changed/);
    expect(text).toMatch(/USD list, did not change \(suspect-stale\)/);
    // 2026-08-17 00:00 in Beijing.
    expect(text).toMatch(/2026-08-16 16:00 → open/);
    expect(text).toMatch(/the two lists imply [\d.]+ USD per CNY, [\d.]+% below the ECB reference rate [\d.]+ of 2026-07-06/);
    await page.locator('#disagreements').scrollIntoViewIfNeeded();
    await screenshot(page, 'web-model-disagreements');
    expectClean(w);
    await w.context.close();

    const table = await visit('/?provider=deepseek');
    const mark = table.page.locator(`#price-table tr[data-model="${PRO}"] a.badge-disputed`).first();
    expect(await mark.getAttribute('href')).toBe(`/models/${PRO}#disagreements-h`);
    await table.context.close();
  });
});

describe('calculator currencies', () => {
  it('prices a CNY-only model in USD at a date with a rate (the rate on each line), and says why not today', async () => {
    const w = await visit(`/compare?models=${KIMI},${PRO}&currency=USD&at=2026-04-10`);
    const { page } = w;
    const kimi = page.locator(`#quote-table tr[data-model="${KIMI}"]`);
    await kimi.locator('td.quote-total').waitFor();
    expect(await kimi.locator('td.quote-total').getAttribute('data-currency')).toBe('USD');
    await kimi.locator('details.breakdown summary').click();
    expect(await kimi.locator('.converted').first().innerText()).toMatch(/converted from [\d.]+ CNY at [\d.]+ USD\/CNY \(ECB reference rate of 2026-04-10\)/);
    const chart = page.locator('#cost-chart');
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-axes')).toBe('1');

    const today = new Date().toISOString().slice(0, 10);
    await page.fill('#at', today);
    const error = page.locator(`#quote-table tr[data-model="${KIMI}"][data-error="true"]`);
    await error.waitFor();
    expect(await error.innerText()).toMatch(/no ECB reference rate CNY→USD for \d{4}-\d\d-\d\d/);
    // DeepSeek publishes USD: still priced.
    await page.locator(`#quote-table tr[data-model="${PRO}"] td.quote-total`).waitFor();
    await screenshot(page, 'web-compare-usd-no-rate-today');
    expectClean(w);
    await w.context.close();
  });
});
