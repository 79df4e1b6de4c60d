// The seeded answers over real HTTP: prices at an instant, knowledge time, provider sheets, diff,
// the change feed and its cursor pagination, history, plans, models and providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

let s: SeededServer;
beforeAll(async () => {
  s = await startSeededServer();
});
afterAll(async () => {
  await s?.close();
});

const get = (path: string) => request(s.url, path);
const line = (prices: any[], component: string, currency: string, conditions: object = {}) =>
  prices.find((p) => p.component === component && p.currency === currency && JSON.stringify(p.conditions) === JSON.stringify(conditions));

describe('GET /v1/prices', () => {
  it('gives the promotional prices of deepseek-v4-pro on 2026-05-01 in USD, with list prices', async () => {
    const r = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01T00:00:00Z&currency=USD');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body.model).toBe('deepseek/deepseek-v4-pro');
    expect(r.body.at).toBe('2026-05-01T00:00:00.000Z');
    expect(r.body.prices.every((p: any) => p.currency === 'USD')).toBe(true);
    expect(line(r.body.prices, 'input', 'USD')).toMatchObject({ amount: '0.435', kind: 'promo', listAmount: '1.74', validTo: '2026-05-31T16:00:00.000Z', unit: '1M tokens' });
    expect(line(r.body.prices, 'cache_read', 'USD')).toMatchObject({ amount: '0.003625', kind: 'promo', listAmount: '0.0145' });
    expect(line(r.body.prices, 'output', 'USD')).toMatchObject({ amount: '0.87', kind: 'promo', listAmount: '3.48' });
    for (const p of r.body.prices) expect(p.sources.length).toBeGreaterThan(0);
  });

  it('gives the CNY promotion 3 / 0.025 / 6 over lists 12 / 0.1 / 24', async () => {
    const r = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01T00:00:00Z&currency=CNY');
    expect(line(r.body.prices, 'input', 'CNY')).toMatchObject({ amount: '3', kind: 'promo', listAmount: '12' });
    expect(line(r.body.prices, 'cache_read', 'CNY')).toMatchObject({ amount: '0.025', kind: 'promo', listAmount: '0.1' });
    expect(line(r.body.prices, 'output', 'CNY')).toMatchObject({ amount: '6', kind: 'promo', listAmount: '24' });
  });

  it('gives list prices only on 2026-06-01 (the promotion made permanent)', async () => {
    const r = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-06-01T00:00:00Z');
    const flat = r.body.prices.filter((p: any) => Object.keys(p.conditions).length === 0);
    expect(flat.length).toBeGreaterThanOrEqual(6);
    for (const p of flat) {
      expect(p.kind).toBe('list');
      expect(p.listAmount).toBe(p.amount);
    }
    expect(line(r.body.prices, 'input', 'USD').amount).toBe('0.435');
    expect(line(r.body.prices, 'input', 'CNY').amount).toBe('3');
  });

  it('answers as known at asOf: 1.74 as known on 05-21, 0.435 as known on 05-23', async () => {
    const before = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-06-01T00:00:00Z&asOf=2026-05-21T00:00:00Z&currency=USD');
    const after = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-06-01T00:00:00Z&asOf=2026-05-23T00:00:00Z&currency=USD');
    expect(before.body.asOf).toBe('2026-05-21T00:00:00.000Z');
    expect(line(before.body.prices, 'input', 'USD').amount).toBe('1.74');
    expect(line(after.body.prices, 'input', 'USD').amount).toBe('0.435');
  });

  it('gives every model of a provider with provider=', async () => {
    const r = await get('/v1/prices?provider=xiaomi&at=2026-06-01T00:00:00Z&asOf=2026-11-01T00:00:00Z');
    expect(r.status).toBe(200);
    expect(r.body.provider).toBe('xiaomi');
    // Catalogs add models of their own to data/ (docs/decisions.md 16); Xiaomi's page lists these two.
    expect(r.body.data.map((d: any) => d.model)).toEqual(expect.arrayContaining(['xiaomi/mimo-v2.5', 'xiaomi/mimo-v2.5-pro']));
    expect(line(r.body.data.find((d: any) => d.model === 'xiaomi/mimo-v2.5-pro').prices, 'cache_read', 'USD').amount).toBe('0.0036');
  });

  it('serves a repeated pinned query from the cache, byte for byte, with an ETag and 304', async () => {
    const path = '/v1/prices?at=2026-05-01T00:00:00Z&asOf=2026-11-01T00:00:00Z&model=deepseek/deepseek-v4-pro';
    const a = await get(path);
    const b = await get('/v1/prices?model=deepseek/deepseek-v4-pro&asOf=2026-11-01T00:00:00Z&at=2026-05-01T00:00:00Z');
    expect(b.headers.get('x-cache')).toBe('hit');
    expect(b.text).toBe(a.text);
    const etag = a.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}(-gzip)?"$/);
    expect(b.headers.get('etag')).toBe(etag);
    const nm = await request(s.url, path, { headers: { 'if-none-match': etag } });
    expect(nm.status).toBe(304);
  });

  it('names the currencies a model has when asked for another (422)', async () => {
    const r = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01T00:00:00Z&currency=EUR');
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body).toMatchObject({ status: 422, field: 'currency' });
    expect(r.body.detail).toContain('CNY');
    expect(r.body.detail).toContain('USD');
  });

  it('answers unknown models with a 404 problem and impossible instants with a 400', async () => {
    const r = await get('/v1/prices?model=deepseek/nope&at=2026-05-01');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ status: 404, field: 'model' });
    const bad = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 400, field: 'at' });
    const neither = await get('/v1/prices?at=2026-05-01');
    expect(neither.status).toBe(400);
    expect(neither.body.field).toBe('model');
  });
});

describe('GET /v1/diff', () => {
  it('shows the Xiaomi cut of 2026-05-27: price cuts, removed tiers and the first CNY prices', async () => {
    const r = await get('/v1/diff?from=2026-05-20T00:00:00Z&to=2026-06-01T00:00:00Z&provider=xiaomi&asOf=2026-11-01T00:00:00Z');
    expect(r.status).toBe(200);
    const c = r.body.changes.find((x: any) => x.model === 'xiaomi/mimo-v2.5-pro' && x.component === 'cache_read' && x.currency === 'USD' && Object.keys(x.conditions).length === 0);
    expect(c).toMatchObject({ before: '0.2', after: '0.0036', changePct: -98.2, type: 'price_cut' });
    const tiers = r.body.changes.filter((x: any) => x.type === 'tier_removed');
    expect(tiers.length).toBeGreaterThan(0);
    for (const t of tiers) expect(t.conditions.contextAbove).toBe(256000);
    const cny = r.body.changes.filter((x: any) => x.currency === 'CNY');
    expect(cny.length).toBeGreaterThan(0);
    for (const x of cny) expect(x.type).toBe('first_known');
  });

  it('rejects from after to with a 400 naming from', async () => {
    const r = await get('/v1/diff?from=2026-06-01&to=2026-05-01');
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('from');
  });
});

describe('GET /v1/changes', () => {
  it('lists the announced list_changed as upcoming as known on 2026-05-23', async () => {
    const r = await get('/v1/changes?upcoming=true&asOf=2026-05-23T00:00:00Z&model=deepseek/deepseek-v4-pro');
    expect(r.status).toBe(200);
    const lc = r.body.data.filter((c: any) => c.type === 'list_changed');
    expect(lc.length).toBeGreaterThan(0);
    for (const c of lc) {
      expect(c.effectiveAt).toBe('2026-05-31T16:00:00.000Z');
      expect(c.upcoming).toBe(true);
    }
    for (const c of r.body.data) expect(Date.parse(c.effectiveAt)).toBeGreaterThan(Date.parse('2026-05-23T00:00:00Z'));
  });

  it('filters by type, repeated or comma-separated, the same way', async () => {
    const a = await get('/v1/changes?type=price_cut&type=tier_removed&provider=xiaomi&asOf=2026-11-01T00:00:00Z');
    const b = await get('/v1/changes?type=price_cut,tier_removed&provider=xiaomi&asOf=2026-11-01T00:00:00Z');
    expect(a.status).toBe(200);
    expect(a.body.data.length).toBeGreaterThan(0);
    expect(new Set(a.body.data.map((c: any) => c.type))).toEqual(new Set(['price_cut', 'tier_removed']));
    expect(b.body).toEqual(a.body);
  });

  it('walks the whole feed with limit=2 without duplicates or gaps', async () => {
    const asOf = '2026-11-01T00:00:00Z';
    const whole: any[] = [];
    let cursor: string | null = null;
    do {
      const full = await get(`/v1/changes?limit=1000&asOf=${asOf}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(full.status).toBe(200);
      whole.push(...full.body.data);
      cursor = full.body.nextCursor;
    } while (cursor);
    const walked: any[] = [];
    let pages = 0;
    do {
      const r = await get(`/v1/changes?limit=2&asOf=${asOf}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(2);
      walked.push(...r.body.data);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    const key = (c: any) => JSON.stringify([c.model, c.component, c.currency, c.unit, c.conditions, c.type, c.effectiveAt]);
    expect(new Set(walked.map(key)).size).toBe(walked.length);
    expect(walked.map(key)).toEqual(whole.map(key));
    expect(pages).toBe(Math.ceil(whole.length / 2));
    // Newest first.
    for (let i = 1; i < walked.length; i++) expect(walked[i - 1].effectiveAt >= walked[i].effectiveAt).toBe(true);
  }, 120_000);

  it('rejects a malformed cursor and an out-of-range limit with 400s', async () => {
    const c = await get('/v1/changes?cursor=not-a-cursor');
    expect(c.status).toBe(400);
    expect(c.body.field).toBe('cursor');
    const l = await get('/v1/changes?limit=5000');
    expect(l.status).toBe(400);
    expect(l.body.field).toBe('limit');
  });
});

describe('GET /v1/history, /v1/plans, /v1/models, /v1/providers', () => {
  it('lists the facts of a model overlapping a range, with sources', async () => {
    const r = await get('/v1/history?model=deepseek/deepseek-v4-pro&from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z&currency=USD&asOf=2026-11-01T00:00:00Z');
    expect(r.status).toBe(200);
    expect(r.body.facts.length).toBeGreaterThan(0);
    for (const f of r.body.facts) {
      expect(f.currency).toBe('USD');
      expect(f.sources.length).toBeGreaterThan(0);
      expect(Date.parse(f.validFrom)).toBeLessThan(Date.parse('2026-06-01T00:00:00Z'));
    }
    expect(r.body.facts.some((f: any) => f.kind === 'promo' && f.amount === '0.435')).toBe(true);
  });

  it('gives Xiaomi token plans with terms and credit rates', async () => {
    const r = await get('/v1/plans?provider=xiaomi&at=2026-06-01T00:00:00Z&asOf=2026-11-01T00:00:00Z');
    expect(r.status).toBe(200);
    const lite = r.body.data.find((p: any) => p.id === 'xiaomi/token-plan-lite');
    expect(lite.terms).toMatchObject({ fee: '39', currency: 'CNY', period: 'month' });
    expect(lite.rates.length).toBeGreaterThan(0);
    expect((await get('/v1/plans?provider=nope')).status).toBe(404);
  });

  it('lists models with aliases and status', async () => {
    const r = await get('/v1/models?provider=deepseek&at=2026-08-01T00:00:00Z');
    expect(r.status).toBe(200);
    const chat = r.body.data.find((m: any) => m.id === 'deepseek/deepseek-chat');
    expect(chat.status).toBe('deprecated');
    const flash = r.body.data.find((m: any) => m.id === 'deepseek/deepseek-v4-flash');
    expect(flash.status).toBe('active');
    expect(flash.aliases.some((a: any) => a.alias === 'deepseek/deepseek-chat')).toBe(true);
    expect((await get('/v1/models?provider=nope')).status).toBe(404);
  });

  it('lists providers with model counts and scraper health from scrape_runs', async () => {
    const db = s.database.db;
    const t0 = Date.parse('2026-06-01T00:00:00Z');
    await db.run(sql`INSERT INTO scrape_runs (provider, url, started_at, finished_at, outcome, reason) VALUES
      ('xiaomi', 'https://example.test/a', ${t0}, ${t0 + 1000}, 'ok', NULL),
      ('xiaomi', 'https://example.test/a', ${t0 + 3600_000}, ${t0 + 3601_000}, 'failed', 'HTTP 503'),
      ('xiaomi', 'https://example.test/a', ${t0 + 7200_000}, ${t0 + 7201_000}, 'failed', 'timeout')`);
    // Scraper health is not keyed by the data version: it is cached for one second at most.
    await new Promise((r) => setTimeout(r, 1100));
    const r = await get('/v1/providers');
    expect(r.status).toBe(200);
    const xiaomi = r.body.data.find((p: any) => p.id === 'xiaomi');
    expect(xiaomi.modelCount).toBeGreaterThanOrEqual(2); // its page's two, and what catalogs list
    expect(xiaomi.scraper).toMatchObject({
      lastSuccessAt: new Date(t0 + 1000).toISOString(),
      lastFailureAt: new Date(t0 + 7201_000).toISOString(),
      lastFailureReason: 'timeout',
      consecutiveFailures: 2,
      lastOutcome: 'failed',
      runs: 3,
    });
    const deepseek = r.body.data.find((p: any) => p.id === 'deepseek');
    expect(deepseek.modelCount).toBeGreaterThanOrEqual(4);
    const metrics = await get('/metrics');
    expect(metrics.text).toContain('tokentrail_scrape_runs_total{provider="xiaomi",outcome="failed"} 2');
    expect(metrics.text).toContain('tokentrail_scrape_consecutive_failures{provider="xiaomi"} 2');
  });
});
