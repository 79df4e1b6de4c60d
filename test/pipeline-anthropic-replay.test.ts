// Replaying Anthropic's archived pricing pages in date order records what really happened:
// the long-context surcharge dropped for Opus 4.6 and Sonnet 4.6 in March 2026, and Sonnet 5's
// announced rise, known from the 2026-07-25 page, withdrawn by the 2026-08-21 page.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import anthropic from '../scrapers/anthropic/index.ts';
import { ingestPage, type RunSummary } from '../src/scrape/pipeline.ts';
import { listFixtures, fixtureBody } from '../src/scrape/fixtures.ts';
import { changes, priceSheet } from '../src/timeline/queries.ts';
import { freshDatabase, factCount } from './helpers/db.ts';
import { runCli, runJson, tempDb } from './helpers/cli.ts';

// The five copies this test is about (the fixtures may hold more dated copies).
const DATES = ['2026-01-15', '2026-03-10', '2026-03-14', '2026-07-25', '2026-08-21'];
const pages = listFixtures('anthropic')
  .filter((p) => DATES.includes(p.meta.date.slice(0, 10)) && !p.name.includes('thevibeworks'))
  .sort((a, b) => Date.parse(a.meta.date) - Date.parse(b.meta.date));
const URL_MD = 'https://platform.claude.com/docs/en/about-claude/pricing.md';

describe('Anthropic archived pages, ingested in date order', () => {
  let d: Awaited<ReturnType<typeof freshDatabase>>;
  const runs: RunSummary[] = [];
  beforeAll(async () => {
    d = await freshDatabase();
    for (const p of pages) {
      runs.push(await ingestPage(d, { scraper: anthropic, url: p.meta.url, body: Buffer.from(fixtureBody(p)), observedAt: Date.parse(p.meta.date), confirmed: true }));
    }
  });

  it('every page was accepted', () => {
    expect(pages.map((p) => p.meta.date.slice(0, 10))).toEqual(['2026-01-15', '2026-03-10', '2026-03-14', '2026-07-25', '2026-08-21']);
    expect(runs.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('records the long-context surcharge removal for Opus 4.6 and Sonnet 4.6 between 03-10 and 03-14', async () => {
    const r = await changes(d.db, { since: Date.parse('2026-03-10T12:00:00Z'), until: Date.parse('2026-03-15T00:00:00Z'), asOf: Date.now(), limit: 1000 });
    const removed = r.data.filter((c) => c.type === 'tier_removed');
    expect(removed.map((c) => `${c.model} ${c.component} ${c.before}→${c.after}`).sort()).toEqual([
      'anthropic/claude-opus-4-6 input 10→5',
      'anthropic/claude-opus-4-6 output 37.5→25',
      'anthropic/claude-sonnet-4-6 input 6→3',
      'anthropic/claude-sonnet-4-6 output 22.5→15',
    ]);
    for (const c of removed) expect(c.conditions).toEqual({ contextAbove: 200000 });
    // Long prompts on Opus 4.6 now pay the base price: as a quote would pick it.
    const sheet = await priceSheet(d.db, { model: 'anthropic/claude-opus-4-6', at: Date.parse('2026-03-20T00:00:00Z'), asOf: Date.now() });
    expect(sheet.prices.some((p) => p.conditions.contextAbove)).toBe(false);
  });

  it("knows Sonnet 5's rise to $3/$15 from 2026-09-01 as of the 07-25 page, and its withdrawal as of the 08-21 page", async () => {
    const at = Date.parse('2026-09-15T00:00:00Z');
    const base = (s: Awaited<ReturnType<typeof priceSheet>>, component: string) =>
      s.prices.find((p) => p.component === component && Object.keys(p.conditions).length === 0)!.amount;
    const early = await priceSheet(d.db, { model: 'anthropic/claude-sonnet-5', at, asOf: Date.parse('2026-08-01T00:00:00Z') });
    const late = await priceSheet(d.db, { model: 'anthropic/claude-sonnet-5', at, asOf: Date.parse('2026-08-22T00:00:00Z') });
    expect([base(early, 'input'), base(early, 'output')]).toEqual(['3', '15']);
    expect([base(late, 'input'), base(late, 'output')]).toEqual(['2', '10']);
    const upcoming = await changes(d.db, { model: 'anthropic/claude-sonnet-5', upcoming: true, asOf: Date.parse('2026-08-01T00:00:00Z'), limit: 1000 });
    const rise = upcoming.data.find((c) => c.component === 'input' && Object.keys(c.conditions).length === 0)!;
    expect(rise).toMatchObject({ type: 'price_increase', before: '2', after: '3', effectiveAt: '2026-09-01T00:00:00.000Z', announcedAt: '2026-07-25T03:07:29.726Z' });
    const after = await changes(d.db, { model: 'anthropic/claude-sonnet-5', upcoming: true, asOf: Date.parse('2026-08-22T00:00:00Z'), limit: 1000 });
    expect(after.data).toEqual([]);
  });

  it('the withdrawn facts are superseded, not deleted', async () => {
    const rows = await d.client.execute(`SELECT f.amount, f.superseded_at FROM facts f JOIN series s ON s.id = f.series_id
      WHERE s.model = 'anthropic/claude-sonnet-5' AND s.component = 'input' AND s.conditions = '{}' AND f.valid_from = ${Date.parse('2026-09-01T00:00:00Z')}`);
    expect(rows.rows.map((r) => [r.amount, Number(r.superseded_at)])).toEqual([['3', Date.parse('2026-08-21T02:32:13.524Z')]]);
  });

  it('a page whose prices did not change adds nothing, even reformatted ("$1.6" → "$1.60")', async () => {
    const before = await factCount(d);
    const last = pages[pages.length - 1];
    const text = fixtureBody(last).replace(/\$(\d+)\.(\d) /g, '$$$1.$20 ').replace(/\$(\d+) \//g, '$$$1.00 /');
    expect(text).not.toBe(fixtureBody(last)); // the reformatting really changed the page
    const r = await ingestPage(d, { scraper: anthropic, url: last.meta.url, body: Buffer.from(text), observedAt: Date.parse('2026-08-22T00:00:00Z'), confirmed: true });
    expect(r.outcome).toBe('ok');
    expect([r.factsAdded, r.factsSuperseded, r.changes.length]).toEqual([0, 0, 0]);
    expect(await factCount(d)).toBe(before);
    // The identical bytes again: recognised by hash, not even parsed.
    const again = await ingestPage(d, { scraper: anthropic, url: last.meta.url, body: Buffer.from(text), observedAt: Date.parse('2026-08-23T00:00:00Z') });
    expect(again.outcome).toBe('unchanged');
  });
});

describe('the ingest command', () => {
  it('runs the same pipeline from the command line and says what it did', async () => {
    const db = tempDb();
    const p = pages[0];
    const r = await runJson(['ingest', 'anthropic', p.pageFile, '--at', p.meta.date, '--url', URL_MD, '--confirmed'], db);
    expect(r).toMatchObject({ provider: 'anthropic', outcome: 'ok' });
    expect(r.factsAdded).toBeGreaterThan(40);
    expect(readFileSync(p.pageFile, 'utf8').length).toBeGreaterThan(0);
    const bad = await runCli(['ingest', 'anthropic', '/nonexistent.md', '--at', p.meta.date], { db });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('tokentrail: cannot read /nonexistent.md: ENOENT');
    const unknown = await runCli(['ingest', 'nosuch', p.pageFile, '--at', p.meta.date], { db });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown provider|nosuch/);
  });
});
