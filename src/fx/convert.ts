// Conversion, always shown: pure functions that put a price line in another currency at a dated
// reference rate and say so on the line. Storage never converts; only answers do.
import { z } from 'zod';
import { BadInputError } from '../errors.ts';
import { Decimal, toMoney, type Money } from '../decimal.ts';
import { Money as MoneySchema } from '../model.ts';
import type { PricedRow } from '../pricing.ts';
import type { PriceRow } from '../timeline/queries.ts';
import { convertAmount } from './rates.ts';
import type { FxRate, RateSource } from './store.ts';

/** What every converted line carries. */
export interface FxLineFields {
  /** The currency the provider published this line in. */
  convertedFrom: string;
  /** The published amount, in `convertedFrom`. */
  originalAmount: Money;
  /** Units of the answer's currency per 1 `convertedFrom` (10 significant digits), exact decimal string. */
  rate: Money;
  /** The ECB publication day the rate is from. */
  rateDate: string;
  rateSource: RateSource;
  rateNote?: string;
}

export const RateSourceSchema = z.object({
  source: z.string(),
  name: z.string(),
  url: z.string(),
  copy: z.object({ repo: z.string(), commit: z.string(), path: z.string() }).optional(),
  retrievedAt: z.string().optional(),
});

/** For response schemas (api/schemas.ts spreads these into line shapes). */
export const FxLineSchemaFields = {
  convertedFrom: z.string().optional().describe('Set on a line converted from the currency the provider published it in.'),
  originalAmount: MoneySchema.optional(),
  rate: MoneySchema.optional().describe('Units of the answer currency per 1 convertedFrom (ECB reference rate, cross rates through EUR, 10 significant digits).'),
  rateDate: z.string().optional().describe('The ECB publication day of the rate (the last one on or before the instant priced).'),
  rateSource: RateSourceSchema.optional(),
  rateNote: z.string().optional(),
};

export function fxLineFields(rate: FxRate, originalAmount: string | number): FxLineFields {
  return {
    convertedFrom: rate.from,
    originalAmount: toMoney(new Decimal(originalAmount)),
    rate: toMoney(new Decimal(rate.rate)),
    rateDate: rate.rateDate,
    rateSource: rate.rateSource,
    ...(rate.rateNote && { rateNote: rate.rateNote }),
  };
}

/**
 * The currency to convert from when `wanted` is not published: USD when the provider publishes
 * it (the most common second list), else the first in alphabetical order. Null when `wanted` is
 * published (published lines are preferred) or nothing is.
 */
export function conversionSource(published: string[], wanted: string | undefined): string | null {
  if (!wanted || published.length === 0 || published.includes(wanted)) return null;
  return published.includes('USD') ? 'USD' : [...published].sort()[0];
}

export function convertPriceRow(row: PriceRow, rate: FxRate): PriceRow & FxLineFields {
  return {
    ...row,
    currency: rate.to,
    amount: toMoney(convertAmount(row.amount, rate.rate)),
    listAmount: row.listAmount === null ? null : toMoney(convertAmount(row.listAmount, rate.rate)),
    ...fxLineFields(rate, row.amount),
  };
}

/** A pricing row in another currency; `fx` says how (quote lines spread it). */
export type ConvertedPricedRow<R extends PricedRow = PricedRow> = R & { fx?: FxLineFields };

export function convertPricedRow<R extends PricedRow>(row: R, rate: FxRate): ConvertedPricedRow<R> {
  return { ...row, currency: rate.to, amount: toMoney(convertAmount(row.amount, rate.rate)), fx: fxLineFields(rate, row.amount) };
}

export function fxOf(row: PricedRow): FxLineFields | undefined {
  return (row as ConvertedPricedRow).fx;
}

export function noRateError(model: string, wanted: string, published: string[], date: string, coverage: string): BadInputError {
  return new BadInputError(
    `${model} has no prices in ${wanted} at that instant and there is no ECB reference rate ${published.join('/')}→${wanted} for ${date} (${coverage}); known currencies: ${published.join(', ')}`,
    { status: 422, field: 'currency' },
  );
}
