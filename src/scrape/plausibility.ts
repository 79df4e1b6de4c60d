// Plausibility of a scraped amount: the one bound rule, shared by the scraper kit (which refuses an
// implausible cell at parse time) and the pipeline (which refuses the row whatever the scraper did).
// An amount must be a finite decimal, positive or stated as free, and within the bounds of its unit
// and currency. Outside them the row is refused with a reason; the run is partial, nothing removed.
import { Decimal } from '../decimal.ts';

export interface AmountBounds {
  /** Smallest positive amount believed (a price below it is a misread, e.g. a per-token price). */
  min: string;
  /** Largest amount believed. */
  max: string;
}

/** Bounds in USD per unit; other currencies scale by CURRENCY_SCALE (no FX: an order of magnitude). */
const USD_BOUNDS: Record<string, AmountBounds> = {
  '1M tokens': { min: '0.000001', max: '10000' },
  '1M tokens per hour': { min: '0.000001', max: '10000' },
  '1M characters': { min: '0.000001', max: '10000' },
  '1K requests': { min: '0.000001', max: '100000' },
  '1 request': { min: '0.000000001', max: '1000' },
  '1 image': { min: '0.000000001', max: '1000' },
  image: { min: '0.000000001', max: '1000' },
};
const DEFAULT_BOUNDS: AmountBounds = { min: '0.000000001', max: '100000' };

/** How many units of the currency make roughly one US dollar, rounded up to a power of ten. */
const CURRENCY_SCALE: Record<string, number> = { USD: 1, EUR: 1, GBP: 1, CHF: 1, CNY: 10, HKD: 10, SGD: 10, JPY: 1000, KRW: 10000, INR: 100 };

/** The bounds for an amount in `currency` per `unit`; unknown units and currencies get wide ones. */
export function amountBounds(unit: string, currency: string, overrides?: Partial<Record<string, AmountBounds>>): AmountBounds {
  const base = overrides?.[unit] ?? USD_BOUNDS[unit] ?? DEFAULT_BOUNDS;
  const scale = CURRENCY_SCALE[currency] ?? 10000;
  return { min: base.min, max: new Decimal(base.max).times(scale).toFixed() };
}

/** Why this amount cannot be a real price, or null when it can. `free` = stated as free by the page. */
export function implausibleAmount(a: { amount: string; unit: string; currency: string; free?: boolean }, overrides?: Partial<Record<string, AmountBounds>>): string | null {
  let d: Decimal;
  try {
    d = new Decimal(a.amount);
  } catch {
    return `"${a.amount.slice(0, 40)}" is not a number`;
  }
  if (!d.isFinite()) return `${a.amount.slice(0, 40)} is not a finite amount`;
  if (d.isNegative()) return `${a.amount.slice(0, 40)} is negative (a negative price never means "removed")`;
  const shown = a.amount.length > 40 ? `${a.amount.slice(0, 20)}… (${a.amount.length} characters)` : a.amount;
  if (d.isZero()) return a.free ? null : `a price of 0 not stated as free`;
  const b = amountBounds(a.unit, a.currency, overrides);
  if (d.lessThan(b.min)) return `${shown} ${a.currency} per ${a.unit} is below the plausible minimum ${b.min}`;
  if (d.greaterThan(b.max)) return `${shown} ${a.currency} per ${a.unit} is above the plausible maximum ${b.max}`;
  return null;
}
