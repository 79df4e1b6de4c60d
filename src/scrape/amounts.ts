// Exact amounts for scrapers: every price is read as a decimal string and computed with decimal.js,
// never through a float. One normal form for every amount: "$1.60", "$1.6" and "1.60元" all give "1.6".
import { Decimal } from 'decimal.js';
import { LayoutChangedError } from '../errors.ts';

/** A private Decimal with room for any price we multiply (the default 20 digits would round). */
const D = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_EVEN });

/** Plain notation, no exponent, no trailing zeros: 12.50 → "12.5", 3.0 → "3". */
export function normaliseDecimal(value: string | number | Decimal): string {
  const fixed = new D(value).toFixed();
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

const PLAIN_DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

/**
 * A number as a human-edited page prints it (DeepSeek, Anthropic). The rule, chosen so that a page
 * in another number format fails loudly instead of being misread by a factor of 1000:
 * - digits with at most one '.' as the decimal point; no ',' at all, no spaces, no signs
 *   ("1,099.00", "1.099,00", "1 099" are refused: these pages never need thousands separators);
 * - 1–3 integer digits not starting with 0, a dot and exactly three digits ("3.350", "1.099") are
 *   refused as ambiguous, since a European thousands separator is plausible there; "0.435",
 *   "0.003625", "12.5" and "37.50" are fine.
 * Returns the normalised decimal string.
 */
export function parseDisplayedNumber(raw: string, where: string): string {
  const s = raw.trim();
  if (/[,\s']/.test(s)) throw new LayoutChangedError(`${where}: number "${raw}" uses a thousands/decimal separator we refuse to guess (only "1234.5" style is read)`);
  if (!PLAIN_DECIMAL.test(s)) throw new LayoutChangedError(`${where}: "${raw}" is not a plain decimal number`);
  if (/^[1-9]\d{0,2}\.\d{3}$/.test(s)) throw new LayoutChangedError(`${where}: number "${raw}" is ambiguous (the dot could be a thousands separator)`);
  return normaliseDecimal(s);
}

/** A decimal string from a machine API (OpenRouter): plain notation only, no ambiguity rule. */
export function parseApiDecimal(raw: string, where: string): string {
  if (!PLAIN_DECIMAL.test(raw)) throw new LayoutChangedError(`${where}: "${raw}" is not a plain decimal string`);
  return normaliseDecimal(raw);
}

export interface Money {
  currency: 'USD' | 'CNY';
  amount: string;
}

/**
 * Money tokens as the pages print them: "$0.14", "\$3" (escaped in Markdown), "0.05元", "¥3".
 * Separators and spaces are swallowed on purpose so parseDisplayedNumber can refuse them.
 */
export const MONEY_PATTERN = /\\?\$\s*\d[\d.,' ]*|[¥￥]\s*\d[\d.,' ]*|\d[\d.,' ]*元/g;

/** One money token → currency + normalised amount (see parseDisplayedNumber for the number rule). */
export function parseMoney(token: string, where: string): Money {
  const t = token.trim().replace(/^\\/, '');
  let m = /^\$\s*(.+)$/.exec(t);
  if (m) return { currency: 'USD', amount: parseDisplayedNumber(m[1], where) };
  m = /^[¥￥]\s*(.+)$/.exec(t);
  if (m) return { currency: 'CNY', amount: parseDisplayedNumber(m[1], where) };
  m = /^(.+?)\s*元$/.exec(t);
  if (m) return { currency: 'CNY', amount: parseDisplayedNumber(m[1], where) };
  throw new LayoutChangedError(`${where}: "${token}" is not an amount in $ or 元`);
}

export function isZero(amount: string): boolean {
  return new D(amount).isZero();
}

/** Refuse a 0 the page does not call free (DESIGN §4: a 0 not stated as free is a broken page). */
export function assertNotZero(amount: string, where: string): void {
  if (isZero(amount)) throw new LayoutChangedError(`${where}: price 0 is not stated as free`);
}

export function multiply(a: string, b: string): string {
  return normaliseDecimal(new D(a).times(b));
}

export function compareDecimal(a: string, b: string): number {
  return new D(a).comparedTo(b);
}

/** A per-token price → per 1M tokens, exactly ("0.000003" → "3"). */
export function perTokenToPerMillion(perToken: string): string {
  return normaliseDecimal(new D(perToken).times(1_000_000));
}

/**
 * A token count as published: "1M" → 1000000, "128K" → 128000, "200k" → 200000, "8192" → 8192.
 * K and M are decimal (DESIGN §3: 200K = 200000), never 1024.
 */
export function parseTokenCount(raw: string, where: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KkMm]?)\s*$/.exec(raw);
  if (!m) throw new LayoutChangedError(`${where}: "${raw}" is not a token count like 128K or 1M`);
  const factor = m[2] === '' ? 1 : /k/i.test(m[2]) ? 1_000 : 1_000_000;
  const n = new D(m[1]).times(factor);
  if (!n.isInteger() || n.lte(0)) throw new LayoutChangedError(`${where}: "${raw}" is not a whole positive token count`);
  return n.toNumber();
}

/** "75% off" applied to a list price: list × (100 − 75) / 100, exactly. */
export function applyPercentOff(list: string, percentOff: string): string {
  return normaliseDecimal(new D(list).times(new D(100).minus(percentOff)).div(100));
}

/** A Chinese discount "2.5折" (pay 25%) as percent off: 100 − 2.5 × 10 = 75. */
export function zheToPercentOff(zhe: string): string {
  return normaliseDecimal(new D(100).minus(new D(zhe).times(10)));
}
