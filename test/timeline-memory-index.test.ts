// The in-memory timeline index gives the same price-at answers as the SQL path it stands in for,
// over the real dataset: random (model, at, asOf) draws, whole-provider and whole-dataset reads,
// every source and one currency; and a write is seen at once (the index follows the data version).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './helpers/db.ts';
import { effectiveRows, knownFacts, priceSheet, resolveModel } from '../src/timeline/queries.ts';
import { attachTimelineIndex, TimelineIndex, timelineIndexOf } from '../src/timeline/memory-index.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { fixtureBody, listFixtures } from '../src/scrape/fixtures.ts';
import deepseek from '../scrapers/deepseek/index.ts';
import type { FactRow } from '../src/timeline/rows.ts';

type Seeded = Awaited<ReturnType<typeof freshDatabase>>;
let d: Seeded;
let index: TimelineIndex;
let models: string[];
let providers: string[];

beforeAll(async () => {
  d = await freshDatabase({ seed: true });
  index = await TimelineIndex.load(d.db);
  models = (await d.db.all<{ id: string }>(sql`SELECT id FROM models ORDER BY id`)).map((r) => r.id);
  providers = (await d.db.all<{ id: string }>(sql`SELECT id FROM providers ORDER BY id`)).map((r) => r.id);
}, 180_000);
afterAll(() => d?.close());

/** A deterministic generator (mulberry32), so a failing draw can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FROM = Date.parse('2025-01-01T00:00:00Z');
const TO = Date.parse('2027-06-01T00:00:00Z');
const ids = (rows: FactRow[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);

describe('in-memory index = SQL', () => {
  it('on 600 random (model, at, asOf) draws over data/, with and without every source and a currency', async () => {
    const rnd = random(20261201);
    let nonEmpty = 0;
    for (let i = 0; i < 600; i++) {
      const model = models[Math.floor(rnd() * models.length)];
      const at = FROM + Math.floor(rnd() * (TO - FROM));
      // Half the draws at the latest knowledge, half somewhere in the past.
      const asOf = rnd() < 0.5 ? Date.now() : FROM + Math.floor(rnd() * (TO - FROM));
      const every = rnd() < 0.3;
      const sqlRows = await effectiveRows(d.db, [model], at, asOf, undefined, true, every);
      const memRows = index.effectiveRows([model], at, asOf, undefined, every);
      expect(ids(memRows), `${model} at ${new Date(at).toISOString()} asOf ${new Date(asOf).toISOString()} every=${every}`).toEqual(ids(sqlRows));
      if (sqlRows.length) {
        nonEmpty++;
        const currency = sqlRows[0].currency;
        expect(ids(index.effectiveRows([model], at, asOf, currency))).toEqual(ids(await effectiveRows(d.db, [model], at, asOf, currency)));
      }
    }
    expect(nonEmpty).toBeGreaterThan(100); // the draws hit real prices, not only empty instants
  });

  it('for whole providers and the whole dataset at a few instants', async () => {
    const rnd = random(7);
    for (let i = 0; i < 12; i++) {
      const provider = providers[Math.floor(rnd() * providers.length)];
      const list = models.filter((m) => m.startsWith(`${provider}/`));
      const at = FROM + Math.floor(rnd() * (TO - FROM));
      expect(ids(index.effectiveRows(list, at, Date.now()))).toEqual(ids(await effectiveRows(d.db, list, at, Date.now())));
    }
    for (const at of ['2025-06-01T00:00:00Z', '2026-05-01T00:00:00Z', '2026-12-01T00:00:00Z']) {
      const t = Date.parse(at);
      expect(ids(index.effectiveRows(null, t, Date.now()))).toEqual(ids(await effectiveRows(d.db, null, t, Date.now())));
    }
  });

  it('the change feed reads the same facts (every one recorded by asOf, superseded ones too)', async () => {
    const rnd = random(13);
    const factIds = (rows: Array<{ id?: number | string }>) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    for (let i = 0; i < 8; i++) {
      const provider = providers[Math.floor(rnd() * providers.length)];
      const list = models.filter((m) => m.startsWith(`${provider}/`));
      const asOf = i % 2 ? Date.now() : FROM + Math.floor(rnd() * (TO - FROM));
      expect(factIds(index.recordedRows(list, asOf)), `${provider} asOf ${new Date(asOf).toISOString()}`).toEqual(factIds(await knownFacts(d.db, { provider }, asOf)));
    }
    const all = await knownFacts(d.db, {}, Date.now());
    expect(all.length).toBeGreaterThan(10_000);
    expect(factIds(index.recordedRows(null, Date.now()))).toEqual(factIds(all));
    expect(factIds(index.recordedRows(null, Date.now(), 'CNY'))).toEqual(factIds(await knownFacts(d.db, { currency: 'CNY' }, Date.now())));
  });

  it('an attached handle answers from the index and sees a write at once', async () => {
    const scratch = await freshDatabase();
    try {
      attachTimelineIndex(scratch.db);
      const first = await timelineIndexOf(scratch.db)!;
      expect(first.factCount).toBe(0);
      const f = listFixtures('deepseek').find((x) => x.name === 'deepseek-zh-2026-07-html-fragment')!;
      await ingestPage(scratch, { scraper: deepseek, url: f.meta.url, body: Buffer.from(fixtureBody(f)), observedAt: Date.parse('2026-07-24T00:00:00Z'), confirmed: true });
      const sheet = await priceSheet(scratch.db, { model: 'deepseek/deepseek-v4-pro', at: Date.parse('2026-07-25T00:00:00Z'), asOf: Date.parse('2026-07-25T00:00:00Z') });
      expect(sheet.prices.length).toBeGreaterThan(0);
      const now = await timelineIndexOf(scratch.db)!;
      expect(now).not.toBe(first);
      expect(now.factCount).toBeGreaterThan(0);
    } finally {
      scratch.close();
    }
  });

  it('resolves names as the SQL resolver does: every alias of data/ and a draw of model ids, at random instants', async () => {
    const rnd = random(14);
    const aliases = (await d.db.all<{ alias: string }>(sql`SELECT DISTINCT alias FROM aliases ORDER BY alias`)).map((r) => r.alias);
    const names = [...aliases, ...models.filter(() => rnd() < 0.05), ...aliases.slice(0, 50).map((a) => a.toUpperCase())];
    const outcome = (p: Promise<unknown>) => p.then((v) => JSON.stringify(v), (e: Error) => `error: ${e.message}`);
    let viaAlias = 0;
    for (const name of names) {
      const at = FROM + Math.floor(rnd() * (TO - FROM));
      const asOf = rnd() < 0.5 ? Date.now() : FROM + Math.floor(rnd() * (TO - FROM));
      const fromSql = await outcome(resolveModel(d.db, name, at, asOf, null));
      expect(await outcome(resolveModel(d.db, name, at, asOf, index)), `${name} at ${new Date(at).toISOString()}`).toBe(fromSql);
      if (fromSql.includes('aliasOf')) viaAlias++;
    }
    expect(aliases.length).toBeGreaterThan(100);
    expect(viaAlias).toBeGreaterThan(100); // the draws go through aliases, not only exact ids
  });
});
