// A model on both the provider's own page and a catalog, with different prices: one effective
// price (the page's, confidence high) and one disagreement; where they agree the line says so.
// Real data: data/deepseek.json (DeepSeek's pages) and llm-prices' data/deepseek.json at a commit.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCatalog } from '../src/catalog/ingest.ts';
import { disagreements } from '../src/catalog/disagreements.ts';
import { catalogFixtures } from '../src/catalog/fixtures.ts';
import { history, priceSheet } from '../src/timeline/queries.ts';
import { getCatalog } from '../scrapers/catalogs.ts';
import { importOwnFacts } from './helpers/catalog.ts';
import { freshDatabase } from './helpers/db.ts';
import type { Database } from '../src/db/client.ts';

let d: Database;
const llm = getCatalog('llm-prices');
const fixture = catalogFixtures(llm).find((f) => f.name.startsWith('deepseek-'))!;
const observedAt = Date.parse(fixture.meta.date);

beforeAll(async () => {
  d = await freshDatabase();
  // DeepSeek's own facts only (data/ also holds the catalogs' series, which this test adds itself).
  await importOwnFacts(d, 'deepseek');
  const run = await ingestCatalog(d, llm, readFileSync(fixture.inputFile, 'utf8'), {
    url: fixture.meta.url,
    observedAt,
    confirmed: true,
    commit: { sha: fixture.meta.commit, path: fixture.meta.paths[0] },
    officialProviders: new Set(['deepseek']),
  });
  expect(run.outcome).toBe('ok');
  expect(run.runs.map((r) => r.outcome)).toEqual(['ok']);
});
afterAll(() => d?.close());

const flat = (prices: any[], component: string) => prices.find((p) => p.component === component && p.currency === 'USD' && Object.keys(p.conditions).length === 0);

describe('precedence', () => {
  it("serves the provider's cache-hit price for deepseek-v4-flash (0.0028), not the catalog's (0.028)", async () => {
    const s = await priceSheet(d.db, { model: 'deepseek/deepseek-v4-flash', at: observedAt, asOf: observedAt });
    const hit = flat(s.prices, 'cache_read');
    expect(hit).toMatchObject({ amount: '0.0028', confidence: 'high' });
    expect(hit.sources[0].url).toMatch(/^https:\/\/api-docs\.deepseek\.com/);
    expect(hit.alsoReportedBy ?? []).not.toContain('llm-prices');
  });

  it('says which other source agrees where they do (input 0.14, output 0.28)', async () => {
    const s = await priceSheet(d.db, { model: 'deepseek/deepseek-v4-flash', at: observedAt, asOf: observedAt });
    expect(flat(s.prices, 'input')).toMatchObject({ amount: '0.14', confidence: 'high', alsoReportedBy: ['llm-prices'] });
    expect(flat(s.prices, 'output')).toMatchObject({ amount: '0.28', alsoReportedBy: ['llm-prices'] });
  });

  it('keeps the catalog observation, cited with its commit, at medium confidence', async () => {
    const r = await d.client.execute(`SELECT f.amount, f.confidence, f.sources FROM facts f JOIN series s ON s.id = f.series_id WHERE s.model = 'deepseek/deepseek-v4-flash' AND s.component = 'cache_read' AND s.origin = 'llm-prices'`);
    expect(r.rows.length).toBe(1);
    expect(r.rows[0].amount).toBe('0.028');
    expect(r.rows[0].confidence).toBe('medium');
    const src = JSON.parse(String(r.rows[0].sources))[0];
    expect(src.url).toBe(`${fixture.meta.url}#deepseek`);
    expect(src.archiveUrl).toBe(`https://github.com/simonw/llm-prices/blob/${fixture.meta.commit}/data/deepseek.json`);
  });

  it('lists exactly one disagreement for the cache-hit line, each value with its source and since when', async () => {
    const all = await disagreements(d.db, { model: 'deepseek/deepseek-v4-flash', asOf: observedAt, since: observedAt });
    expect(all.map((x) => x.component)).toEqual(['cache_read']);
    const [x] = all;
    expect(x.effective).toBe('provider');
    expect(x.values.map((v) => [v.source, v.amount])).toEqual([
      ['provider', '0.0028'],
      ['llm-prices', '0.028'],
    ]);
    expect(x.values[1].since).toBe(new Date(observedAt).toISOString());
    expect(x.to).toBeNull();
  });

  it("the provider's own history and change feed are not touched by the catalog", async () => {
    const h = await history(d.db, { model: 'deepseek/deepseek-v4-flash', asOf: observedAt });
    expect(h.facts.length).toBeGreaterThan(0);
    for (const f of h.facts) for (const src of f.sources) expect(src.url.startsWith(fixture.meta.url)).toBe(false);
  });
});
