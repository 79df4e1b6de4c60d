// Pure reference-rate arithmetic: cross rates through the base currency (EUR for the ECB) with
// exact decimals, and the rule for a day without a publication.
//
// Precision: a cross rate is a quotient, so it is rounded — to RATE_DIGITS (10) significant digits,
// half-even. A rate straight from the publication (EUR→X) is exact as published. Converted
// amounts are amount × rate, rounded to the same 10 significant digits: the rate's precision
// bounds the result's, so further digits would only pretend.
//
// A day without a publication (weekends and TARGET closing days: 1 January, Good Friday, Easter
// Monday, 1 May, 25 and 26 December) uses the last published day, and says so (`rateDate`).
// A day we simply hold no data for is not such a day: then there is no rate (never a guess).
import { Decimal } from '../decimal.ts';
import type { FxDay } from './contract.ts';

export const RATE_DIGITS = 10;
const DAY_MS = 86_400_000;

export function roundRate(d: Decimal): Decimal {
  return d.toSignificantDigits(RATE_DIGITS, Decimal.ROUND_HALF_EVEN);
}

/** Units of `to` per one unit of `from`, from one day's publication (rates per 1 `base`). */
export function crossRate(day: Pick<FxDay, 'rates'>, from: string, to: string, base = 'EUR'): Decimal | null {
  if (from === to) return new Decimal(1);
  const per = (c: string): Decimal | null => (c === base ? new Decimal(1) : day.rates[c] !== undefined ? new Decimal(day.rates[c]) : null);
  const f = per(from);
  const t = per(to);
  if (!f || !t) return null;
  return from === base ? t : roundRate(t.div(f));
}

export function convertAmount(amount: string | Decimal, rate: Decimal | string | number): Decimal {
  return roundRate(new Decimal(amount).times(rate));
}

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const dayMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
export const addDays = (date: string, n: number): string => isoDay(dayMs(date) + n * DAY_MS);

/** Easter Sunday (Gregorian; anonymous algorithm). */
function easter(year: number): string {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whether the ECB publishes no reference rates on `date`: a weekend or a TARGET closing day (since 2002). */
export function targetClosed(date: string): boolean {
  const wd = new Date(dayMs(date)).getUTCDay();
  if (wd === 0 || wd === 6) return true;
  const md = date.slice(5);
  if (md === '01-01' || md === '05-01' || md === '12-25' || md === '12-26') return true;
  const e = easter(Number(date.slice(0, 4)));
  return date === addDays(e, -2) || date === addDays(e, 1);
}

export interface Span {
  from: string;
  to: string;
}

/**
 * Whether no publication was missed between the day used and the day asked: every day after
 * `used` up to `asked` is a closing day, or lies in a span where we hold every publication (so
 * its absence from our data means the ECB published nothing).
 */
export function noPublicationBetween(used: string, asked: string, complete: Span[]): boolean {
  for (let d = addDays(used, 1); d <= asked; d = addDays(d, 1)) {
    if (targetClosed(d)) continue;
    if (complete.some((s) => s.from <= d && d <= s.to)) continue;
    return false;
  }
  return true;
}
