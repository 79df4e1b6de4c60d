// LiteLLM in the timeline. (1) A model on Google's own page and in LiteLLM with a different
// price — Gemini 2.5 Flash-Lite context caching: the page (data/google.json, read from
// ai.google.dev) says 0.025, LiteLLM 0.01 — gives one effective price, the page's, and one
// disagreement; where they agree the line says LiteLLM also reports it. (2) A backfill over a real
// slice of the published file's history (five entries at every archive commit where one changed,
// replayed into a temp git repo with the original commit times) gives the same timeline walked
// oldest first, newest first or shuffled, and dates an undated change between two commits.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCatalog } from '../src/catalog/ingest.ts';
import { backfillCatalog } from '../src/catalog/backfill.ts';
import { commitsTouching, type CommitInfo } from '../src/catalog/git.ts';
import { disagreements } from '../src/catalog/disagreements.ts';
import { catalogFixtures } from '../src/catalog/fixtures.ts';
import { priceSheet } from '../src/timeline/queries.ts';
import { getCatalog } from '../scrapers/catalogs.ts';
import type { Database } from '../src/db/client.ts';
import { freshDatabase } from './helpers/db.ts';
import { backfillTimeline, importOwnFacts, readHistorySlice, replayHistory } from './helpers/catalog.ts';

const catalog = getCatalog('litellm');
const opened: Database[] = [];
afterAll(() => opened.forEach((d) => d.close()));

describe('precedence: Google’s page and LiteLLM on Gemini 2.5 Flash-Lite', () => {
  const [fixture] = catalogFixtures(catalog);
  const observedAt = Date.parse(fixture.meta.date);
  const model = 'google/gemini-2.5-flash-lite';
  let d: Database;

  beforeAll(async () => {
    d = await freshDatabase();
    opened.push(d);
    // Google's own facts only (data/ also holds other catalogs' series).
    await importOwnFacts(d, 'google');
    const run = await ingestCatalog(d, catalog, readFileSync(fixture.inputFile, 'utf8'), {
      url: fixture.meta.url,
      observedAt,
      confirmed: true,
      commit: { sha: fixture.meta.commit, path: fixture.meta.paths[0], repo: fixture.meta.archive },
      officialProviders: new Set(['google']),
    });
    expect(run.outcome).toBe('ok');
    expect(run.runs.map((r) => r.outcome).filter((o) => o !== 'ok' && o !== 'partial')).toEqual([]);
  });

  const flat = (prices: any[], component: string) => prices.find((p) => p.component === component && p.currency === 'USD' && Object.keys(p.conditions).length === 0);

  it("serves the page's cache price (0.025, high), not LiteLLM's 0.01", async () => {
    const s = await priceSheet(d.db, { model, at: observedAt, asOf: observedAt });
    const hit = flat(s.prices, 'cache_read');
    expect(hit).toMatchObject({ amount: '0.025', confidence: 'high' });
    expect(hit.sources[0].url).toMatch(/^https:\/\/ai\.google\.dev\//);
    expect(hit.alsoReportedBy ?? []).not.toContain('litellm');
  });

  it('says LiteLLM agrees where it does (input 0.1, output 0.4)', async () => {
    const s = await priceSheet(d.db, { model, at: observedAt, asOf: observedAt });
    expect(flat(s.prices, 'input')).toMatchObject({ amount: '0.1', confidence: 'high', alsoReportedBy: ['litellm'] });
    expect(flat(s.prices, 'output')).toMatchObject({ amount: '0.4', alsoReportedBy: ['litellm'] });
  });

  it('keeps the LiteLLM observation at medium confidence, cited with the archive commit', async () => {
    const r = await d.client.execute(`SELECT f.amount, f.confidence, f.sources FROM facts f JOIN series s ON s.id = f.series_id WHERE s.model = '${model}' AND s.component = 'cache_read' AND s.conditions = '{}' AND s.origin = 'litellm'`);
    expect(r.rows.map((x) => [x.amount, x.confidence])).toEqual([['0.01', 'medium']]);
    const src = JSON.parse(String(r.rows[0].sources))[0];
    expect(src.url).toBe(`${fixture.meta.url}#gemini`);
    expect(src.archiveUrl).toBe(`https://github.com/RoCry/llm-api-price/blob/${fixture.meta.commit}/model_prices_and_context_window.json`);
  });

  it('lists exactly one disagreement, the cache line, with each value and its source', async () => {
    const all = await disagreements(d.db, { model, asOf: observedAt, since: observedAt });
    expect(all.map((x) => [x.component, x.conditions])).toEqual([['cache_read', {}]]);
    expect(all[0].effective).toBe('provider');
    expect(all[0].values.map((v) => [v.source, v.amount])).toEqual([
      ['provider', '0.025'],
      ['litellm', '0.01'],
    ]);
    expect(all[0].values[1].since).toBe(new Date(observedAt).toISOString());
  });
});

describe('litellm backfill over a real slice of history', () => {
  const slice = readHistorySlice('litellm', 'entries-5.json');
  let gitDir = '';
  let commits: CommitInfo[] = [];

  beforeAll(() => {
    gitDir = replayHistory(slice);
    commits = commitsTouching(gitDir, catalog.history.paths);
  });

  const timeline = (order: CommitInfo[]) => backfillTimeline(catalog, gitDir, order, opened, { archive: 'RoCry/llm-api-price' });

  it('replays every commit of the slice', () => {
    expect(commits.length).toBe(slice.commits.length);
    expect(commits.length).toBeGreaterThanOrEqual(10);
  });

  it('gives the same timeline in any order, with no failed run', async () => {
    const forward = await timeline(commits);
    const backward = await timeline([...commits].reverse());
    const shuffled = await timeline([...commits].sort((a, b) => (a.sha < b.sha ? -1 : 1)));
    expect(forward.result.failed).toBe(0);
    expect(forward.rows.length).toBeGreaterThan(30);
    expect(backward.rows).toEqual(forward.rows);
    expect(shuffled.rows).toEqual(forward.rows);
  });

  it('an undated change is detected between the two archive commits around it (DeepSeek chat input 0.14 → 0.27 → 0.28)', async () => {
    const { rows } = await timeline(commits);
    const input = rows.filter((r) => r.model === 'deepseek/deepseek-chat' && r.component === 'input' && r.conditions === '{}');
    expect(input.map((r) => r.amount)).toEqual(['0.14', '0.27', '0.28']);
    const cut = commits.findIndex((c) => new Date(c.at).toISOString().startsWith('2026-01-13'));
    expect(JSON.parse(String(input[2].detected_between))).toEqual([commits[cut - 1].at, commits[cut].at]);
    const changed = rows.filter((r) => r.detected_between !== null);
    expect(changed.length).toBeGreaterThan(0);
    for (const r of changed) {
      const [a, b] = JSON.parse(String(r.detected_between)) as number[];
      const i = commits.findIndex((c) => c.at === b);
      expect(i).toBeGreaterThan(0);
      expect(commits[i - 1].at).toBe(a);
    }
    for (const r of rows) expect(r.origin).toBe('litellm');
  });

  it("cites each commit in the archive the git dir is (--archive), not in LiteLLM's repository", async () => {
    const d = await freshDatabase();
    opened.push(d);
    await backfillCatalog(d, catalog, gitDir, { commits: commits.slice(0, 2), archive: 'RoCry/llm-api-price' });
    const r = await d.client.execute(`SELECT DISTINCT f.sources FROM facts f`);
    const urls = r.rows.flatMap((x) => (JSON.parse(String(x.sources)) as Array<{ archiveUrl?: string }>).map((s) => s.archiveUrl));
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toMatch(/^https:\/\/github\.com\/RoCry\/llm-api-price\/blob\/[0-9a-f]{40}\/model_prices_and_context_window\.json$/);
    await expect(backfillCatalog(d, catalog, gitDir, { archive: 'not a repo' })).rejects.toThrow(/owner\/name/);
  });
});
