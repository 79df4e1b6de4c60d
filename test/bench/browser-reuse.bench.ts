// Browser reuse benchmark: pages per minute rendering the constructed OpenAI page (served on
// 127.0.0.1, with the scraper's real click-through) N times with one reused Chromium versus a fresh
// Chromium per page. Not part of npm test.
//   npx tsx test/bench/browser-reuse.bench.ts [--pages 20]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserPool } from '../../src/scrape/fetch-browser.ts';
import openai from '../../scrapers/openai/index.ts';
import { ROOT } from '../helpers/fixtures.ts';

const PAGE = join(ROOT, 'scrapers/openai/fixtures/openai-docs-pricing-2025-12-19-constructed.html');

export interface BrowserReuseResult {
  pages: number;
  reusedPagesPerMin: number;
  perPagePagesPerMin: number;
  /** reused / per page: how many times faster reuse is. */
  ratio: number;
}

export async function runBrowserReuseBench(pages = 20): Promise<BrowserReuseResult> {
  const html = readFileSync(PAGE);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/docs/pricing`;
  const steps = openai.browser!;
  const check = (body: string) => {
    // Every render must really be complete, or the timing means nothing.
    const n = openai.parse(body, { url: openai.pages[0].url, observedAt: '2025-12-19T00:00:00Z' }).observations.length;
    if (n < openai.minRows) throw new Error(`incomplete render: ${n} observations`);
  };
  const perMinute = (ms: number) => Math.round((pages / (ms / 60_000)) * 10) / 10;

  try {
    // Warm up once (disk cache for the binary), not timed.
    const warm = new BrowserPool({ maxConcurrentPages: 1 });
    check((await warm.render(url, steps)).body);
    await warm.close();

    // One browser, reused for every page (one page at a time, like a scrape run).
    let t = performance.now();
    const pool = new BrowserPool({ maxConcurrentPages: 1 });
    for (let i = 0; i < pages; i++) check((await pool.render(url, steps)).body);
    await pool.close();
    const reusedMs = performance.now() - t;

    // A fresh browser for each page: launch, render, close.
    t = performance.now();
    for (let i = 0; i < pages; i++) {
      const single = new BrowserPool({ maxConcurrentPages: 1 });
      check((await single.render(url, steps)).body);
      await single.close();
    }
    const perPageMs = performance.now() - t;

    const reusedPagesPerMin = perMinute(reusedMs);
    const perPagePagesPerMin = perMinute(perPageMs);
    return { pages, reusedPagesPerMin, perPagePagesPerMin, ratio: Math.round((perPageMs / reusedMs) * 100) / 100 };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--pages');
  const r = await runBrowserReuseBench(i > 0 ? Number(process.argv[i + 1]) : 20);
  console.log(`browser reuse, ${r.pages} pages of the constructed OpenAI page (with clicks):`);
  console.log(`  one reused browser : ${r.reusedPagesPerMin} pages/min`);
  console.log(`  a browser per page : ${r.perPagePagesPerMin} pages/min`);
  console.log(`  ratio (reused / per page): ${r.ratio}×`);
}
