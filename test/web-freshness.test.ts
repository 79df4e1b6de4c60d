// Freshness on the page, in real Chromium against the real server seeded from data/, with the
// app's clock fixed at 2026-08-25 12:00 UTC (createApp's `now`): DeepSeek V4-Pro's CNY lines were
// confirmed on 2026-08-16 (fresh), its USD lines last on 2026-05-23 (stale: 94 days, and the CNY
// prices moved since). The table says "N days ago" and marks the stale rows, sorts by it; the
// providers say how many of their lines are stale; the model page shows a banner with the reason
// in words and "last confirmed N days ago" per line; the calculator shows the quote's warnings.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from './helpers/chromium.ts';
import { launchBrowser, visitPage, screenshot, type WatchedPage } from './helpers/browser.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const NOW = Date.parse('2026-08-25T12:00:00Z');
const PRO = 'deepseek/deepseek-v4-pro';
let s: SeededServer;
let browser: Browser;
let origin = '';

beforeAll(async () => {
  [s, browser] = await Promise.all([startSeededServer({ app: { now: () => NOW } }), launchBrowser()]);
  origin = new URL(s.url).origin;
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const visit = (path: string, width = 1280): Promise<WatchedPage> => visitPage(browser, s.url, path, width);

function expectClean(w: WatchedPage): void {
  expect(w.errors).toEqual([]);
  expect(w.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
}

describe('freshness in the table', () => {
  it('says how long ago each row was confirmed, marks the stale ones with the reason, and sorts by it', async () => {
    const api = (await request(s.url, '/v1/overview')).body.data.filter((r: any) => r.model === PRO);
    const usd = api.find((r: any) => r.currency === 'USD');
    const cny = api.find((r: any) => r.currency === 'CNY');
    expect(usd).toMatchObject({ stale: true, lastConfirmedAt: '2026-05-23T06:00:17.000Z' });
    expect(cny).toMatchObject({ stale: false, lastConfirmedAt: '2026-08-16T16:00:00.000Z' });

    const w = await visit('/?provider=deepseek');
    const { page } = w;
    await page.locator('#overview[data-ready="true"]').waitFor();
    const usdRow = page.locator(`#price-table tr[data-model="${PRO}"][data-currency="USD"]`);
    const cnyRow = page.locator(`#price-table tr[data-model="${PRO}"][data-currency="CNY"]`);
    expect(await usdRow.getAttribute('data-stale')).toBe('true');
    const usdFresh = usdRow.locator('td[data-label="Confirmed"]');
    expect(await usdFresh.innerText()).toMatch(/^94 days ago\s+stale\b/i);
    // The reason in words, for the pointer and for screen readers.
    expect(await usdFresh.getAttribute('title')).toMatch(/last confirmed \d+ days before 2026-08-25/);
    expect(await usdFresh.locator('.visually-hidden').textContent()).toMatch(/\(.*last confirmed/);
    expect(await cnyRow.getAttribute('data-stale')).toBeNull();
    expect(await cnyRow.locator('td[data-label="Confirmed"]').innerText()).toBe('8 days ago');
    expect(await page.locator('#stale-count').innerText()).toMatch(/^\d+ of them stale \(not confirmed recently/);

    // Sort by freshness: the least recently confirmed first.
    await page.locator('#price-table thead a[data-sort="freshness"]').click();
    await page.locator('#overview[data-ready="true"]:not([aria-busy])').waitFor();
    const times = await page.locator('#price-table tbody td[data-label="Confirmed"] time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')!));
    expect(times.length).toBeGreaterThan(5);
    expect(times).toEqual([...times].sort());
    expect(await page.locator('#price-table thead th[aria-sort="ascending"]').innerText()).toContain('Confirmed');

    // The providers: lines stale of lines in force, and a banner at the top of the page.
    const deepseek = page.locator('#providers tr[data-provider="deepseek"] td[data-label="Confirmed"]');
    expect(await deepseek.innerText()).toMatch(/^8 days ago\s+stale\s+\d+ of \d+ lines stale$/i);
    expect(await page.locator('#freshness-summary h2').innerText()).toMatch(/^[\d,]+ of [\d,]+ prices in force are stale$/);
    await screenshot(page, 'web-overview-freshness');
    expectClean(w);
    await w.context.close();
  });

  it('is readable at 375 px: the stale mark stays in view', async () => {
    const w = await visit('/?provider=deepseek', 375);
    const { page } = w;
    await page.locator('#overview[data-ready="true"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await page.locator('#price-table .badge-stale').first().isVisible()).toBe(true);
    await screenshot(page, 'web-overview-freshness-375px');
    await w.context.close();
  });
});

describe('freshness on the model page', () => {
  it('shows a banner with the reasons in words and "last confirmed N days ago" per line', async () => {
    const sheet = (await request(s.url, `/v1/prices?model=${PRO}`)).body;
    const staleLines = sheet.prices.filter((p: any) => p.stale);
    expect(staleLines.length).toBeGreaterThan(0);
    expect(staleLines.length).toBeLessThan(sheet.prices.length);

    const w = await visit(`/models/${PRO}`);
    const { page } = w;
    const banner = page.locator('#stale-banner');
    expect(await banner.getAttribute('data-stale-lines')).toBe(String(staleLines.length));
    const text = await banner.innerText();
    expect(text).toMatch(new RegExp(`^${staleLines.length} of these ${sheet.prices.length} prices may be out of date`));
    // The API's own reasons, with the lines they concern.
    for (const reason of new Set(staleLines.map((p: any) => p.staleReason.message))) expect(text).toContain(reason as string);
    expect(text).toMatch(/Input \(cache miss\) USD/);
    // The banner comes before the sheet: the first thing under the heading.
    const [bannerBox, sheetBox] = await Promise.all([banner.boundingBox(), page.locator('#price-sheet').boundingBox()]);
    expect(bannerBox!.y).toBeLessThan(sheetBox!.y);

    const usdInput = page.locator('#price-sheet tr[data-component="input"][data-currency="USD"]').first();
    expect(await usdInput.getAttribute('data-stale')).toBe('true');
    expect(await usdInput.locator('td[data-label="Confirmed"]').innerText()).toMatch(/^last confirmed 94 days ago\s+stale\s+.+/i);
    const cnyInput = page.locator('#price-sheet tr[data-component="input"][data-currency="CNY"]').first();
    expect(await cnyInput.locator('td[data-label="Confirmed"]').innerText()).toBe('last confirmed 8 days ago');
    await screenshot(page, 'web-model-stale-banner');
    await page.locator('figure.chart canvas').first().waitFor();
    expectClean(w);
    await w.context.close();
  });
});

describe('freshness in the calculator', () => {
  it('shows the quote’s stale warnings above the totals and on the model’s row', async () => {
    // (The age is counted to min(request instant, now): the page's day runs past the clock's noon.)
    const body = { models: [PRO], currency: 'USD', at: '2026-08-25T12:00:00Z', usage: { inputTokens: 1000, cacheReadTokens: 800, outputTokens: 100 } };
    const quote = (await request(s.url, '/v1/quote', { json: body })).body;
    expect(quote.warnings.length).toBeGreaterThan(0);

    const w = await visit(`/compare?models=${PRO}&currency=USD&at=2026-08-25`);
    const { page } = w;
    const banner = page.locator('#quote-stale');
    await banner.waitFor();
    const text = await banner.innerText();
    expect(text).toMatch(/price lines? used here may be out of date/);
    for (const warning of quote.warnings) expect(text).toContain(warning.message);
    expect(await page.locator(`#quote-table tr[data-model="${PRO}"] .badge-stale`).innerText()).toMatch(/stale price/i);
    await screenshot(page, 'web-compare-stale-warnings');
    expectClean(w);
    await w.context.close();
  });
});
