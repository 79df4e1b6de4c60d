// The live scheduler's view of a catalog: its published file polled like any page over real HTTP
// on 127.0.0.1 — a conditional GET (ETag), a 304 an unchanged observation, a cut-off file a failed
// run that changes nothing, a changed file a change detected between the two observations.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeCatalog } from '../src/catalog/run.ts';
import { catalogFixtures } from '../src/catalog/fixtures.ts';
import { getCatalog } from '../scrapers/catalogs.ts';
import type { Catalog } from '../src/catalog/contract.ts';
import type { Database } from '../src/db/client.ts';
import { freshDatabase, factCount } from './helpers/db.ts';
import { startTestServer, type TestServer } from './helpers/http.ts';

const llm = getCatalog('llm-prices');
const fixture = catalogFixtures(llm).find((f) => f.name.startsWith('deepseek-'))!;
const original = readFileSync(fixture.inputFile, 'utf8');
// Only the DeepSeek vendor file is polled here.
const catalog: Catalog = { ...llm, urls: [fixture.meta.url] };
let d: Database;
let srv: TestServer;
let body = original;
let etag = '"v1"';

beforeAll(async () => {
  d = await freshDatabase();
  srv = await startTestServer((req, res) => {
    if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
  });
});
afterAll(async () => {
  await srv?.close();
  d?.close();
});

const poll = (at: number) =>
  scrapeCatalog(d, catalog, { fetchUrl: () => `${srv.url}/data/deepseek.json`, staticOptions: { robots: false, retries: 0 }, now: () => at, emitEvents: false });

describe('polling a catalog like a page', () => {
  const t0 = Date.parse('2026-08-06T00:00:00Z');

  it('reads the file: one run for the file, one per provider slice, facts at medium confidence', async () => {
    const runs = await poll(t0);
    expect(runs.map((r) => [r.provider, r.outcome])).toEqual([
      ['llm-prices', 'ok'],
      ['deepseek', 'ok'],
    ]);
    const r = await d.client.execute(`SELECT DISTINCT f.confidence, s.origin FROM facts f JOIN series s ON s.id = f.series_id`);
    expect(r.rows.map((x) => [x.confidence, x.origin])).toEqual([['medium', 'llm-prices']]);
  });

  it('sends the ETag back; a 304 is an unchanged observation', async () => {
    const before = await factCount(d);
    const runs = await poll(t0 + 3600_000);
    expect(srv.requests.at(-1)!.headers['if-none-match']).toBe('"v1"');
    expect(runs.map((r) => r.outcome)).toEqual(['unchanged']);
    expect(await factCount(d)).toBe(before);
  });

  it('a cut-off file is a failed run and every price stands', async () => {
    const before = await factCount(d);
    body = original.slice(0, 300);
    etag = '"v2"';
    const runs = await poll(t0 + 7200_000);
    expect(runs.map((r) => r.outcome)).toEqual(['failed']);
    expect(runs[0].reason).toMatch(/layout changed: llm-prices: not valid JSON/);
    expect(await factCount(d)).toBe(before);
  });

  it('a move beyond the guard waits for a second observation, then takes effect from the first', async () => {
    body = original.replace('"input_cached": 0.028', '"input_cached": 0.0028');
    etag = '"v3"';
    const t1 = t0 + 10_800_000;
    const first = await poll(t1);
    expect(first.map((r) => r.outcome)).toEqual(['ok', 'suspect']);
    expect(first[1].reason).toMatch(/moved beyond the 50% guard/);
    // Not answered with a 304: the suspect slice is read again and confirms.
    const t2 = t1 + 3600_000;
    const second = await poll(t2);
    expect(srv.requests.at(-1)!.headers['if-none-match']).toBeUndefined();
    expect(second.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    const change = second[1].changes.find((c) => c.model === 'deepseek/deepseek-v4-flash' && c.component === 'cache_read')!;
    expect(change).toMatchObject({ before: '0.028', after: '0.0028', type: 'price_cut', effectiveAt: new Date(t1).toISOString() });
    expect(change.detectedBetween).toEqual([new Date(t0 + 3600_000).toISOString(), new Date(t1).toISOString()]);
  });
});
