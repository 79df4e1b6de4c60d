// The web page in real headless Chromium against the real server (127.0.0.1, a libsql file seeded
// from data/): every view loads with real figures; the model page charts DeepSeek V4-Pro with its
// promotion shaded and Sonnet 5's announced rise dashed; the calculator shows exactly what
// POST /v1/quote answers and follows the cache-hit slider; API errors become messages; no console
// error, and no request leaves the server. Screenshots go to test/artifacts/ (gitignored).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from './helpers/chromium.ts';
import { ARTIFACTS_DIR, launchBrowser, openPage, screenshot, type WatchedPage } from './helpers/browser.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

let s: SeededServer;
let browser: Browser;
let origin = '';

beforeAll(async () => {
  [s, browser] = await Promise.all([startSeededServer(), launchBrowser()]);
  origin = new URL(s.url).origin;
  // Scraper health to show: DeepSeek's last run fine, Xiaomi failing twice since its last success.
  const t = Date.parse('2026-11-27T06:00:00Z');
  const runs: Array<[string, number, string, string | null]> = [
    ['deepseek', t, 'ok', null],
    ['xiaomi', t - 3_600_000, 'ok', null],
    ['xiaomi', t, 'failed', 'HTTP 503 Service Unavailable'],
    ['xiaomi', t + 3_600_000, 'failed', 'layout changed: no price table found'],
  ];
  for (const [provider, at, outcome, reason] of runs) {
    await s.database.client.execute({
      sql: 'INSERT INTO scrape_runs (provider, started_at, finished_at, outcome, reason) VALUES (?, ?, ?, ?, ?)',
      args: [provider, at, at + 2000, outcome, reason],
    });
  }
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function visit(path: string, opts: { width?: number } = {}): Promise<WatchedPage & { status: number }> {
  const w = await openPage(browser, { ...opts, origin });
  const res = await w.page.goto(s.url + path);
  return { ...w, status: res?.status() ?? 0 };
}

/** No console error or uncaught exception (but those matching `allow`), every request to our origin. */
function expectClean(w: WatchedPage, allow?: RegExp): void {
  expect(allow ? w.errors.filter((e) => !allow.test(e)) : w.errors).toEqual([]);
  expect(w.requests.length).toBeGreaterThan(0);
  expect(w.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
}

/** The table's script has drawn the answer to the last click or change (it asks the server for each). */
async function drawn(page: WatchedPage['page']): Promise<void> {
  await page.locator('#overview[data-ready="true"]:not([aria-busy])').waitFor();
}

const EXPECTED_4XX = /Failed to load resource: the server responded with a status of 4\d\d/;

describe('overview', () => {
  it('opens on the current price table: sorts by any column, filters by provider, currency and feature, and finds typos and raw ids', async () => {
    const w = await visit('/');
    expect(w.status).toBe(200);
    const { page } = w;
    await page.locator('#overview[data-ready="true"]').waitFor();
    const api = (await request(s.url, '/v1/overview')).body;
    expect(api.data.length).toBeGreaterThan(300);
    const rows = page.locator('#price-table tbody tr');
    // One page at a time in the DOM (thousands of rows stay fast), the count says how many match.
    expect(await rows.count()).toBe(50);
    expect(await page.locator('#row-count').innerText()).toContain(`${api.data.length} price rows`);

    // DeepSeek V4-Pro in USD: today's list prices, per 1M tokens, in the line's own currency.
    const v4 = page.locator('#price-table tr[data-model="deepseek/deepseek-v4-pro"][data-currency="USD"]');
    await page.selectOption('#provider', 'deepseek');
    await expect.poll(() => v4.count()).toBe(1);
    expect(await v4.locator('td.price[data-label="Input"]').getAttribute('data-amount')).toBe('0.435');
    expect(await v4.locator('td.price[data-label="Output"]').getAttribute('data-amount')).toBe('0.87');
    expect(await v4.locator('td[data-label="Context"]').innerText()).toBe('1M');
    // Freshness: how long ago a source last confirmed the row (stale today: every source is months old).
    expect(await v4.locator('td[data-label="Confirmed"]').innerText()).toMatch(/^\d+ days ago\s+STALE/i);
    expect(await v4.locator('td[data-label="Last change"]').innerText()).toMatch(/^2026-0\d-\d\d/);
    // The CNY row of the same model: peak/off-peak only, so the cheapest is shown as "from".
    const v4cny = page.locator('#price-table tr[data-model="deepseek/deepseek-v4-pro"][data-currency="CNY"]');
    expect(await v4cny.locator('td.price[data-label="Input"]').innerText()).toMatch(/^from 4\.5/);
    expect(new URL(page.url()).searchParams.get('provider')).toBe('deepseek');

    // Sort by output price, cheapest first; click again for the most expensive first.
    await page.selectOption('#provider', '');
    await page.selectOption('#currency', 'USD');
    await page.locator('#price-table thead a[data-sort="output"]').click();
    await drawn(page);
    const outputs = () => rows.locator('td.price[data-label="Output"]').evaluateAll((tds) => tds.map((td) => (td as HTMLElement).dataset.amount ?? null));
    let seen = (await outputs()).filter((v) => v !== null).map(Number);
    expect(seen.length).toBeGreaterThan(40);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(await page.locator('#price-table thead th[aria-sort="ascending"]').innerText()).toContain('Output');
    await page.locator('#price-table thead a[data-sort="output"]').click();
    await drawn(page);
    seen = (await outputs()).filter((v) => v !== null).map(Number);
    expect(seen).toEqual([...seen].sort((x, y) => y - x));
    const top = Math.max(...api.data.filter((r: any) => r.currency === 'USD' && r.output).map((r: any) => Number(r.output.amount)));
    expect(seen[0]).toBe(top);
    expect(await rows.evaluateAll((trs) => trs.every((tr) => (tr as HTMLElement).dataset.currency === 'USD'))).toBe(true);

    // A pricing feature: only models with time-of-day prices.
    await page.selectOption('#currency', '');
    await page.selectOption('#feature', 'hours');
    await expect.poll(() => rows.evaluateAll((trs) => [...new Set(trs.map((tr) => (tr as HTMLElement).dataset.provider))])).toEqual(['deepseek']);
    await page.selectOption('#feature', '');

    // Search: a typo and a dotted id find their models (local matching until the resolver lands).
    // Dozens of resellers list the same names (a typo matches more than a page), so each search runs
    // within the provider it should find.
    for (const [q, want] of [
      ['sonet', 'anthropic/claude-sonnet-4-6'],
      ['claude-opus-4.6', 'anthropic/claude-opus-4-6'],
      ['opus 4.5', 'openrouter/anthropic/claude-opus-4.5'],
    ]) {
      await page.selectOption('#provider', want.split('/')[0]);
      await page.locator('#q').fill(q);
      await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.model))).toContain(want);
    }
    expect(new URL(page.url()).searchParams.get('q')).toBe('opus 4.5');
    await page.locator('#q').fill('');
    await page.selectOption('#provider', '');
    await page.locator('#price-table thead a[data-sort="provider"]').click();
    await screenshot(page, 'web-overview');
    expectClean(w);
    await w.context.close();
  });

  it('renders any table view on the server (sorted, filtered, paged) for the page without JavaScript', async () => {
    const r = await request(s.url, '/?provider=xiaomi&sort=input&dir=desc');
    expect(r.status).toBe(200);
    const models = [...r.text.matchAll(/<tr data-model="([^"]+)" data-currency="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(models.length).toBeGreaterThanOrEqual(2);
    expect(models.every((m) => m.startsWith('xiaomi/'))).toBe(true);
    const inputs = [...r.text.matchAll(/data-label="Input" data-amount="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(inputs).toEqual([...inputs].sort((a, b) => b - a));
    expect(r.text).toContain('aria-sort="descending"');
    const page2 = await request(s.url, '/?page=2');
    expect(page2.text).toContain('Page 2 of');
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('is usable at 375 px: filters and the first prices on the first screen, nothing wider than the phone', async () => {
    const w = await visit('/', { width: 375 });
    const { page } = w;
    await page.locator('#overview[data-ready="true"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const firstPrice = await page.locator('#price-table tbody tr td.price').first().boundingBox();
    expect(firstPrice!.y).toBeLessThan(900);
    await screenshot(page, 'web-overview-375px');
    expectClean(w);
    await w.context.close();
  });

  it('still lists the providers with scraper health and the latest change events, in words', async () => {
    const w = await visit('/');
    const { page } = w;
    const providers = page.locator('#providers tbody tr');
    const providerFiles = readdirSync(join(ROOT, 'data')).filter((f) => f.endsWith('.json')).length;
    await expect.poll(() => providers.count()).toBe(providerFiles);
    expect(await page.locator('#providers tr[data-provider="deepseek"]').innerText()).toMatch(/healthy[\s\S]*2026-11-27 06:00/);
    expect(await page.locator('#providers tr[data-provider="xiaomi"]').innerText()).toMatch(/failing ×2[\s\S]*layout changed: no price table found/);
    expect(await page.locator('#providers tr[data-provider="anthropic"]').innerText()).toContain('not run here yet');
    const events = page.locator('#latest-changes li.event');
    expect(await events.count()).toBeGreaterThan(0);
    await events.first().locator('summary').click();
    expect(await events.first().locator('.change-words li').first().innerText()).toMatch(/: .+ from \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expectClean(w);
    await w.context.close();
  });
});

describe('assets', () => {
  it('serves every file from the package under /assets/<build>/ with long cache headers', async () => {
    const page = await request(s.url, '/compare');
    const urls = [...page.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(urls.some((u) => u.endsWith('/uPlot.iife.min.js'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/app.css'))).toBe(true);
    for (const u of urls) {
      const r = await request(s.url, u);
      expect(r.status, u).toBe(200);
      expect(r.headers.get('cache-control'), u).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('etag'), u).toMatch(/^"[0-9a-f]{64}(-gzip)?"$/);
    }
    const js = await request(s.url, urls.find((u) => u.endsWith('/app.js'))!);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // A module it imports, by a relative URL within the same build.
    const build = urls[0].split('/')[2];
    expect((await request(s.url, `/assets/${build}/calculator.js`)).status).toBe(200);
    // Under another build id the file is served but not kept; an unknown file is a 404.
    expect((await request(s.url, '/assets/0ld/app.js')).headers.get('cache-control')).toBe('no-cache');
    expect((await request(s.url, `/assets/${build}/format.d.ts`)).status).toBe(404);
    expect((await request(s.url, `/assets/${build}/..%2Fassets.ts`)).status).toBe(404);
  });
});

describe('model page', () => {
  it('shows DeepSeek V4-Pro’s promotion in the sheet and shaded on the chart, switches currency, and shows superseded facts on request', async () => {
    const w = await visit('/models/deepseek/deepseek-v4-pro?at=2026-05-01&currency=USD');
    expect(w.status).toBe(200);
    const { page } = w;
    expect(await page.locator('h1').innerText()).toContain('deepseek/deepseek-v4-pro');

    const input = page.locator('#price-sheet tr[data-component="input"][data-currency="USD"]');
    expect(await input.getAttribute('data-kind')).toBe('promo');
    expect(await input.locator('td.price').getAttribute('data-amount')).toBe('0.435');
    expect(await input.innerText()).toMatch(/0\.435 USD[\s\S]*promo[\s\S]*1\.74 USD/);
    expect(await page.locator('#price-sheet tr[data-component="cache_read"][data-currency="CNY"] td.price').getAttribute('data-amount')).toBe('0.025');

    // The chart: drawn (a canvas), with the promotion as a shaded band over its exact period.
    const chart = page.locator('figure.chart[data-component="input"]');
    await chart.locator('canvas').first().waitFor();
    expect(await chart.getAttribute('data-currency')).toBe('USD');
    const band = chart.locator('.promo-band');
    await expect.poll(() => band.count()).toBe(1);
    expect(await band.getAttribute('data-from')).toBe('2026-04-25T16:00:00.000Z');
    expect(await band.getAttribute('data-to')).toBe('2026-05-31T16:00:00.000Z');
    const box = await band.boundingBox();
    expect(box!.width).toBeGreaterThan(10);
    expect(box!.height).toBeGreaterThan(50);
    expect(await chart.locator('.chart-notes').innerText()).toContain('0.435 instead of 1.74');
    for (const component of ['cache_read', 'output']) {
      expect(Number(await page.locator(`figure.chart[data-component="${component}"]`).getAttribute('data-promo-bands'))).toBeGreaterThan(0);
    }

    // Currency: redrawn in place (three CNY lines since the peak/off-peak prices), kept in the URL.
    await page.selectOption('#currency', 'CNY');
    await expect.poll(() => chart.getAttribute('data-currency')).toBe('CNY');
    expect(await chart.getAttribute('data-lines')).toBe('3');
    await chart.locator('canvas').first().waitFor();
    expect(new URL(page.url()).searchParams.get('currency')).toBe('CNY');
    await screenshot(page, 'web-model-deepseek-v4-pro');

    // USD and CNY together: one axis each, the list price dashed under both promotions.
    await page.selectOption('#currency', 'ALL');
    await expect.poll(() => chart.getAttribute('data-axes')).toBe('2');
    expect(await chart.getAttribute('data-list-lines')).toBe('2');
    await chart.locator('canvas').first().waitFor();
    // The legend names lines a reader can find: no "—" value placeholders, no empty entries.
    const legend = (await chart.locator('.u-legend .u-series:not([hidden])').allInnerTexts()).map((t) => t.trim());
    expect(legend).toEqual(['standard · USD', 'off-peak · CNY', 'peak · CNY', 'standard · CNY']);
    await chart.screenshot({ path: join(ARTIFACTS_DIR, 'web-chart-input-usd-cny.png') });
    // Log scale: kept in the URL, redrawn in place.
    await page.locator('#log-scale').check();
    await expect.poll(() => page.locator('#charts').getAttribute('data-scale')).toBe('log');
    expect(new URL(page.url()).searchParams.get('scale')).toBe('log');
    await chart.locator('canvas').first().waitFor();
    await page.locator('figure.chart[data-component="cache_read"] canvas').first().waitFor();
    await page.locator('figure.chart[data-component="cache_read"]').screenshot({ path: join(ARTIFACTS_DIR, 'web-chart-cache-read-log.png') });
    // The chart's data as CSV: every step of every line, the promotion and the list beneath it.
    const [download] = await Promise.all([page.waitForEvent('download'), chart.locator('a.download').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('from,until,line,USD/CNY per 1M tokens');
    expect(csv).toContain('2026-04-25T16:00:00.000Z,2026-05-31T16:00:00.000Z,standard · USD,0.435');
    expect(csv).toContain('2026-04-25T16:00:00.000Z,2026-05-31T16:00:00.000Z,standard · USD: list price,1.74');
    await page.locator('#log-scale').uncheck();
    await page.selectOption('#currency', 'CNY');

    // Facts with sources and knowledge times; the superseded ones on request.
    const facts = page.locator('#facts tbody tr');
    expect(await facts.count()).toBeGreaterThan(20);
    expect(await page.locator('#facts tbody tr[data-superseded="true"]').count()).toBe(0);
    expect(await page.locator('#facts a[href^="https://"]').count()).toBeGreaterThan(20);
    await page.locator('#superseded').check();
    await Promise.all([page.waitForURL(/superseded=1/), page.locator('form.controls button[type=submit]').click()]);
    expect(await page.locator('#facts tbody tr[data-superseded="true"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#superseded').isChecked()).toBe(true);
    expectClean(w);
    await w.context.close();
  });

  it('lists today’s peak and off-peak prices, readable at 375 px', async () => {
    const w = await visit('/models/deepseek/deepseek-v4-pro?currency=CNY', { width: 375 });
    const { page } = w;
    const peak = page.locator('#price-sheet tr[data-component="input"][data-currency="CNY"]').filter({ hasText: 'peak 09:00–12:00' });
    expect(await peak.locator('td.price').getAttribute('data-amount')).toBe('9');
    expect(await peak.innerText()).toContain('Asia/Shanghai');
    await page.locator('figure.chart[data-component="output"] canvas').first().waitFor();
    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'web-model-375px');
    expectClean(w);
    await w.context.close();
  });

  it('dashes an announced future price (Sonnet 5’s rise, as known on 2026-08-01) and serves aggregator ids with slashes', async () => {
    const w = await visit('/models/anthropic/claude-sonnet-5?asOf=2026-08-01');
    const { page } = w;
    const chart = page.locator('figure.chart[data-component="output"]');
    await chart.locator('canvas').first().waitFor();
    expect(Number(await chart.getAttribute('data-future-segments'))).toBeGreaterThan(0);
    expect(await chart.locator('.chart-notes').innerText()).toContain('standard 15 from 2026-09-01');
    await screenshot(page, 'web-model-announced');
    expectClean(w);

    await page.goto(`${s.url}/models/openrouter/anthropic/claude-opus-4.5`);
    expect(await page.locator('h1').innerText()).toContain('openrouter/anthropic/claude-opus-4.5');
    expect(await page.locator('#price-sheet tbody tr').count()).toBeGreaterThan(1);
    await page.locator('figure.chart[data-component="input"] canvas').first().waitFor();
    expectClean(w);
    await w.context.close();
  });
});

describe('compare / calculator', () => {
  const MODELS = ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro'];
  const PATH = `/compare?models=${MODELS.join(',')}&input=100000&hit=0.8&output=20000&rpd=10&at=2026-06-01&currency=CNY`;
  const quote = async (at: string, cacheReadTokens: number, models = MODELS) => {
    const r = await request(s.url, '/v1/quote', {
      json: { models, at, currency: 'CNY', requests: 10, usage: { inputTokens: 100_000, cacheReadTokens, outputTokens: 20_000 } },
    });
    expect(r.status).toBe(200);
    return r.body.quotes as Array<{ model: string; total: string }>;
  };
  const totals = (page: WatchedPage['page']) =>
    page.locator('#quote-table td.quote-total').evaluateAll((cells) => cells.map((c) => ({ total: (c as HTMLElement).dataset.total, text: c.textContent })));

  it('shows what /v1/quote answers, over time too, and follows the cache-hit slider', async () => {
    const w = await visit(PATH);
    const { page } = w;
    await expect.poll(() => page.locator('#quote-table td.quote-total').count()).toBe(2);

    const expected = await quote('2026-06-01T00:00:00Z', 80_000);
    expect(expected.map((q) => q.total)).toEqual(['1.82', '1.82']);
    expect(await totals(page)).toEqual(expected.map((q) => ({ total: String(q.total), text: 'CNY 1.82' })));
    expect(await page.locator('#quote-table tr[data-model="deepseek/deepseek-v4-pro"]').innerText()).toContain('CNY 54.6');

    // The chart over time: quoted at each change of these prices; a point equals the API's answer.
    const chart = page.locator('#cost-chart');
    await chart.locator('canvas').first().waitFor();
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(4);
    // Launch day, list prices before the promotion (MiMo had no CNY price yet).
    const [launch] = await quote('2026-04-24T00:00:00Z', 80_000, [MODELS[0]]);
    expect(launch.total).toBe('8');
    const row = page.locator('#over-time-table tbody tr').filter({ hasText: '2026-04-24' });
    // (textContent: the table sits in a closed <details>.)
    const cells = await row.locator('td').allTextContents();
    expect(cells.map((c) => c.trim())).toEqual(['CNY 8', '—']);
    await screenshot(page, 'web-compare');

    // Keyboard: Home takes the slider to 0% cache hits; the figures follow, still the API's.
    await page.locator('#hit').focus();
    await page.keyboard.press('Home');
    expect(await page.locator('#hit-out').innerText()).toBe('0%');
    const noCache = await quote('2026-06-01T00:00:00Z', 0);
    await expect.poll(() => totals(page).then((t) => t.map((x) => x.total))).toEqual(noCache.map((q) => String(q.total)));
    expect(Number(noCache[0].total)).toBeGreaterThan(1.82);
    expect(new URL(page.url()).searchParams.get('hit')).toBe('0');
    expectClean(w);
    await w.context.close();
  });

  it('is usable at 375 px wide', async () => {
    const w = await visit(PATH, { width: 375 });
    const { page } = w;
    await expect.poll(() => page.locator('#quote-table td.quote-total').count()).toBe(2);
    await page.locator('#cost-chart canvas').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'web-compare-375px');
    expectClean(w);
    await w.context.close();
  });
});

describe('calculator: the hours of the day and usage logs', () => {
  const SLOT = 15 * 60_000;
  const usage = { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 };

  it('prices 1,440 requests spread over the day at their own quarter hours: the total equals POST /v1/quote of that log, peak and off-peak lines both counted', async () => {
    const w = await visit('/compare?models=deepseek/deepseek-v4-pro&input=100000&hit=0.8&output=20000&rpd=1440&at=2026-08-20&currency=CNY');
    const { page } = w;
    const cell = page.locator('#quote-table tr[data-model="deepseek/deepseek-v4-pro"] td.quote-total');
    await cell.waitFor();
    // The same day as an explicit usage log: 15 requests in each quarter hour, at its middle.
    const day = Date.parse('2026-08-20T00:00:00Z');
    const log = Array.from({ length: 1440 }, (_, i) => ({ ...usage, at: new Date(day + Math.floor(i / 15) * SLOT + SLOT / 2).toISOString() }));
    const r = await request(s.url, '/v1/quote', { json: { models: ['deepseek/deepseek-v4-pro'], currency: 'CNY', usage: log } });
    expect(r.status).toBe(200);
    const [q] = r.body.quotes;
    const labels = new Set(q.lines.map((l: any) => l.conditions?.hours?.label).filter(Boolean));
    expect([...labels].sort()).toEqual(['off-peak', 'peak']);
    expect(await cell.getAttribute('data-total')).toBe(String(q.total));
    expect(await cell.innerText()).toBe(`CNY ${Number(q.total).toLocaleString('en-US', { maximumFractionDigits: 12 })}`);
    // Priced all at midnight (off-peak) it would be cheaper: the hours count.
    const midnight = await request(s.url, '/v1/quote', { json: { models: ['deepseek/deepseek-v4-pro'], currency: 'CNY', at: '2026-08-20T00:00:00Z', requests: 1440, usage } });
    expect(Number(midnight.body.quotes[0].total)).toBeLessThan(Number(q.total));

    // Business hours in Shanghai (09–17 local = 01–09 UTC, 45 requests in each of those 32 quarter
    // hours): the total POST /v1/quote gives that log, kept in the URL.
    const business = Array.from({ length: 1440 }, (_, i) => ({ ...usage, at: new Date(day + (4 + Math.floor(i / 45)) * SLOT + SLOT / 2).toISOString() }));
    const b = await request(s.url, '/v1/quote', { json: { models: ['deepseek/deepseek-v4-pro'], currency: 'CNY', usage: business } });
    expect(b.status).toBe(200);
    expect(b.body.quotes[0].total).not.toBe(q.total);
    await page.selectOption('#spread', 'business');
    await page.locator('#tz').fill('Asia/Shanghai');
    await expect.poll(() => cell.getAttribute('data-total')).toBe(String(b.body.quotes[0].total));
    expect(new URL(page.url()).searchParams.get('spread')).toBe('business');
    expect(new URL(page.url()).searchParams.get('tz')).toBe('Asia/Shanghai');
    await screenshot(page, 'web-compare-spread');
    expectClean(w);
    await w.context.close();
  });

  it('prices an uploaded usage log (CSV, raw API model names) per model and day, as POST /v1/quote does', async () => {
    // 1,200 requests over three days, at every hour, named as DeepSeek's API answers ("deepseek-chat").
    const rows: Array<{ at: string; model: string; input: number; cached: number; output: number }> = [];
    for (let i = 0; i < 1200; i++) {
      const at = new Date(Date.parse('2026-05-01T00:00:00Z') + i * 216_000).toISOString(); // every 3.6 min
      rows.push({ at, model: i % 3 === 0 ? 'deepseek-reasoner' : 'deepseek-chat', input: 2000 + (i % 7) * 100, cached: 1000, output: 300 + (i % 5) * 10 });
    }
    const csv = 'timestamp,model,prompt_tokens,cached_tokens,completion_tokens\n' + rows.map((r) => `${r.at.replace('T', ' ').slice(0, 19)},${r.model},${r.input},${r.cached},${r.output}`).join('\n') + '\n';
    const w = await visit('/compare?models=deepseek/deepseek-v4-pro');
    const { page } = w;
    await page.locator('#log-file').setInputFiles({ name: 'usage.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const table = page.locator('#log-table');
    await table.waitFor();
    expect(await page.locator('#log-status').innerText()).toContain('Priced 1200 requests on 3 days and 2 models');
    for (const name of ['deepseek-chat', 'deepseek-reasoner']) {
      const row = table.locator(`tr[data-model="${name}"]`);
      // The raw name resolved through its alias to the model it named then.
      expect(await row.getAttribute('data-resolved')).toBe('deepseek/deepseek-v4-flash');
      for (const day of ['2026-05-01', '2026-05-02', '2026-05-03']) {
        const log = rows
          .filter((r) => r.model === name && r.at.startsWith(day))
          .map((r) => ({ at: r.at, inputTokens: r.input, cacheReadTokens: r.cached, cacheWriteTokens: 0, outputTokens: r.output }));
        const api = await request(s.url, '/v1/quote', { json: { models: [`deepseek/${name}`], usage: log } });
        expect(api.status).toBe(200);
        expect(await row.locator(`td[data-label="${day}"]`).getAttribute('data-total')).toBe(String(api.body.quotes[0].total));
      }
    }
    await screenshot(page, 'web-compare-usage-log');
    expectClean(w);
    await w.context.close();
  });
});

describe('diff', () => {
  it('lists the differences between two dates with percentages and types, filtered by provider', async () => {
    const api = await request(s.url, '/v1/diff?from=2026-05-01&to=2026-06-15&provider=xiaomi');
    const w = await visit('/diff?from=2026-05-01&to=2026-06-15&provider=xiaomi');
    const { page } = w;
    expect(w.status).toBe(200);
    const rows = page.locator('#diff-table tbody tr');
    // New lines (first known, added) are folded into a count; the rest are listed, cuts first.
    const folded = api.body.changes.filter((c: any) => c.type === 'first_known' || c.type === 'price_added').length;
    expect(await rows.count()).toBe(api.body.changes.length - folded);
    if (folded) expect(await page.locator('#diff-folded summary').innerText()).toContain(`${folded} new price`);
    expect(await rows.first().getAttribute('data-type')).toBe('price_cut');
    const text = await page.locator('#diff-table').innerText();
    expect(text).toContain('−98.2%');
    expect(text).toContain('tier removed');
    expect(await page.locator('#provider').inputValue()).toBe('xiaomi');
    await screenshot(page, 'web-diff');

    await page.selectOption('#provider', 'deepseek');
    await Promise.all([page.waitForURL(/provider=deepseek/), page.locator('form.controls button[type=submit]').click()]);
    expect(await page.locator('#diff-table tbody tr[data-type="list_changed"]').count()).toBe(6);
    expect(await page.locator('#diff-table').innerText()).toContain('(list 1.74)');
    expectClean(w);
    await w.context.close();
  });
});

describe('errors', () => {
  it('shows API problems as messages, never a blank page', async () => {
    const w = await visit('/diff?from=2026-02-30');
    expect(w.status).toBe(400);
    expect(await w.page.locator('[role=alert]').innerText()).toMatch(/from/);

    const unknown = await w.page.goto(`${s.url}/models/nope/nothing`);
    expect(unknown?.status()).toBe(404);
    expect(await w.page.locator('[role=alert]').innerText()).toMatch(/unknown model/i);

    // The calculator: an unknown model gets its own message; the others are still priced.
    await w.page.goto(`${s.url}/compare?models=deepseek/deepseek-v4-pro,nope/nothing&input=1000&hit=0.5&output=100&rpd=1&at=2026-06-01&currency=USD`);
    const bad = w.page.locator('#quote-table tr[data-model="nope/nothing"]');
    await bad.waitFor();
    expect(await bad.innerText()).toMatch(/unknown model/i);
    expect(await w.page.locator('#quote-table tr[data-model="deepseek/deepseek-v4-pro"] td.quote-total').count()).toBe(1);

    // Keyboard: type a model id and press Enter to add it; remove the unknown one with its button.
    await w.page.locator('#add-model').fill('anthropic/claude-sonnet-4-6');
    await w.page.locator('#add-model').press('Enter');
    const sonnet = w.page.locator('#quote-table tr[data-model="anthropic/claude-sonnet-4-6"] td.quote-total');
    await sonnet.waitFor();
    expect(await sonnet.getAttribute('data-currency')).toBe('USD');
    await w.page.locator('button[data-remove="nope/nothing"]').click();
    await expect.poll(() => w.page.locator('#quote-table > tbody > tr').count()).toBe(2);
    expect(new URL(w.page.url()).searchParams.get('models')).toBe('deepseek/deepseek-v4-pro,anthropic/claude-sonnet-4-6');
    // Words instead of an id: "opus 4.6" becomes the one direct model it names, priced.
    await w.page.locator('#add-model').fill('opus 4.6');
    await w.page.locator('#add-model').press('Enter');
    await w.page.locator('#quote-table tr[data-model="anthropic/claude-opus-4-6"] td.quote-total').waitFor();
    expect(await w.page.locator('#quote-table tr[data-error="true"]').count()).toBe(0);
    expectClean(w, EXPECTED_4XX);
    await w.context.close();
  });
});
