// A broken page never becomes a price change: every way a fetch or a page can go wrong leaves
// the timeline as it was, with a failed or suspect run that says why.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deepseek from '../scrapers/deepseek/index.ts';
import anthropic from '../scrapers/anthropic/index.ts';
import type { Scraper } from '../src/scrape/contract.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { scrapeProvider } from '../src/scrape/run.ts';
import { priceSheet } from '../src/timeline/queries.ts';
import { resetFetchStaticState } from '../src/scrape/fetch-static.ts';
import { freshDatabase, factCount } from './helpers/db.ts';
import { startTestServer, type TestServer } from './helpers/http.ts';

const ZH_URL = 'https://api-docs.deepseek.com/zh-cn/quick_start/pricing';
const good = readFileSync('scrapers/deepseek/fixtures/deepseek-zh-2026-07-html-fragment.html', 'utf8');
const englishPage = readFileSync('scrapers/deepseek/fixtures/deepseek-en-2026-05-23-constructed-from-clipping.html', 'utf8');
const anthropicPage = readFileSync('scrapers/anthropic/fixtures/anthropic-2026-08-21-30e477cd.md', 'utf8');
// The Chinese page only, so each run is one page.
const zhOnly: Scraper = { ...deepseek, pages: deepseek.pages.filter((p) => p.url === ZH_URL) };

const html = (body: string, type = 'text/html; charset=utf-8') => (_q: unknown, r: import('node:http').ServerResponse) => r.writeHead(200, { 'content-type': type }).end(body);
const status = (code: number, headers: Record<string, string> = {}) => (_q: unknown, r: import('node:http').ServerResponse) => r.writeHead(code, headers).end(`error ${code}`);

let d: Awaited<ReturnType<typeof freshDatabase>>;
let server: TestServer;
let clock = Date.parse('2026-07-25T00:00:00Z');
const now = () => (clock += 3_600_000);

async function eventCount(): Promise<number> {
  return Number((await d.client.execute('SELECT count(*) AS c FROM events')).rows[0].c);
}

async function scrape() {
  resetFetchStaticState();
  const [run] = await scrapeProvider(d, zhOnly, {
    fetchUrl: () => `${server.url}/zh-cn/quick_start/pricing`,
    staticOptions: { retries: 1, baseDelayMs: 1, sleep: async () => {}, timeoutMs: 400, robots: false },
    emitEvents: true,
    now,
  });
  return run;
}

beforeAll(async () => {
  d = await freshDatabase();
  server = await startTestServer();
  // The real page as the known state.
  const base = await ingestPage(d, { scraper: zhOnly, url: ZH_URL, body: Buffer.from(good), observedAt: Date.parse('2026-07-24T00:00:00Z'), confirmed: true });
  expect(base.outcome).toBe('ok');
});
afterAll(async () => {
  await server.close();
  d.close();
});

type Outcome = 'failed' | 'suspect' | 'partial';
// A cell a parser refuses fails the page, or — read row by row (scrapers/_kit) — is an unread row.
const REFUSED_CELL: Outcome[] = ['failed', 'partial', 'suspect'];
const cases: Array<[string, import('./helpers/http.ts').Handler, Outcome | Outcome[], RegExp]> = [
  ['empty body', html(''), 'failed', /empty/i],
  ['an HTML error page', html('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>'), 'failed', /error|502|layout/i],
  ['a challenge page', html('<html><head><title>Just a moment...</title></head><body>Checking your browser before accessing</body></html>'), 'failed', /challenge|moment|bot/i],
  ['a login page', html('<html><head><title>Sign in</title></head><body><form><input type="password"> Sign in to continue</form></body></html>'), 'failed', /login|sign in/i],
  ['403', status(403), 'failed', /403/],
  ['404', status(404), 'failed', /404/],
  ['429 with Retry-After', status(429, { 'retry-after': '1' }), 'failed', /429/],
  ['500', status(500), 'failed', /500/],
  ['a timeout', () => {}, 'failed', /within 400 ms|time/i],
  ['a reset connection', (q) => q.socket.destroy(), 'failed', /RetryableFetchError|reset|socket|closed/i],
  ['truncated HTML', html(good.slice(0, Math.floor(good.length * 0.6))), 'failed', /truncat|incomplete|missing|layout/i],
  ['a table missing a row', html(good.replace(/<tr>(?:(?!<tr>).)*百万tokens输出.*?<\/tr>/s, '')), 'failed', /./],
  ['"$0" not stated as free', html(good.replace('0.025元', '0元')), REFUSED_CELL, /0|free/],
  ['"1.099,00"', html(good.replace('>1元', '>1.099,00元')), REFUSED_CELL, /1\.099,00/],
  ['"3.350"', html(good.replace('>3元', '>3.350元')), REFUSED_CELL, /3\.350/],
  ['a page in another language and currency', html(englishPage), 'failed', /USD|CNY|language|currency/i],
  ['another provider\'s page', html(anthropicPage, 'text/markdown'), 'failed', /./],
  ['binary garbage', html(Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)).toString('latin1'), 'application/octet-stream'), 'failed', /./],
  // A model vanishing holds only that model now (test/pipeline-scoped-guards.test.ts).
  ['an amount of 400 nines', html(good.replace('>3元', `>${'9'.repeat(400)}元`)), 'partial', /implausible|not read/],
  ['a 90% drop seen once', html(good.replace('>3元', '>0.3元')), 'suspect', /moved beyond/],
];

describe('broken inputs leave 0 new facts and 0 changes', () => {
  for (const [name, handler, outcome, reason] of cases) {
    it(name, async () => {
      const facts = await factCount(d);
      const events = await eventCount();
      server.handle(handler);
      const run = await scrape();
      expect(Array.isArray(outcome) ? outcome : [outcome]).toContain(run.outcome);
      expect(run.reason).toMatch(reason);
      expect(run.changes).toEqual([]);
      expect(run.factsAdded).toBe(0);
      expect(await factCount(d)).toBe(facts);
      // A partial run announces itself (scraper.degraded), and nothing else.
      expect(await eventCount()).toBe(events + (run.outcome === 'partial' ? 1 : 0));
      const sheet = await priceSheet(d.db, { model: 'deepseek/deepseek-v4-pro', at: clock, asOf: clock, currency: 'CNY' });
      expect(sheet.prices.find((p) => p.component === 'input')!.amount).toBe('3');
    });
  }
  it(`covers at least 20 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(20));
});

describe('the same 90% drop seen twice is recorded', () => {
  it('takes effect at the first observation that showed it', async () => {
    // The real page again clears what an earlier single sighting left pending.
    server.handle(html(good));
    expect((await scrape()).outcome).toBe('ok');
    server.handle(html(good.replace('>3元', '>0.3元')));
    const first = await scrape();
    const firstAt = clock;
    expect(first.outcome).toBe('suspect');
    const second = await scrape();
    expect(second.outcome).toBe('ok');
    const c = second.changes.find((x) => x.model === 'deepseek/deepseek-v4-pro' && x.component === 'input')!;
    expect(c).toMatchObject({ type: 'price_cut', before: '3', after: '0.3', changePct: -90, effectiveAt: new Date(firstAt).toISOString() });
    // Written to the outbox in the same transaction.
    const ev = await d.client.execute(`SELECT type, payload FROM events ORDER BY created_at DESC LIMIT 20`);
    expect(ev.rows.some((r) => r.type === 'price.changed' && String(r.payload).includes('"after":"0.3"'))).toBe(true);
  });
});

describe('reparse', () => {
  it('re-reading stored snapshots with the same parser changes nothing', async () => {
    const { runCli } = await import('./helpers/cli.ts');
    const facts = await factCount(d);
    const r = await runCli(['reparse', 'deepseek', '--json'], { db: d.file });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: Array<{ factsAdded: number; changes: unknown[] }> };
    expect(out.runs.length).toBeGreaterThan(0);
    expect(out.runs.reduce((n, x) => n + x.factsAdded, 0)).toBe(0);
    expect(await factCount(d)).toBe(facts);
  });
});

void anthropic;
