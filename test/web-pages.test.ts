// The web page in real headless Chromium against the real server (127.0.0.1, a libsql file seeded
// from data/): every view loads with real figures; the model page charts DeepSeek V4-Pro with its
// promotion shaded and Sonnet 5's announced rise dashed; the calculator shows exactly what
// POST /v1/quote answers and follows the cache-hit slider; API errors become messages; no console
// error, and no request leaves the server. Screenshots go to test/artifacts/ (gitignored).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from './helpers/chromium.ts';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './helpers/browser.ts';
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

const EXPECTED_4XX = /Failed to load resource: the server responded with a status of 4\d\d/;

describe('overview', () => {
  it('lists the providers with scraper health, the latest changes with badges, and filters models as you type', async () => {
    const w = await visit('/');
    expect(w.status).toBe(200);
    const { page } = w;

    const providers = page.locator('#providers tbody tr');
    // One row per provider file in data/.
    const providerFiles = readdirSync(join(ROOT, 'data')).filter((f) => f.endsWith('.json')).length;
    await expect.poll(() => providers.count()).toBe(providerFiles);
    expect(await page.locator('#providers').innerText()).toMatch(/DeepSeek[\s\S]*Xiaomi/);
    expect(await page.locator('#providers tr[data-provider="openrouter"] td.num').innerText()).toMatch(/^\d{3}$/);
    expect(await page.locator('#providers tr[data-provider="deepseek"]').innerText()).toMatch(/healthy[\s\S]*2026-11-27 06:00/);
    expect(await page.locator('#providers tr[data-provider="xiaomi"]').innerText()).toMatch(/failing ×2[\s\S]*layout changed: no price table found/);
    expect(await page.locator('#providers tr[data-provider="anthropic"]').innerText()).toContain('not run here yet');

    // Xiaomi's 2026-05-26 cut is one event: cut badges, the deepest cut, and its lines on opening.
    const mimo = page.locator('#latest-changes li[data-provider="xiaomi"][data-day="2026-05-26"]');
    await expect.poll(() => mimo.count()).toBe(1);
    expect(await mimo.locator('summary').innerText()).toMatch(/cut[\s\S]*tier removed|tier removed[\s\S]*cut/);
    expect(await mimo.locator('summary').innerText()).toContain('−99.1%');
    await mimo.locator('summary').click();
    const line = mimo.locator('tr[data-type="price_cut"][data-model="xiaomi/mimo-v2.5-pro"]').filter({ hasText: 'Cache read' });
    expect(await line.innerText()).toMatch(/0\.2\s+0\.0036\s+−98\.2%/);
    expect(await page.locator('#latest-changes li[data-provider="deepseek"][data-day="2026-04-25"] .badge-promo').count()).toBeGreaterThan(0);

    // Filter as you type; the URL follows.
    const total = await page.locator('#model-list li').count();
    expect(total).toBeGreaterThan(300);
    await page.locator('#q').pressSequentially('v4-pro');
    const visible = page.locator('#model-list li:not([hidden])');
    await expect.poll(() => visible.count()).toBeLessThan(10);
    const texts = await visible.allInnerTexts();
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((t) => t.toLowerCase().includes('v4-pro'))).toBe(true);
    expect(texts.some((t) => t.includes('deepseek/deepseek-v4-pro'))).toBe(true);
    expect(new URL(page.url()).searchParams.get('q')).toBe('v4-pro');
    await expect.poll(() => page.locator('#model-count').innerText()).toMatch(new RegExp(`^${texts.length} of ${total} models match$`));

    await page.locator('#q').fill('');
    await screenshot(page, 'web-overview');
    expectClean(w);
    await w.context.close();
  });

  it('filters on the server for ?q= (the form without JavaScript)', async () => {
    const r = await request(s.url, '/?q=mimo');
    expect(r.status).toBe(200);
    const shown = [...r.text.matchAll(/<li data-search="([^"]*)"(?! hidden)>/g)].map((m) => m[1]);
    const hidden = [...r.text.matchAll(/<li data-search="([^"]*)" hidden="">/g)].map((m) => m[1]);
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown.every((t) => t.includes('mimo'))).toBe(true);
    expect(hidden.length).toBeGreaterThan(300);
    expect(r.text).toContain(`${shown.length} of ${shown.length + hidden.length} models match`);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
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
    return r.body.quotes as Array<{ model: string; total: number }>;
  };
  const totals = (page: WatchedPage['page']) =>
    page.locator('#quote-table td.quote-total').evaluateAll((cells) => cells.map((c) => ({ total: (c as HTMLElement).dataset.total, text: c.textContent })));

  it('shows what /v1/quote answers, over time too, and follows the cache-hit slider', async () => {
    const w = await visit(PATH);
    const { page } = w;
    await expect.poll(() => page.locator('#quote-table td.quote-total').count()).toBe(2);

    const expected = await quote('2026-06-01T00:00:00Z', 80_000);
    expect(expected.map((q) => q.total)).toEqual([1.82, 1.82]);
    expect(await totals(page)).toEqual(expected.map((q) => ({ total: String(q.total), text: 'CNY 1.82' })));
    expect(await page.locator('#quote-table tr[data-model="deepseek/deepseek-v4-pro"]').innerText()).toContain('CNY 54.60');

    // The chart over time: quoted at each change of these prices; a point equals the API's answer.
    const chart = page.locator('#cost-chart');
    await chart.locator('canvas').first().waitFor();
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(4);
    // Launch day, list prices before the promotion (MiMo had no CNY price yet).
    const [launch] = await quote('2026-04-24T00:00:00Z', 80_000, [MODELS[0]]);
    expect(launch.total).toBe(8);
    const row = page.locator('#over-time-table tbody tr').filter({ hasText: '2026-04-24' });
    // (textContent: the table sits in a closed <details>.)
    const cells = await row.locator('td').allTextContents();
    expect(cells.map((c) => c.trim())).toEqual(['CNY 8.00', '—']);
    await screenshot(page, 'web-compare');

    // Keyboard: Home takes the slider to 0% cache hits; the figures follow, still the API's.
    await page.locator('#hit').focus();
    await page.keyboard.press('Home');
    expect(await page.locator('#hit-out').innerText()).toBe('0%');
    const noCache = await quote('2026-06-01T00:00:00Z', 0);
    await expect.poll(() => totals(page).then((t) => t.map((x) => x.total))).toEqual(noCache.map((q) => String(q.total)));
    expect(noCache[0].total).toBeGreaterThan(1.82);
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

describe('diff', () => {
  it('lists the differences between two dates with percentages and types, filtered by provider', async () => {
    const api = await request(s.url, '/v1/diff?from=2026-05-01&to=2026-06-15&provider=xiaomi');
    const w = await visit('/diff?from=2026-05-01&to=2026-06-15&provider=xiaomi');
    const { page } = w;
    expect(w.status).toBe(200);
    const rows = page.locator('#diff-table tbody tr');
    expect(await rows.count()).toBe(api.body.changes.length);
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
    expectClean(w, EXPECTED_4XX);
    await w.context.close();
  });
});
