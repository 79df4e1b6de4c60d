// Issue #16 case 3: pages are parsed in a worker thread with size, depth, time and heap limits.
// The 1.1 MB page of 100k nested <div>s and an oversize page are refused within the limits as a
// recorded failed run, while /healthz of a server in this process keeps answering; an ordinary
// page parses in the worker exactly as in-process.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { getScraper } from '../scrapers/registry.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { closeParseWorker, nestingDepth, PageLimitError, parsePage } from '../src/scrape/parse-worker.ts';
import { freshDatabase } from './helpers/db.ts';
import { withProbe } from './helpers/probe.ts';
import { startSeededServer, type SeededServer } from './helpers/server.ts';

const OPENROUTER_PAGE = new URL('../scrapers/openrouter/fixtures/openrouter-models-2025-12-29T123412-95e496d.json', import.meta.url);
const DEEPSEEK_PAGE = new URL('../scrapers/deepseek/fixtures/deepseek-en-2026-05-23-constructed-from-clipping.html', import.meta.url);
// CONSTRUCTED hostile page (issue #16): 100,000 nested <div>s, about 1.1 MB.
const NESTED = `<html><body>${'<div>'.repeat(100_000)}x${'</div>'.repeat(100_000)}</body></html>`;

let s: SeededServer;
beforeAll(async () => {
  s = await startSeededServer();
});
afterAll(async () => {
  await closeParseWorker();
  await s?.close();
});

describe('parse limits', () => {
  it('measures nesting depth of HTML and JSON, stopping past the limit', () => {
    expect(nestingDepth('<html><body><div><br><img src=x><p>a</p></div></body></html>', 100)).toBe(4);
    expect(nestingDepth('<div><script>if (a<b) { "<div><div>" }</script></div>', 100)).toBe(1);
    expect(nestingDepth('{"a":[{"b":"]]]{{{"}]}', 100)).toBe(3);
    expect(nestingDepth(NESTED, 512)).toBe(513);
    expect(nestingDepth('# markdown', 5)).toBe(0);
  });

  it('the 100k-nested-<div> page is a recorded failed run within a second; /healthz keeps answering', async () => {
    const d = await freshDatabase();
    try {
      const scraper = getScraper('deepseek');
      // The machine's own noise (CI runs test files in parallel): the worst probe while idle.
      const { worstMs: idle } = await withProbe(s.url, () => new Promise((r) => setTimeout(r, 500)));
      const { result: run, ms, worstMs: worst } = await withProbe(s.url, () =>
        ingestPage(d, { scraper, url: scraper.pages[0].url, body: Buffer.from(NESTED), contentType: 'text/html', observedAt: Date.now(), emitEvents: false }),
      );
      console.log(`[hostile-parse-limits] nested divs (${(NESTED.length / 1e6).toFixed(2)} MB): ${run.outcome} in ${ms.toFixed(0)} ms, worst /healthz ${worst.toFixed(1)} ms (idle ${idle.toFixed(1)} ms): ${run.reason}`);
      expect(run.outcome).toBe('failed');
      expect(run.reason).toMatch(/nests deeper than 512/);
      expect(ms).toBeLessThan(5_000);
      // Before the worker the page stalled the loop for the whole parse (58 s of 74 s).
      expect(worst).toBeLessThan(Math.max(200, ms / 4) + idle);
      const rows = await d.db.all<{ outcome: string; reason: string }>(sql`SELECT outcome, reason FROM scrape_runs`);
      expect(rows).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    } finally {
      d.close();
    }
  }, 60_000);

  it('an oversize page is refused before parsing', async () => {
    const d = await freshDatabase();
    try {
      const scraper = getScraper('openrouter');
      const body = Buffer.alloc(21 * 1024 * 1024, ' ');
      body.write('{"data":[');
      const { result: run, ms } = await withProbe(s.url, () =>
        ingestPage(d, { scraper, url: scraper.pages[0].url, body, contentType: 'application/json', observedAt: Date.now(), emitEvents: false }),
      );
      console.log(`[hostile-parse-limits] 21 MiB page: ${run.outcome} in ${ms.toFixed(0)} ms: ${run.reason}`);
      expect(run.outcome).toBe('failed');
      expect(run.reason).toMatch(/over the \d+ limit/);
    } finally {
      d.close();
    }
  }, 60_000);

  it('a parse over the time limit is stopped, and the next page parses in a fresh worker', async () => {
    const scraper = getScraper('openrouter');
    const one = JSON.parse(readFileSync(OPENROUTER_PAGE, 'utf8')) as { data: unknown[] };
    // CONSTRUCTED: the real snapshot's models replicated 20× (ids repeat): a large, valid page.
    const big = JSON.stringify({ ...one, data: Array.from({ length: 20 }, () => one.data).flat() });
    const ctx = { url: scraper.pages[0].url, observedAt: '2025-12-29T12:34:12Z' };
    const err = await parsePage(scraper, big, ctx, { timeoutMs: 5 }).catch((e) => e);
    expect(err).toBeInstanceOf(PageLimitError);
    expect((err as PageLimitError).limit).toBe('timeoutMs');
    const ok = await parsePage(scraper, readFileSync(OPENROUTER_PAGE, 'utf8'), ctx);
    expect(ok.observations.length).toBeGreaterThan(100);
  }, 60_000);

  it('an ordinary page parses in the worker exactly as in-process, errors keep their name', async () => {
    const scraper = getScraper('deepseek');
    const html = readFileSync(DEEPSEEK_PAGE, 'utf8');
    const ctx = { url: scraper.pages[0].url, observedAt: '2026-05-23T00:00:00Z' };
    expect(await parsePage(scraper, html, ctx)).toEqual(JSON.parse(JSON.stringify(scraper.parse(html, ctx))));
    const broken = await parsePage(scraper, '<html><body>nothing here</body></html>', ctx).catch((e) => e);
    let inProcess: Error | undefined;
    try {
      scraper.parse('<html><body>nothing here</body></html>', ctx);
    } catch (e) {
      inProcess = e as Error;
    }
    expect(broken.name).toBe(inProcess?.name);
    expect(broken.message).toBe(inProcess?.message);
  }, 60_000);
});
