// Every observation is knowledge: replaying a provider's dated real copies in date order and in
// shuffled orders gives the same timeline (price at every boundary, and the same changes), and an
// older copy ingested after a newer one cannot overrule what the newer one showed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import anthropic from '../scrapers/anthropic/index.ts';
import deepseek from '../scrapers/deepseek/index.ts';
import openrouter from '../scrapers/openrouter/index.ts';
import type { Scraper } from '../src/scrape/contract.ts';
import { ingestPage, type RunSummary } from '../src/scrape/pipeline.ts';
import { reparsePage } from '../src/scrape/reparse.ts';
import { fixtureBody, listFixtures } from '../src/scrape/fixtures.ts';
import { changes, liveFacts, priceSheet } from '../src/timeline/queries.ts';
import { groupByLine, stateAt } from '../src/timeline/changes.ts';
import { freshDatabase, factCount } from './helpers/db.ts';
import { runJson, tempDir } from './helpers/cli.ts';
import { buildProviderDataset, exportDataset, serializeDataset } from '../src/dataset/export.ts';
import { importDataset } from '../src/dataset/import.ts';
import { startSeededServer } from './helpers/server.ts';

type Db = Awaited<ReturnType<typeof freshDatabase>>;
interface Copy {
  name: string;
  url: string;
  at: number;
  body: string;
}
const FAR = Date.parse('2100-01-01T00:00:00Z');
const day = 86_400_000;

const realCopies = (id: string): Copy[] =>
  listFixtures(id)
    .filter((f) => f.meta.fidelity !== 'constructed')
    .map((f) => ({ name: f.name, url: f.meta.url, at: Date.parse(f.meta.date), body: fixtureBody(f) }))
    .sort((a, b) => a.at - b.at);

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(xs: T[], seed: number): T[] {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function replay(scraper: Scraper, copies: Copy[]): Promise<{ d: Db; runs: Map<string, RunSummary> }> {
  const d = await freshDatabase();
  const runs = new Map<string, RunSummary>();
  for (const c of copies) runs.set(c.name, await ingestPage(d, { scraper, url: c.url, body: Buffer.from(c.body), observedAt: c.at, confirmed: true }));
  return { d, runs };
}

/** Every instant where a price may change in either database (and the millisecond before it). */
async function grid(...ds: Db[]): Promise<number[]> {
  const instants = new Set<number>();
  for (const d of ds) for (const f of await liveFacts(d.db, {}, FAR)) for (const t of [f.validFrom, f.validTo]) if (t !== null) (instants.add(t), instants.add(t - 1));
  return [...instants].sort((a, b) => a - b);
}

/** The timeline as known now: effective and list amount of every price line at every instant of the grid. */
async function timeline(d: Db, provider: string, instants: number[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [line, fs] of groupByLine(await liveFacts(d.db, { provider }, FAR)))
    for (const t of instants) {
      const s = stateAt(fs, t);
      if (s.effective) out.set(`${line}\u0000${new Date(t).toISOString()}`, `${s.effective.amount}/${s.list?.amount ?? '-'}`);
    }
  return out;
}

/** Differences between two databases' timelines, for a readable failure. */
async function timelineDiff(a: Db, b: Db, provider: string): Promise<string[]> {
  const g = await grid(a, b);
  const [x, y] = [await timeline(a, provider, g), await timeline(b, provider, g)];
  expect(x.size).toBeGreaterThan(0);
  return differences(x, y);
}

async function changeList(d: Db, provider: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const r = await changes(d.db, { provider, asOf: FAR, limit: 1000, cursor });
    // Withdrawals are knowledge history, not valid time: in date order Sonnet 5's rise is announced
    // (07-21) then withdrawn (08-11); a copy ingested late learns the rise as already corrected.
    for (const c of r.data)
      if (c.type !== 'announcement_withdrawn') out.push([c.model, c.component, c.currency, JSON.stringify(c.conditions), c.type, c.effectiveAt, c.before, c.after].join(' '));
    cursor = r.nextCursor ?? undefined;
  } while (cursor);
  return out.sort();
}

/** Differences between two timelines, for a readable failure. */
function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) out.push(`${k.replaceAll('\u0000', ' ')}: ${a.get(k) ?? 'none'} vs ${b.get(k) ?? 'none'}`);
  return out.slice(0, 10);
}

// OpenRouter: one real copy is stored. The later copies are constructed from it and labelled so:
// what OpenRouter did later (it stopped sending zero-priced request/image/web_search/
// internal_reasoning fields), and one real price moved by 10%.
const orReal = realCopies('openrouter')[0];
const FREE_FIELDS = ['request', 'image', 'web_search', 'internal_reasoning'];
function withoutZeroFields(body: string): string {
  const doc = JSON.parse(body) as { data: Array<{ pricing?: Record<string, string> }> };
  for (const m of doc.data) for (const k of FREE_FIELDS) if (m.pricing?.[k] === '0') delete m.pricing[k];
  return JSON.stringify(doc);
}
const orMoved = orReal.body.replace('"prompt":"0.000003"', '"prompt":"0.0000033"');
const orCopies: Copy[] = [
  orReal,
  { name: 'openrouter-moved-constructed', url: orReal.url, at: orReal.at + 30 * day, body: orMoved },
  { name: 'openrouter-zero-fields-dropped-constructed', url: orReal.url, at: orReal.at + 60 * day, body: withoutZeroFields(orMoved) },
];

const providers: Array<[string, Scraper, Copy[]]> = [
  ['anthropic', anthropic, realCopies('anthropic')],
  ['deepseek', deepseek, realCopies('deepseek')],
  ['openrouter', openrouter, orCopies],
];

describe('replaying dated copies in any order gives one timeline', () => {
  for (const [id, scraper, copies] of providers) {
    it(`${id}: ${copies.length} copies, date order = reversed = shuffled; unchanged copies add nothing`, async () => {
      expect(copies.length).toBeGreaterThanOrEqual(3);
      const base = await replay(scraper, copies);
      const expectedChanges = await changeList(base.d, id);
      const tally = (runs: Map<string, RunSummary>) => [...runs.values()].map((r) => r.outcome);
      // Pages accepted / partial / refused, the same whatever the order.
      const outcomes = tally(base.runs).sort();
      console.log(`${id} replay: ${copies.map((c) => `${c.name}=${base.runs.get(c.name)!.outcome}`).join(', ')}`);
      const orders = [[...copies].reverse(), shuffled(copies, 1), shuffled(copies, 7)];
      for (const order of orders) {
        const other = await replay(scraper, order);
        expect(tally(other.runs).sort()).toEqual(outcomes);
        expect(await timelineDiff(base.d, other.d, id), order.map((c) => c.name).join(' → ')).toEqual([]);
        expect(await changeList(other.d, id)).toEqual(expectedChanges);
        other.d.close();
      }
      // Each copy again (parsed anew, at its own date): nothing new is learned.
      const facts = await factCount(base.d);
      for (const c of copies) {
        const again = await ingestPage(base.d, { scraper, url: c.url, body: Buffer.from(c.body), observedAt: c.at, confirmed: true, force: true });
        if (again.outcome === 'failed') continue;
        expect([c.name, again.factsAdded, again.changes.length]).toEqual([c.name, 0, 0]);
      }
      expect(await factCount(base.d)).toBe(facts);
      base.d.close();
    }, 240_000);
  }
});

describe('an aggregator field that stops being sent', () => {
  it('is not a change when it was free; a real move seen in two consecutive snapshots is confirmed, however far apart', async () => {
    const d = await freshDatabase();
    const t0 = orReal.at;
    // ok, or partial where the parser reports rows it refused (OpenRouter's "-1" prices).
    const accepted = ['ok', 'partial'];
    expect(accepted).toContain((await ingestPage(d, { scraper: openrouter, url: orReal.url, body: Buffer.from(orReal.body), observedAt: t0, confirmed: true })).outcome);
    const dropped = await ingestPage(d, { scraper: openrouter, url: orReal.url, body: Buffer.from(withoutZeroFields(orReal.body)), observedAt: t0 + 60 * day });
    expect(accepted).toContain(dropped.outcome);
    expect(dropped.changes).toEqual([]);
    // Two months later, the same 10% move in two consecutive snapshots three weeks apart.
    const first = await ingestPage(d, { scraper: openrouter, url: orReal.url, body: Buffer.from(withoutZeroFields(orMoved)), observedAt: t0 + 120 * day });
    expect(['suspect', 'partial']).toContain(first.outcome);
    expect(first.held).toEqual([expect.stringMatching(/0\.000003|3 → 3\.3|flap/)]);
    const second = await ingestPage(d, { scraper: openrouter, url: orReal.url, body: Buffer.from(withoutZeroFields(orMoved) + ' '), observedAt: t0 + 141 * day });
    expect(accepted).toContain(second.outcome);
    expect(second.held ?? []).toEqual([]);
    expect(second.changes.length).toBeGreaterThan(0);
    for (const c of second.changes) expect(c).toMatchObject({ type: 'price_increase', before: '3', after: '3.3', effectiveAt: new Date(t0 + 120 * day).toISOString() });
    d.close();
  });

  it('an implausible amount ($1M per token) is refused as a row: partial, the price stands', async () => {
    const d = await freshDatabase();
    await ingestPage(d, { scraper: openrouter, url: orReal.url, body: Buffer.from(orReal.body), observedAt: orReal.at, confirmed: true });
    const bad = orReal.body.replace('"prompt":"0.000003"', '"prompt":"1000000"');
    const r = await ingestPage(d, { scraper: openrouter, url: orReal.url, body: Buffer.from(bad), observedAt: orReal.at + day, confirmed: true });
    expect(r.outcome).toBe('partial');
    expect(r.reason).toMatch(/not read: .*implausible|implausible amount|1000000|plausible/);
    expect(r.changes).toEqual([]);
    // $1M per token is $1e12 per 1M tokens: never stored.
    expect((await d.client.execute(`SELECT count(*) AS c FROM facts WHERE amount = '1000000000000'`)).rows[0].c).toBe(0);
    d.close();
  });
});

// DeepSeek's real Chinese page of 2026-07-24 (v4-pro input 3元), and a copy of it with that cell
// changed to 4元 ("fidelity": "constructed"), dated between two real observations.
const ZH = 'https://api-docs.deepseek.com/zh-cn/quick_start/pricing';
const zhReal = readFileSync('scrapers/deepseek/fixtures/deepseek-zh-2026-07-html-fragment.html', 'utf8');
const zhFour = zhReal.replace('>3元', '>4元');
const jan = Date.parse('2026-07-24T00:00:00Z');
const feb = Date.parse('2026-07-25T00:00:00Z');
const mar = Date.parse('2026-07-26T00:00:00Z');
const v4proInput = async (d: Db, at: number) =>
  (await priceSheet(d.db, { model: 'deepseek/deepseek-v4-pro', at, asOf: FAR, currency: 'CNY' })).prices.find((p) => p.component === 'input' && Object.keys(p.conditions).length === 0)!;

describe('backfilling an older copy after a newer one', () => {
  it('3 (Jan) → 3 (Mar) → a backfilled 4 (Feb): March still reads 3, as in date order', async () => {
    const ingest = (d: Db, body: string, at: number) => ingestPage(d, { scraper: deepseek, url: ZH, body: Buffer.from(body), observedAt: at, confirmed: true });
    const inOrder = await freshDatabase();
    for (const [b, t] of [[zhReal, jan], [zhFour, feb], [zhReal, mar]] as const) await ingest(inOrder, b, t);
    const backfilled = await freshDatabase();
    await ingest(backfilled, zhReal, jan);
    expect((await ingest(backfilled, zhReal, mar)).outcome).toBe('unchanged'); // the same bytes: an observation, not a parse
    const late = await ingest(backfilled, zhFour, feb);
    expect(late.outcome).toBe('ok');
    for (const d of [inOrder, backfilled]) {
      expect((await v4proInput(d, jan + 3_600_000)).amount).toBe('3');
      expect((await v4proInput(d, feb + 3_600_000)).amount).toBe('4');
      expect((await v4proInput(d, mar + 3_600_000)).amount).toBe('3');
    }
    expect(await timelineDiff(inOrder, backfilled, 'deepseek')).toEqual([]);
    expect(await changeList(backfilled, 'deepseek')).toEqual(await changeList(inOrder, 'deepseek'));
    // The March observation confirms the price in force then.
    expect((await v4proInput(backfilled, mar + 3_600_000)).lastConfirmedAt).toBe(new Date(mar).toISOString());
    inOrder.close();
    backfilled.close();
  });

  it('reparse never stretches a snapshot over the dates of one it refuses', async () => {
    const d = await freshDatabase();
    for (const [b, t] of [[zhReal, jan], [zhFour, feb], [zhReal, mar]] as const) await ingestPage(d, { scraper: deepseek, url: ZH, body: Buffer.from(b), observedAt: t, confirmed: true });
    const g = await grid(d);
    const before = await timeline(d, 'deepseek', g);
    // A parser that now refuses the February copy: its dates keep what it taught (4), not January's 3.
    const strict: Scraper = { ...deepseek, parse: (text, ctx) => (text === zhFour ? (() => { throw new Error('refused by the new parser'); })() : deepseek.parse(text, ctx)) };
    const r = await reparsePage(d, strict, ZH);
    expect(r.reason).toMatch(/1 snapshot\(s\) no longer parse/);
    expect([r.factsAdded, r.changes.length]).toEqual([0, 0]);
    expect((await v4proInput(d, feb + 3_600_000)).amount).toBe('4');
    expect(differences(before, await timeline(d, 'deepseek', g))).toEqual([]);
    d.close();
  });
});

describe('lastConfirmedAt on every price line', () => {
  it('is the latest observation that showed the price unchanged: in /v1/prices and the CLI --json', async () => {
    const s = await startSeededServer({ withoutData: true });
    try {
      await ingestPage(s.database, { scraper: deepseek, url: ZH, body: Buffer.from(zhReal), observedAt: jan, confirmed: true });
      await ingestPage(s.database, { scraper: deepseek, url: ZH, body: Buffer.from(zhReal), observedAt: mar });
      const res = await fetch(`${s.url}/v1/prices?model=deepseek/deepseek-v4-pro&at=${new Date(mar + 1).toISOString()}&currency=CNY`);
      expect(res.status).toBe(200);
      const sheet = (await res.json()) as { prices: Array<{ component: string; lastConfirmedAt?: string }> };
      expect(sheet.prices.length).toBeGreaterThan(0);
      for (const p of sheet.prices) expect(p.lastConfirmedAt).toBe(new Date(mar).toISOString());
      // Asked about January, the fact in force then was confirmed last in March too (it has not changed).
      const cli = await runJson(['price', 'deepseek/deepseek-v4-pro', '--at', new Date(jan + 1).toISOString(), '--currency', 'CNY'], `${s.dir}/tokentrail.db`);
      for (const p of cli.prices) expect(p.lastConfirmedAt).toBe(new Date(mar).toISOString());
      // The dataset carries it, and an import keeps it: export → import → export is byte-identical.
      const dataset = await buildProviderDataset(s.database.db, 'deepseek');
      const live = dataset.facts.filter((f) => f.model === 'deepseek/deepseek-v4-pro' && !f.supersededAt);
      expect(live.length).toBeGreaterThan(0);
      for (const f of live) expect(f.lastConfirmedAt).toBe('2026-07-26T00:00:00Z');
      const dir = tempDir();
      await exportDataset(s.database.db, dir);
      const copy = await freshDatabase();
      await importDataset(copy, dir);
      expect(serializeDataset(await buildProviderDataset(copy.db, 'deepseek'))).toBe(serializeDataset(dataset));
      copy.close();
    } finally {
      await s.close();
    }
  });
});
