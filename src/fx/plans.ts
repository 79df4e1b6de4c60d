// Plans compare in one currency. A token plan is paid in its fee currency (Xiaomi: CNY) and
// spends credits per token; pay-as-you-go is priced per 1M tokens in a published currency. Both
// are put in one currency, converted at the reference rate of the instant where needed, with the
// rate shown:
//   plan price per 1M tokens = fee / credits per period × credits per token × 1,000,000
import type { Db } from '../db/client.ts';
import { Decimal, amountToNumber } from '../decimal.ts';
import type { PlanQuote } from '../quote.ts';
import type { PlanAt } from '../timeline/plans.ts';
import { effectivePriceRows } from '../timeline/queries.ts';
import { conversionSource, fxLineFields, type FxLineFields } from './convert.ts';
import { convertAmount, isoDay } from './rates.ts';
import { rateAt } from './store.ts';

/** The quote's plan section with the plan's price per 1M tokens in the quote's currency. */
export type PlanQuoteInCurrency = PlanQuote & {
  /** The currency of effectivePricePer1M and paygPricePer1M. */
  currency: string;
  /** The plan's figure before conversion, in feeCurrency (when it was converted). */
  effectivePricePer1MInFeeCurrency?: number | null;
  /** How the plan's figure was converted from feeCurrency. */
  feeConversion?: FxLineFields;
  note?: string;
};

export async function planInCurrency(db: Db, pq: PlanQuote, currency: string, at: number): Promise<PlanQuoteInCurrency> {
  if (!pq.feeCurrency || pq.feeCurrency === currency || pq.effectivePricePer1M === null) return { ...pq, currency };
  const rate = await rateAt(db, { from: pq.feeCurrency, to: currency, at });
  if (!rate)
    return {
      ...pq,
      currency,
      effectivePricePer1M: null,
      effectivePricePer1MInFeeCurrency: pq.effectivePricePer1M,
      note: `no ECB reference rate ${pq.feeCurrency}→${currency} for ${isoDay(at)}: the plan's price per 1M tokens is only in ${pq.feeCurrency}`,
    };
  return {
    ...pq,
    currency,
    effectivePricePer1M: amountToNumber(convertAmount(String(pq.effectivePricePer1M), rate.rate)),
    effectivePricePer1MInFeeCurrency: pq.effectivePricePer1M,
    feeConversion: fxLineFields(rate, pq.effectivePricePer1M),
  };
}

export interface PlanRateComparison {
  /** Cost of 1M tokens of this component on the plan, in the fee currency. */
  planPricePer1M: number | null;
  /** The model's pay-as-you-go price of the component (no conditions) at `at`, in the fee currency. */
  paygPricePer1M: number | null;
  currency: string | null;
  paygConversion?: FxLineFields;
  note?: string;
}

/** /v1/plans: each credit rate beside the pay-as-you-go price, in the plan's fee currency. */
export async function comparePlans(db: Db, plans: PlanAt[], at: number, asOf: number): Promise<Array<PlanAt & { rates: Array<PlanAt['rates'][number] & PlanRateComparison> }>> {
  const out = [];
  for (const p of plans) {
    const t = p.terms;
    const rates = [];
    for (const r of p.rates) {
      if (!t) {
        rates.push({ ...r, planPricePer1M: null, paygPricePer1M: null, currency: null, note: 'no plan terms in force at that instant' });
        continue;
      }
      const planPrice = new Decimal(t.feeExact).div(t.creditsExact).times(r.creditsPerTokenExact).times(1_000_000);
      const cmp: PlanRateComparison = { planPricePer1M: amountToNumber(planPrice.toSignificantDigits(10)), paygPricePer1M: null, currency: t.currency };
      const rows = (await effectivePriceRows(db, r.model, at, asOf)).filter((x) => x.component === r.component && x.unit === '1M tokens' && Object.keys(x.conditions).length === 0);
      const published = [...new Set(rows.map((x) => x.currency))];
      const from = conversionSource(published, t.currency);
      if (rows.length === 0) cmp.note = `${r.model} has no unconditional ${r.component} price at that instant`;
      else if (from === null) cmp.paygPricePer1M = amountToNumber(rows.find((x) => x.currency === t.currency)!.amount);
      else {
        const rate = await rateAt(db, { from, to: t.currency, at });
        const row = rows.find((x) => x.currency === from)!;
        if (!rate) cmp.note = `${r.model} has no ${t.currency} ${r.component} price and there is no ECB reference rate ${from}→${t.currency} for ${isoDay(at)}`;
        else {
          cmp.paygPricePer1M = amountToNumber(convertAmount(row.amount, rate.rate));
          cmp.paygConversion = fxLineFields(rate, row.amount);
        }
      }
      rates.push({ ...r, ...cmp });
    }
    out.push({ ...p, rates });
  }
  return out;
}
