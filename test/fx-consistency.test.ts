// Currencies check each other, on the real DeepSeek case in data/deepseek.json: on 2026-08-17 the
// Chinese page split V4-Pro and V4-Flash into peak / off-peak CNY prices (V4-Pro input 3 → 4.5 and
// 9 元) while the USD series stayed flat (0.435 $): the USD lines are flagged suspect-stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/decimal.ts';
import { departuresAt, findDepartures, fxDegradedEvent, fxTolerance } from '../src/fx/consistency.ts';
import { request, type SeededServer } from './helpers/server.ts';
import { startServerWithRates } from './helpers/fx.ts';

const PRO = 'deepseek/deepseek-v4-pro';
const NOW = Date.parse('2026-12-01T00:00:00Z');

let s: SeededServer;
beforeAll(async () => {
  s = await startServerWithRates();
}, 60_000);
afterAll(() => s?.close());

describe('departures on real data', () => {
  it('before 2026-08-17 DeepSeek\'s two lists agree within the tolerance', async () => {
    expect(await departuresAt(s.database.db, PRO, Date.parse('2026-07-06T12:00:00Z'), NOW)).toEqual([]);
  });

  it('after the CNY side changed on 2026-08-17, the flat USD side departs and is the stale one', async () => {
    const deps = await departuresAt(s.database.db, PRO, Date.parse('2026-08-18T03:00:00Z'), NOW);
    const input = deps.filter((d) => d.component === 'input');
    expect(input.map((d) => [d.changed.currency, d.changed.amount, d.changed.conditions.hours?.label, d.stale.currency, d.stale.amount])).toEqual([
      ['CNY', '4.5', 'off-peak', 'USD', '0.435'],
      ['CNY', '9', 'peak', 'USD', '0.435'],
    ]);
    for (const d of input) {
      // The reference rate is the latest we hold (2026-07-06: 1.1415 / 7.7573), and it says so.
      expect(d).toMatchObject({ referenceRate: '0.1471517152', rateDate: '2026-07-06', tolerancePct: 25 });
      expect(d.rateNote).toMatch(/missing from our data/);
      expect(d.impliedRate).toBe(new Decimal(0.435).div(d.changed.amount).toSignificantDigits(10).toFixed());
    }
    expect(input.map((d) => d.departurePct)).toEqual([-34.31, -67.15]);
    expect(new Set(deps.map((d) => d.component))).toEqual(new Set(['input', 'cache_read', 'output']));
  });

  it('small departures are the provider\'s own rounding, not staleness; equal start dates are not judged', () => {
    const rate = () => ({ from: 'CNY', to: 'USD', rate: '0.1471517152', rateDate: '2026-07-06', forDate: '2026-07-06', rateSource: { source: 'ecb', name: 'ECB', url: 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml' } });
    const line = (currency: string, amount: number, validFrom: string) => ({ component: 'input', unit: '1M tokens', currency, conditions: {}, amount: String(amount), validFrom });
    // V4-Flash before the split: 1 元 vs 0.14 $ implies 0.14 USD per CNY, −4.9% from the reference.
    expect(findDepartures('m', 0, [line('CNY', 1, '2026-08-01T00:00:00Z'), line('USD', 0.14, '2026-04-26T00:00:00Z')], rate, fxTolerance({}))).toEqual([]);
    expect(findDepartures('m', 0, [line('CNY', 9, '2026-04-26T00:00:00Z'), line('USD', 0.14, '2026-04-26T00:00:00Z')], rate, fxTolerance({}))).toEqual([]);
    expect(findDepartures('m', 0, [line('CNY', 9, '2026-08-01T00:00:00Z'), line('USD', 0.14, '2026-04-26T00:00:00Z')], rate, fxTolerance({}))).toHaveLength(1);
  });

  it('TOKENTRAIL_FX_TOLERANCE is a fraction or a percentage; nonsense is refused', async () => {
    expect(fxTolerance({}).toFixed()).toBe('0.25');
    expect(fxTolerance({ TOKENTRAIL_FX_TOLERANCE: '40%' }).toFixed()).toBe('0.4');
    expect(fxTolerance({ TOKENTRAIL_FX_TOLERANCE: '0.5' }).toFixed()).toBe('0.5');
    expect(() => fxTolerance({ TOKENTRAIL_FX_TOLERANCE: 'lots' })).toThrow(/TOKENTRAIL_FX_TOLERANCE/);
    // At 70% only the peak input line (−67.15%) is forgiven; output peak (−78.1%) still departs.
    const deps = await departuresAt(s.database.db, PRO, Date.parse('2026-08-18T03:00:00Z'), NOW, fxTolerance({ TOKENTRAIL_FX_TOLERANCE: '70%' }));
    expect(deps.filter((d) => d.component === 'input')).toEqual([]);
    expect(deps.some((d) => d.component === 'output')).toBe(true);
  });

  it('a scrape that produced such a departure calls for scraper.degraded for the provider', async () => {
    const deps = await departuresAt(s.database.db, PRO, Date.parse('2026-08-18T03:00:00Z'), NOW);
    const ev = fxDegradedEvent('deepseek', deps)!;
    expect(ev).toMatchObject({ type: 'scraper.degraded', provider: 'deepseek', data: { reason: 'currency-disagreement' } });
    expect((ev.data.departures as unknown[]).length).toBe(deps.length);
    expect(fxDegradedEvent('xiaomi', deps)).toBeNull();
  });
});

describe('the API shows it', () => {
  it('flags the USD lines suspect-stale on /v1/prices, never the CNY lines that changed', async () => {
    const r = await request(s.url, `/v1/prices?model=${PRO}&at=2026-08-18T03:00:00Z`);
    expect(r.status).toBe(200);
    const usd = r.body.prices.filter((p: any) => p.currency === 'USD');
    const cny = r.body.prices.filter((p: any) => p.currency === 'CNY');
    expect(usd.length).toBeGreaterThan(0);
    for (const p of usd) {
      expect(p.flags).toEqual(['suspect-stale']);
      expect(p.suspectStale).toMatchObject({ changed: { currency: 'CNY', validFrom: '2026-08-16T16:00:00.000Z' }, rateDate: '2026-07-06' });
    }
    for (const p of cny) expect(p.flags).toBeUndefined();
    const before = await request(s.url, `/v1/prices?model=${PRO}&at=2026-07-06T12:00:00Z`);
    for (const p of before.body.prices) expect(p.flags).toBeUndefined();
  });

  it('lists the departures in /v1/disagreements with both values', async () => {
    const r = await request(s.url, '/v1/disagreements?provider=deepseek');
    expect(r.status).toBe(200);
    // Catalog disagreements are listed too (kind 'catalog'); the currency check's are kind 'fx-stale'.
    // deepseek-chat/-reasoner are flagged too: catalogs' USD figures of 2025 against the page's CNY of 2026-01.
    const fx = r.body.data.filter((d: any) => d.kind === 'fx-stale' && /deepseek-v4-/.test(d.model));
    expect(fx).toHaveLength(12); // V4-Pro and V4-Flash × input, cache_read, output × peak, off-peak
    const first = fx.find((d: any) => d.model === PRO && d.component === 'input' && d.changed.amount === '4.5');
    expect(first).toMatchObject({
      kind: 'fx-stale',
      provider: 'deepseek',
      // Beijing midnight of 2026-08-17, the page's own zone.
      at: '2026-08-16T16:00:00.000Z',
      changed: { currency: 'CNY', amount: '4.5' },
      stale: { currency: 'USD', amount: '0.435', validFrom: '2026-05-31T16:00:00.000Z' },
      departurePct: -34.31,
    });
    expect(first.rateSource.url).toMatch(/^https:\/\/www\.ecb\.europa\.eu\//);
    expect((await request(s.url, '/v1/disagreements?provider=xiaomi')).body.data.filter((d: any) => d.kind === 'fx-stale')).toEqual([]);
    expect((await request(s.url, '/v1/disagreements?provider=deepseek&since=2026-09-01')).body.data).toEqual([]);
    expect((await request(s.url, '/v1/disagreements?provider=nope')).status).toBe(404);
    expect((await request(s.url, '/v1/disagreements?since=yesterday')).status).toBe(400);
  });
});

describe('the model page', () => {
  it('marks the USD lines suspect-stale after 2026-08-17, and not before', async () => {
    const after = await request(s.url, `/models/${PRO}?at=2026-08-18`);
    expect(after.status).toBe(200);
    expect(after.text.match(/class="badge badge-increase suspect-stale"/g)?.length).toBe(3); // input, cache_read, output in USD
    const before = await request(s.url, `/models/${PRO}?at=2026-07-06`);
    // No line is marked before the change (the page's disagreements table may still list the
    // later departure with its dates).
    expect(before.text).not.toMatch(/class="badge badge-increase suspect-stale"/);
  });
});
