// Price answers in a currency the model may not publish: /v1/prices, /v1/diff and the quote call
// these. A model's own lines in the asked currency are preferred; otherwise every line is
// converted from one published currency (conversionSource) at the reference rate of the instant
// priced, and says so. No rate for that instant → 422 naming the currencies the model has.
// Sheets also carry the `suspect-stale` flags of the currency check (consistency.ts).
import type { Db } from '../db/client.ts';
import { BadInputError } from '../errors.ts';
import type { PricedRow } from '../pricing.ts';
import type { Decimal } from '../decimal.ts';
import { yieldToLoop } from '../time.ts';
import { diff, modelSheets, priceSheet, providerSheets, type PriceRow, type PriceSheet, type Scope } from '../timeline/queries.ts';
import { conversionSource, convertPricedRow, convertPriceRow, fxLineFields, noRateError, type FxLineFields } from './convert.ts';
import { flagSheet, fxTolerance } from './consistency.ts';
import { fxCoverage, memoRateAt, rateAt, type RateLookup } from './store.ts';
import { toMoney, type Money } from '../decimal.ts';
import { convertAmount, isoDay } from './rates.ts';

async function coverageText(db: Db): Promise<string> {
  const c = await fxCoverage(db);
  if (!c.first) return 'no reference rates are loaded';
  return `rates held for ${c.spans.map((s) => (s.from === s.to ? s.from : `${s.from} … ${s.to}`)).join(', ')}`;
}

/**
 * What putting sheets in a currency looks up, once per answer however many models it holds: the
 * reference rates (per pair and day), the coverage text of a refusal, the consistency tolerance.
 */
export interface SheetLookups {
  rates: RateLookup;
  coverage: () => Promise<string>;
  tolerance: Decimal;
}

export function sheetLookups(db: Db): SheetLookups {
  let coverage: Promise<string> | undefined;
  return { rates: memoRateAt(db), coverage: () => (coverage ??= coverageText(db)), tolerance: fxTolerance() };
}

/** One model's lines in `currency` (published, or converted), flagged. */
async function linesIn(db: Db, model: string, prices: PriceRow[], at: number, currency: string | undefined, look: SheetLookups): Promise<Array<PriceRow & Partial<FxLineFields>>> {
  const flagged = await flagSheet(db, model, at, prices, look.tolerance, look.rates);
  if (!currency) return flagged;
  const published = [...new Set(prices.map((p) => p.currency))];
  const from = conversionSource(published, currency);
  if (from === null) return flagged.filter((p) => p.currency === currency);
  const rate = await look.rates({ from, to: currency, at });
  if (!rate) throw noRateError(model, currency, published.sort(), isoDay(at), await look.coverage());
  return flagged.filter((p) => p.currency === from).map((p) => convertPriceRow(p, rate));
}

export async function priceSheetIn(db: Db, q: { model: string; at: number; asOf: number; currency?: string; staleAfterMs?: number }): Promise<PriceSheet> {
  const sheet = await priceSheet(db, { model: q.model, at: q.at, asOf: q.asOf, staleAfterMs: q.staleAfterMs });
  if (q.currency && sheet.prices.length === 0) return priceSheet(db, q); // nothing in force: the timeline's own answer (and its 422)
  return { ...sheet, prices: await linesIn(db, sheet.model, sheet.prices, q.at, q.currency, sheetLookups(db)) };
}

type SheetIn = { model: string; prices: PriceRow[]; note?: string };

/** Sheets in `currency`; a model without a rate is kept with the reason (it does not sink the others). */
async function sheetsIn(db: Db, sheets: Array<{ model: string; prices: PriceRow[] }>, at: number, currency: string | undefined, look: SheetLookups): Promise<SheetIn[]> {
  const data: SheetIn[] = [];
  for (let i = 0; i < sheets.length; i++) {
    if (i > 0 && i % SHEETS_PER_SLICE === 0) await yieldToLoop();
    const s = sheets[i];
    try {
      const prices = await linesIn(db, s.model, s.prices, at, currency, look);
      if (prices.length) data.push({ model: s.model, prices });
    } catch (e) {
      if (!(e instanceof BadInputError)) throw e;
      data.push({ model: s.model, prices: [], note: e.message });
    }
  }
  return data;
}
const SHEETS_PER_SLICE = 500;

export async function providerSheetsIn(db: Db, q: { provider: string; at: number; asOf: number; currency?: string; staleAfterMs?: number }) {
  const sheets = await providerSheets(db, { provider: q.provider, at: q.at, asOf: q.asOf, staleAfterMs: q.staleAfterMs });
  return { ...sheets, data: await sheetsIn(db, sheets.data, q.at, q.currency, sheetLookups(db)) };
}

/**
 * providerSheetsIn for many models at once (the overview: every model of every provider), in
 * the order given: one read of the lines in force, rates looked up once per pair and day.
 */
export async function modelSheetsIn(db: Db, models: string[], q: { at: number; asOf: number; currency?: string; staleAfterMs?: number }, look = sheetLookups(db)): Promise<SheetIn[]> {
  const byId = new Map((await modelSheets(db, models, q)).map((s) => [s.model, s]));
  const sheets = models.flatMap((m) => byId.get(m) ?? []).filter((s) => s.prices.length > 0);
  return sheetsIn(db, sheets, q.at, q.currency, look);
}

type DiffLine = Awaited<ReturnType<typeof diff>>['changes'][number];

/**
 * /v1/diff in a currency: a model's lines in that currency when it publishes it, else its lines
 * converted — `before` at the rate of `from`, `after` at the rate of `to` (each instant priced at
 * its own rate; both rates shown). `changePct` is the provider's own change, in the published
 * currency: a rate movement is not a price change.
 */
export async function diffIn(db: Db, q: Scope & { from: number; to: number; asOf: number }) {
  const wanted = q.currency;
  const d = await diff(db, { ...q, currency: wanted ? undefined : q.currency });
  if (!wanted) return d;
  const byModel = new Map<string, DiffLine[]>();
  for (const c of d.changes) byModel.set(c.model, [...(byModel.get(c.model) ?? []), c]);
  const out: Array<DiffLine & Partial<FxLineFields> & { rateBefore?: Partial<FxLineFields> }> = [];
  for (const [model, lines] of byModel) {
    const published = [...new Set(lines.map((l) => l.currency))];
    const from = conversionSource(published, wanted);
    if (from === null) {
      out.push(...lines.filter((l) => l.currency === wanted));
      continue;
    }
    const rFrom = await rateAt(db, { from, to: wanted, at: q.from });
    const rTo = await rateAt(db, { from, to: wanted, at: q.to });
    if (!rFrom || !rTo) throw noRateError(model, wanted, published.sort(), isoDay(!rFrom ? q.from : q.to), await coverageText(db));
    const conv = (v: Money | null, r: typeof rFrom) => (v === null ? null : toMoney(convertAmount(v, r.rate)));
    for (const l of lines.filter((x) => x.currency === from))
      out.push({
        ...l,
        currency: wanted,
        before: conv(l.before, rFrom),
        listBefore: conv(l.listBefore, rFrom),
        after: conv(l.after, rTo),
        listAfter: conv(l.listAfter, rTo),
        ...fxLineFields(rTo, l.after ?? l.before ?? '0'),
        rateBefore: fxLineFields(rFrom, l.before ?? l.after ?? '0'),
      });
  }
  return { ...d, changes: out };
}

/**
 * The quote's rows for one request: the model's own rows in `wanted` when it publishes them at
 * that instant, else its rows converted at the rate of the request's instant (each converted row
 * carries `fx`). Without `wanted`, the rows as published.
 */
export async function quoteRowsIn<R extends PricedRow>(db: Db, rows: R[], wanted: string | undefined, at: number, model: string): Promise<R[]> {
  const published = [...new Set(rows.map((r) => r.currency))];
  const from = conversionSource(published, wanted);
  if (from === null) return rows;
  const rate = await rateAt(db, { from, to: wanted!, at });
  if (!rate) throw noRateError(model, wanted!, published.sort(), isoDay(at), await coverageText(db));
  return rows.filter((r) => r.currency === from).map((r) => convertPricedRow(r, rate));
}
