// Every view of the site, and the API reference at /docs, checked with axe-core in real Chromium at
// desktop width and at 375 px: no serious or critical violation, with the scripts done (the price
// table drawn, the quotes in, the charts drawn; on /docs every operation opened).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './helpers/axe.ts';
import { launchBrowser, openPage } from './helpers/browser.ts';
import { startServerWithRates } from './helpers/fx.ts';
import type { SeededServer } from './helpers/server.ts';

let s: SeededServer;
let browser: Browser;

beforeAll(async () => {
  // With the reference rates: conversions, their refusals and the currency check's disagreements show.
  [s, browser] = await Promise.all([startServerWithRates(), launchBrowser()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/** A view and what shows its scripts have finished. */
const VIEWS: Array<[string, string]> = [
  ['/', '#overview[data-ready="true"]'],
  ['/?q=sonet&currency=USD&sort=output&dir=desc', '#overview[data-ready="true"]'],
  ['/compare?models=deepseek/deepseek-v4-pro,xiaomi/mimo-v2.5-pro&at=2026-08-20&currency=CNY', '#cost-chart canvas'],
  ['/diff', '#diff-table'],
  ['/models/deepseek/deepseek-v4-pro?currency=ALL', 'figure.chart[data-component="output"] canvas'],
  ['/?show=EUR&provider=deepseek', '#overview[data-ready="true"]'],
  ['/models/deepseek/deepseek-v4-pro?currency=EUR&sheetCurrency=EUR', '#charts[data-converted]:not([data-converted="loading"])'],
  ['/models/nope/nothing', '[role=alert]'],
];

describe('accessibility (axe-core, serious and critical)', () => {
  for (const width of [1280, 375]) {
    for (const [path, ready] of VIEWS) {
      it(`${path} at ${width} px`, async () => {
        const w = await openPage(browser, { width, origin: new URL(s.url).origin });
        await w.page.goto(s.url + path);
        await w.page.locator(ready).first().waitFor();
        // Open what is folded, so its content is checked too.
        await w.page.locator('details:not([open]) > summary').evaluateAll((els) => els.slice(0, 20).forEach((e) => (e as HTMLElement).click()));
        expect(await seriousViolations(w.page)).toEqual([]);
        await w.context.close();
      });
    }

    // Every operation open at desktop width; on the phone the first six (the same components, and
    // axe over the whole open reference takes over a minute on this machine).
    it(`/docs at ${width} px, ${width > 400 ? 'every operation' : 'six operations'} open`, async () => {
      const w = await openPage(browser, { width, origin: new URL(s.url).origin });
      await w.page.goto(`${s.url}/docs`);
      const ops = w.page.locator('.opblock-summary-control');
      await ops.first().waitFor();
      // The way home.
      expect(await w.page.locator('header.tt-docs-header a[href="./"]').count()).toBeGreaterThan(0);
      expect(await seriousViolations(w.page)).toEqual([]);
      const n = await ops.count();
      expect(n).toBeGreaterThan(10);
      // (One click each from the page itself: playwright's waits per click take minutes here.)
      const opened = width > 400 ? n : 6;
      await ops.evaluateAll((els, k) => els.slice(0, k).forEach((e) => (e as HTMLElement).click()), opened);
      await expect.poll(() => w.page.locator('.opblock.is-open').count(), { timeout: 20_000 }).toBe(opened);
      await w.page.waitForTimeout(500);
      expect(await seriousViolations(w.page)).toEqual([]);
      await w.context.close();
    }, 120_000);
  }
});
