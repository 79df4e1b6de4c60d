// Plans compare in one currency. A token plan is paid in its fee currency (Xiaomi: CNY) and
// spends credits per token; pay-as-you-go is priced per 1M tokens in a published currency. Both
// are put in one currency, converted at the reference rate of the instant where needed, with the
// rate shown:
//   plan price per 1M tokens = fee / credits per period × credits per token × 1,000,000
import type { Db } from '../db/client.ts';
import { Decimal, toMoney, type Money } from '../decimal.ts';
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
  effectivePricePer1MInFeeCurrency?: Money | null;
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
    effectivePricePer1M: toMoney(convertAmount(pq.effectivePricePer1M, rate.rate)),
    effectivePricePer1MInFeeCurrency: pq.effectivePricePer1M,
    feeConversion: fxLineFields(rate, pq.effectivePricePer1M),
  };
}

export interface PlanRateComparison {
  /** Cost of 1M tokens of this component on the plan, in `currency`. */
  planPricePer1M: Money | null;
  /** The model's pay-as-you-go price of the component (no conditions) at `at`, in `currency`. */
  paygPricePer1M: Money | null;
  /** The plan's fee currency, or the currency asked for. */
  currency: string | null;
  planConversion?: FxLineFields;
  paygConversion?: FxLineFields;
  note?: string;
}

/**
 * /v1/plans: each credit rate beside the pay-as-you-go price, both in one currency — the plan's
 * fee currency, or `currency` when asked — converted where needed at the rate of `at`.
 */
export async function comparePlans(
  db: Db,
  plans: PlanAt[],
  at: number,
  asOf: number,
  currency?: string,
): Promise<Array<PlanAt & { rates: Array<PlanAt['rates'][number] & PlanRateComparison> }>> {
  const out = [];
  for (const p of plans) {
    const t = p.terms;
    const rates = [];
    for (const r of p.rates) {
      if (!t) {
        rates.push({ ...r, planPricePer1M: null, paygPricePer1M: null, currency: null, note: 'no plan terms in force at that instant' });
        continue;
      }
      const target = currency ?? t.currency;
      const notes: string[] = [];
      const planPrice = new Decimal(t.fee).div(t.credits).times(r.creditsPerToken).times(1_000_000).toSignificantDigits(10);
      const cmp: PlanRateComparison = { planPricePer1M: toMoney(planPrice), paygPricePer1M: null, currency: target };
      if (target !== t.currency) {
        const rate = await rateAt(db, { from: t.currency, to: target, at });
        if (rate) {
          cmp.planPricePer1M = toMoney(convertAmount(planPrice, rate.rate));
          cmp.planConversion = fxLineFields(rate, planPrice.toFixed());
        } else {
          cmp.planPricePer1M = null;
          notes.push(`no ECB reference rate ${t.currency}→${target} for ${isoDay(at)}`);
        }
      }
      const rows = (await effectivePriceRows(db, r.model, at, asOf)).filter((x) => x.component === r.component && x.unit === '1M tokens' && Object.keys(x.conditions).length === 0);
      const published = [...new Set(rows.map((x) => x.currency))];
      const from = conversionSource(published, target);
      if (rows.length === 0) notes.push(`${r.model} has no unconditional ${r.component} price at that instant`);
      else if (from === null) cmp.paygPricePer1M = toMoney(new Decimal(rows.find((x) => x.currency === target)!.amount));
      else {
        const rate = await rateAt(db, { from, to: target, at });
        const row = rows.find((x) => x.currency === from)!;
        if (!rate) notes.push(`${r.model} has no ${target} ${r.component} price and there is no ECB reference rate ${from}→${target} for ${isoDay(at)}`);
        else {
          cmp.paygPricePer1M = toMoney(convertAmount(row.amount, rate.rate));
          cmp.paygConversion = fxLineFields(rate, row.amount);
        }
      }
      if (notes.length) cmp.note = notes.join('; ');
      rates.push({ ...r, ...cmp });
    }
    out.push({ ...p, rates });
  }
  return out;
}
