// Plausibility of a price amount: the one rule, used by the scraper kit (which refuses an
// implausible cell at parse time, scrapers/_kit/money.ts) and by the pipeline's guard (which
// refuses the row whatever a scraper did, guards.ts). An amount must be a finite decimal, not
// negative, 0 only when stated as free, and within the bounds of its currency and unit.
import { Decimal } from '../decimal.ts';

export interface AmountBounds {
  /** Smallest plausible non-zero amount. */
  min: string;
  /** Largest plausible amount. */
  max: string;
}

/**
 * Bounds per currency and unit family. Token units are per 1M tokens: no model has been listed
 * below $0.000001 or above $10,000 per 1M tokens (CNY ×10). Other units (per request, image,
 * character, search) share a looser default. A scraper may pass its own. Other currencies use
 * the USD bounds.
 */
export const DEFAULT_BOUNDS: Record<string, AmountBounds> = {
  'USD tokens': { min: '0.000001', max: '10000' },
  'CNY tokens': { min: '0.00001', max: '100000' },
  'USD other': { min: '0.0000001', max: '10000' },
  'CNY other': { min: '0.000001', max: '100000' },
};

function boundsFor(currency: string, unit: string, bounds: Record<string, AmountBounds>): AmountBounds {
  const family = /^1M tokens\b/.test(unit) ? 'tokens' : 'other';
  return bounds[`${currency} ${family}`] ?? bounds[`USD ${family}`]!;
}

/** Why `amount` cannot be a price in `currency` per `unit`, or undefined when it can. */
export function implausibility(amount: string, currency: string, unit: string, opts: { free?: boolean; bounds?: Record<string, AmountBounds> } = {}): string | undefined {
  let d: Decimal;
  try {
    d = new Decimal(amount);
  } catch {
    return `"${amount.slice(0, 20)}" is not a number`;
  }
  if (!d.isFinite()) return `${amount.slice(0, 40)} is not finite`;
  if (d.isNegative()) return `negative price ${amount.slice(0, 40)}`;
  if (d.isZero()) return opts.free ? undefined : 'price 0 is not stated as free';
  const b = boundsFor(currency, unit, opts.bounds ?? DEFAULT_BOUNDS);
  if (d.lt(b.min)) return `${currency} ${shortForm(d)} per ${unit} is below the plausible minimum ${b.min}`;
  if (d.gt(b.max)) return `${currency} ${shortForm(d)} per ${unit} is above the plausible maximum ${b.max}`;
  return undefined;
}

function shortForm(d: Decimal): string {
  const fixed = d.toFixed();
  return fixed.length <= 24 ? fixed : d.toExponential(6);
}
