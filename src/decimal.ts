// Money is exact: every amount is a decimal string and all arithmetic goes through decimal.js.
// The one decimal module: the API, pricing, the timeline and the scrapers all use this Decimal.
import { Decimal as DecimalJs } from 'decimal.js';

/** 64 significant digits: room for any price we multiply or scale (the default 20 would round). */
export const Decimal = DecimalJs.clone({ precision: 64, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

const CANONICAL = /^(0|[1-9]\d*)(\.\d*[1-9])?$/;

/** "1.60" → "1.6", "0.0036250" → "0.003625", "3.0" → "3"; plain notation, never exponent form. */
export function normalizeAmount(amount: string | number | Decimal): string {
  // Already canonical (what datasets and the database hold): itself, without building a Decimal.
  if (typeof amount === 'string' && CANONICAL.test(amount)) return amount;
  const d = new Decimal(amount);
  if (!d.isFinite()) throw new Error(`not a finite amount: ${String(amount)}`);
  const fixed = d.toFixed();
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

import type { Money } from './model.ts';
export type { Money };

/** A computed amount as Money, rounded half-even to `places` decimals (quotes use 12). */
export function toMoney(amount: Decimal, places?: number): Money {
  return normalizeAmount(places === undefined ? amount : amount.toDecimalPlaces(places));
}

export function sameAmount(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a == b;
  return new Decimal(a).eq(b);
}

/** Percent change, 2 decimals (−98.2 for −98.2%); null when there is no base to compare with. */
export function changePercent(before: string | null, after: string | null): number | null {
  if (before === null || after === null) return null;
  const b = new Decimal(before);
  if (b.isZero()) return null;
  return new Decimal(after).minus(b).div(b).times(100).toDecimalPlaces(2).toNumber();
}
