// Freshness you can see: every price line says when a source last confirmed it and whether it is
// stale — not confirmed within TOKENTRAIL_STALE_AFTER (default 14 days) before the instant asked,
// or a sibling line in another currency changed after its last confirmation. Built from DeepSeek's
// own pages ingested at chosen instants: the English (USD) page seen on 2026-08-10, the Chinese
// (CNY) page on 2026-07-24 and again on 2026-08-17, when its new prices took effect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deepseek from '../scrapers/deepseek/index.ts';
import { fixtureBody, listFixtures } from '../src/scrape/fixtures.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { loadConfig } from '../src/config.ts';
import { judgeLines, parseStaleAfter, DAY_MS } from '../src/timeline/freshness.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';
import { parseCsv } from './helpers/csv.ts';

const USD_SEEN = Date.parse('2026-08-10T00:00:00Z');
const CNY_SEEN = [Date.parse('2026-07-24T00:00:00Z'), Date.parse('2026-08-17T02:00:00Z')];
const NOW = Date.parse('2026-08-18T02:00:00Z');
const MODEL = 'deepseek/deepseek-v4-pro';

function copy(name: string) {
  const f = listFixtures('deepseek').find((x) => x.name === name);
  if (!f) throw new Error(`fixture ${name} missing`);
  return { url: f.meta.url, body: Buffer.from(fixtureBody(f)) };
}

async function ingestDeepSeek(s: SeededServer) {
  const en = copy('deepseek-en-2026-05-23-constructed-from-clipping');
  const zhJuly = copy('deepseek-zh-2026-07-html-fragment');
  const zhAug = copy('deepseek-zh-2026-08-17-modelscn-fixture-trimmed');
  await ingestPage(s.database, { scraper: deepseek, url: zhJuly.url, body: zhJuly.body, observedAt: CNY_SEEN[0], confirmed: true });
  await ingestPage(s.database, { scraper: deepseek, url: en.url, body: en.body, observedAt: USD_SEEN, confirmed: true });
  await ingestPage(s.database, { scraper: deepseek, url: zhAug.url, body: zhAug.body, observedAt: CNY_SEEN[1], confirmed: true });
}

let s: SeededServer;
let thirty: SeededServer;
beforeAll(async () => {
  s = await startSeededServer({ withoutData: true, app: { now: () => NOW, config: loadConfig({}) } });
  await ingestDeepSeek(s);
  thirty = await startSeededServer({ withoutData: true, app: { now: () => NOW, config: loadConfig({ TOKENTRAIL_STALE_AFTER: '30d' }) } });
  await ingestDeepSeek(thirty);
}, 120_000);
afterAll(async () => {
  await s?.close();
  await thirty?.close();
});

const prices = async (server: SeededServer, q: string) => {
  const r = await request(server.url, `/v1/prices?model=${MODEL}&${q}`);
  expect(r.status, r.text).toBe(200);
  return r.body.prices as any[];
};
const plain = (rows: any[], currency: string, component = 'input') => rows.find((p) => p.currency === currency && p.component === component && Object.keys(p.conditions).length === 0);

describe('price lines carry lastConfirmedAt and stale', () => {
  it('a line confirmed yesterday is fresh; one last confirmed 15 days before the query is stale', async () => {
    const fresh = await prices(s, 'at=2026-08-11T00:00:00Z&asOf=2026-08-11T00:00:00Z');
    const usd = plain(fresh, 'USD');
    expect(usd).toMatchObject({ lastConfirmedAt: '2026-08-10T00:00:00.000Z', stale: false });
    expect(usd.staleReason).toBeUndefined();

    const old = await prices(s, 'at=2026-08-25T00:00:00Z&asOf=2026-08-25T00:00:00Z&currency=USD');
    const line = plain(old, 'USD');
    expect(line.lastConfirmedAt).toBe('2026-08-10T00:00:00.000Z');
    expect(line.stale).toBe(true);
    expect(line.staleReason.code).toBe('not-confirmed');
    expect(line.staleReason.message).toMatch(/15 days/);
  });

  it('judges what held at `at` by what was known at `asOf`: a confirmation after asOf does not count', async () => {
    // As known on 2026-08-01 the USD page had never been read, and the CNY page was last seen on 07-24.
    const rows = await prices(s, 'at=2026-07-30T00:00:00Z&asOf=2026-08-01T00:00:00Z');
    expect(rows.every((p) => p.currency === 'CNY')).toBe(true);
    expect(plain(rows, 'CNY')).toMatchObject({ lastConfirmedAt: '2026-07-24T00:00:00.000Z', stale: false });
    // The same instant asked later: the 08-17 copy no longer showed the July price (it changed), so
    // the July line's last confirmation stays 07-24 — and 08-20 is 27 days on.
    const later = await prices(s, 'at=2026-08-01T00:00:00Z&asOf=2026-08-20T00:00:00Z');
    expect(plain(later, 'CNY').lastConfirmedAt).toBe('2026-07-24T00:00:00.000Z');
  });

  it('a USD line is stale once the CNY list of the same model changed after its last confirmation', async () => {
    const rows = await prices(s, 'at=2026-08-18T00:00:00Z&asOf=2026-08-18T02:00:00Z');
    const cny = rows.filter((p) => p.currency === 'CNY');
    const usd = rows.filter((p) => p.currency === 'USD');
    expect(cny.length).toBeGreaterThan(0);
    expect(usd.length).toBeGreaterThan(0);
    for (const p of cny) expect(p).toMatchObject({ stale: false, lastConfirmedAt: '2026-08-17T02:00:00.000Z' });
    // The CNY move took effect after the USD page was last read (on 08-10).
    const moved = cny.map((p) => p.validFrom).sort().at(-1);
    expect(Date.parse(moved)).toBeGreaterThan(USD_SEEN);
    for (const p of usd) {
      expect(p.stale).toBe(true);
      expect(p.staleReason).toMatchObject({ code: 'sibling-changed', currency: 'CNY', changedAt: moved });
    }
  });

  it('TOKENTRAIL_STALE_AFTER sets the span', async () => {
    const rows = await prices(thirty, 'at=2026-08-25T00:00:00Z&asOf=2026-08-25T00:00:00Z');
    // 15 days is within 30: what remains is the sibling rule (CNY moved on 08-16 after 08-10).
    const usd = plain(rows, 'USD');
    expect(usd.staleReason?.code).toBe('sibling-changed');
    const cny = rows.filter((p) => p.currency === 'CNY');
    for (const p of cny) expect(p.stale).toBe(false);
    expect(() => loadConfig({ TOKENTRAIL_STALE_AFTER: 'soon' })).toThrow(/TOKENTRAIL_STALE_AFTER/);
    expect(parseStaleAfter('36h')).toBe(36 * 3_600_000);
    expect(parseStaleAfter('2w')).toBe(14 * DAY_MS);
    expect(parseStaleAfter('14')).toBe(14 * DAY_MS);
  });
});

describe('freshness elsewhere', () => {
  it('/v1/providers gives each provider its lines, stale lines and confirmations', async () => {
    const r = await request(s.url, '/v1/providers');
    expect(r.status).toBe(200);
    const ds = r.body.data.find((p: any) => p.id === 'deepseek');
    expect(ds.freshness.lines).toBeGreaterThan(0);
    // At NOW (08-18T02:00Z) the CNY lines are fresh and the USD ones stale by the sibling rule.
    expect(ds.freshness.staleLines).toBeGreaterThan(0);
    expect(ds.freshness.staleLines).toBeLessThan(ds.freshness.lines);
    expect(ds.freshness.lastConfirmedAt).toBe('2026-08-17T02:00:00.000Z');
    expect(ds.freshness.oldestConfirmedAt).toBe('2026-08-10T00:00:00.000Z');
  });

  it("a quote lists the stale lines it used in warnings, and none when every line was fresh", async () => {
    const usage = { inputTokens: 100_000, cacheReadTokens: 50_000, outputTokens: 10_000 };
    const stale = await request(s.url, '/v1/quote', { json: { models: [MODEL], currency: 'USD', at: '2026-08-25T00:00:00Z', asOf: '2026-08-25T00:00:00Z', usage } });
    expect(stale.status, stale.text).toBe(200);
    expect(stale.body.warnings.length).toBeGreaterThan(0);
    for (const w of stale.body.warnings) {
      expect(w).toMatchObject({ code: 'stale', model: MODEL, currency: 'USD', lastConfirmedAt: '2026-08-10T00:00:00.000Z', reason: 'not-confirmed' });
      expect(w.message).toContain(MODEL);
    }
    expect(new Set(stale.body.warnings.map((w: any) => w.component))).toEqual(new Set(stale.body.quotes[0].lines.map((l: any) => l.component)));

    const fresh = await request(s.url, '/v1/quote', { json: { models: [MODEL], currency: 'CNY', at: '2026-08-18T00:00:00Z', asOf: '2026-08-18T02:00:00Z', usage } });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body.warnings).toEqual([]);
  });

  it('the dataset CSV says which facts in force now are stale and from when', async () => {
    const r = await request(s.url, '/v1/dataset.csv');
    expect(r.status).toBe(200);
    const [head, ...rows] = parseCsv(r.text);
    const col = (n: string) => head.indexOf(n);
    const open = rows.filter((x) => x[col('model')] === MODEL && x[col('stale')] !== '');
    expect(open.length).toBeGreaterThan(0);
    for (const x of open) {
      if (x[col('currency')] === 'USD') {
        // Seen on 08-10; the CNY move after it made it stale from that move (before 08-24).
        expect(x[col('stale')]).toBe('true');
        expect(Date.parse(x[col('staleFrom')])).toBeLessThan(USD_SEEN + 14 * DAY_MS);
      } else {
        expect(x[col('stale')]).toBe('false');
        expect(x[col('staleFrom')]).toBe(new Date(CNY_SEEN[1] + 14 * DAY_MS).toISOString());
      }
    }
    // Facts that ended have no freshness.
    expect(rows.some((x) => x[col('validTo')] !== '' && Date.parse(x[col('validTo')]) <= NOW && x[col('stale')] === '')).toBe(true);
  });

  it('a usage log is judged at each request: only the requests long after the last confirmation warn', async () => {
    const req = (at: string) => ({ at, inputTokens: 1000, outputTokens: 100 });
    const early = await request(s.url, '/v1/quote', { json: { models: [MODEL], currency: 'USD', asOf: '2026-09-30T00:00:00Z', usage: [req('2026-08-11T00:00:00Z'), req('2026-08-12T00:00:00Z')] } });
    expect(early.status, early.text).toBe(200);
    expect(early.body.warnings).toEqual([]);
    const late = await request(s.url, '/v1/quote', { json: { models: [MODEL], currency: 'USD', asOf: '2026-09-30T00:00:00Z', usage: [req('2026-08-11T00:00:00Z'), req('2026-09-20T00:00:00Z')] } });
    expect(late.body.warnings.length).toBeGreaterThan(0);
  });
});

describe('the rule itself', () => {
  const line = (currency: string, confirmedAt: number | null, validFrom = 0, priorUnknown = false) => ({ currency, confirmedAt, validFrom, priorUnknown });
  it('flags no confirmation at all, an old one, and a sibling change; a first-known sibling is not a change', () => {
    const t = Date.parse('2026-08-20T00:00:00Z');
    const never = line('USD', null);
    const old = line('USD', t - 15 * DAY_MS);
    const recent = line('USD', t - DAY_MS);
    const j = judgeLines([never, old, recent], t, 14 * DAY_MS);
    expect(j.get(never)).toMatchObject({ lastConfirmedAt: null, stale: true, staleReason: { code: 'not-confirmed' } });
    expect(j.get(old)?.stale).toBe(true);
    expect(j.get(recent)?.stale).toBe(false);
    const usd = line('USD', t - 3 * DAY_MS);
    const cnyMoved = line('CNY', t - DAY_MS, t - 2 * DAY_MS);
    expect(judgeLines([usd, cnyMoved], t, 14 * DAY_MS).get(usd)?.staleReason?.code).toBe('sibling-changed');
    const cnyFirstSeen = line('CNY', t - DAY_MS, t - 2 * DAY_MS, true);
    expect(judgeLines([usd, cnyFirstSeen], t, 14 * DAY_MS).get(usd)?.stale).toBe(false);
  });
});
