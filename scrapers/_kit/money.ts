// The one money reader of every scraper: amounts are exact decimal strings (src/decimal.ts), read
// by one number rule, with one ambiguity guard (one amount expected, two found → refused), one
// rule for zero (a 0 must be stated as free) and one plausibility check (finite, non-negative,
// within bounds per currency and unit). A refused amount is a LayoutChangedError; scrapers read
// rows inside `optional` (coverage.ts) so a refused row is an unread section, not a refused page.
import { implausibility, type AmountBounds } from '../../src/scrape/plausibility.ts';
import { LayoutChangedError } from '../../src/errors.ts';
import { Decimal, normalizeAmount } from '../../src/decimal.ts';

/** An amount the page shows that cannot be a real price (out of bounds, negative, not finite). */
export class ImplausiblePriceError extends LayoutChangedError {
  constructor(message: string) {
    super(message);
    this.name = 'ImplausiblePriceError';
  }
}

const PLAIN_DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
/** No published price needs more digits than this; a longer string is refused before any arithmetic. */
const MAX_DIGITS = 40;

/**
 * A number as a human-edited page prints it. The rule, chosen so that a page in another number
 * format fails loudly instead of being misread by a factor of 1000:
 * - digits with at most one '.' as the decimal point; no ',' at all, no spaces, no signs
 *   ("1,099.00", "1.099,00", "1 099" are refused);
 * - 1–3 integer digits not starting with 0, a dot and exactly three digits ("3.350", "1.099") are
 *   refused as ambiguous (a European thousands separator is plausible there); "0.435", "0.003625",
 *   "12.5" and "37.50" are fine. A page known to print fractional cents ("$2.125" on OpenAI's
 *   page, which has never used a thousands separator) passes `dotIsDecimal`.
 */
export function parseDisplayedNumber(raw: string, where: string, opts: { dotIsDecimal?: boolean } = {}): string {
  const s = raw.trim();
  if (/[,\s']/.test(s)) throw new LayoutChangedError(`${where}: number "${raw}" uses a thousands/decimal separator we refuse to guess (only "1234.5" style is read)`);
  if (s.length > MAX_DIGITS) throw new ImplausiblePriceError(`${where}: number of ${s.length} characters is not a price`);
  if (!PLAIN_DECIMAL.test(s)) throw new LayoutChangedError(`${where}: "${raw.slice(0, 40)}" is not a plain decimal number`);
  if (!opts.dotIsDecimal && /^[1-9]\d{0,2}\.\d{3}$/.test(s)) throw new LayoutChangedError(`${where}: number "${raw}" is ambiguous (the dot could be a thousands separator)`);
  return normalizeAmount(s);
}

/** A decimal string from a machine API (OpenRouter): plain notation only; a sign is refused. */
export function parseApiDecimal(raw: string, where: string): string {
  if (raw.length > MAX_DIGITS) throw new ImplausiblePriceError(`${where}: "${raw.slice(0, 20)}…" (${raw.length} characters) is not a price`);
  if (/^-/.test(raw)) throw new ImplausiblePriceError(`${where}: negative price "${raw}" refused (a negative price is not a price, and never means "removed")`);
  if (!PLAIN_DECIMAL.test(raw)) throw new LayoutChangedError(`${where}: "${raw}" is not a plain decimal string`);
  return normalizeAmount(raw);
}

// ---------------------------------------------------------------------------------------------
// Plausibility

// The rule itself lives in src/scrape/plausibility.ts, shared with the pipeline's guard.

/** Throws ImplausiblePriceError unless `amount` can be a price (see implausibility). */
export function assertPlausible(amount: string, currency: string, unit: string, where: string, opts: { free?: boolean; bounds?: Record<string, AmountBounds> } = {}): void {
  const why = implausibility(amount, currency, unit, opts);
  if (why) throw new ImplausiblePriceError(`${where}: ${why}`);
}

export function isZero(amount: string): boolean {
  return new Decimal(amount).isZero();
}

// ---------------------------------------------------------------------------------------------
// Money in page text

export interface Money {
  currency: 'USD' | 'CNY';
  amount: string;
  /** The page says "free" (amount "0"). */
  free?: true;
  /** What follows a "/" or "per" after the amount ("MTok", "M tokens", "image"), lowercased. */
  per?: string;
}

/**
 * Money tokens as pages print them: "$0.14", "\$3" (escaped in Markdown), "0.05元", "¥3", "￥4.00".
 * Separators and spaces are swallowed on purpose so parseDisplayedNumber can refuse them.
 */
export const MONEY_PATTERN = /\\?\$\s*\d[\d.,' ]*|[¥￥]\s*\d[\d.,' ]*|\d[\d.,' ]*元/g;
const FREE = /^(free|free of charge|免费)$/i;

/** One money token → currency + normalised amount (see parseDisplayedNumber for the number rule). */
export function parseMoney(token: string, where: string, opts: { dotIsDecimal?: boolean } = {}): Money {
  const t = token.trim().replace(/^\\/, '');
  let m = /^\$\s*(.+)$/.exec(t);
  if (m) return { currency: 'USD', amount: parseDisplayedNumber(m[1], where, opts) };
  m = /^[¥￥]\s*(.+)$/.exec(t);
  if (m) return { currency: 'CNY', amount: parseDisplayedNumber(m[1], where, opts) };
  m = /^(.+?)\s*元$/.exec(t);
  if (m) return { currency: 'CNY', amount: parseDisplayedNumber(m[1], where, opts) };
  throw new LayoutChangedError(`${where}: "${token}" is not an amount in $ or 元`);
}

/** Every money token in a text, in order. */
export function moneyTokens(text: string): string[] {
  return (text.match(MONEY_PATTERN) ?? []).map((t) => t.trim());
}

export interface CellOptions {
  /** The currency the page is in: a cell in another one is refused; a bare number is read in it. */
  currency?: 'USD' | 'CNY';
  /** Read a bare number ("0.003625") as an amount in `currency`. */
  bare?: boolean;
  /** Cell texts that mean "no price here" (default: "", "-", "–", "—"): readMoneyCell returns null. */
  empty?: RegExp;
  /** The page uses "." only as the decimal point (see parseDisplayedNumber). */
  dotIsDecimal?: boolean;
}

/**
 * A cell that holds one price: "$0.435", "\$1.6 / MTok", "¥1", "1元", "$0.3 / M tokens",
 * "$0.0035 per image", "Free", or (with `bare`) "0.003625". Two different amounts in the cell are
 * refused (the ambiguity guard); a 0 is refused unless the cell says free.
 */
export function readMoneyCell(raw: string, where: string, opts: CellOptions = {}): Money | null {
  const cell = raw.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim();
  if ((opts.empty ?? /^(|-|–|—)$/).test(cell)) return null;
  if (FREE.test(cell)) {
    if (!opts.currency) throw new LayoutChangedError(`${where}: "free" on a page whose currency is not known`);
    return { currency: opts.currency, amount: '0', free: true };
  }
  const tokens = moneyTokens(cell);
  if (tokens.length > 1) {
    const amounts = new Set(tokens.map((t) => parseMoney(t, where, opts).amount));
    throw new LayoutChangedError(`${where}: ${amounts.size > 1 ? 'two different amounts' : 'the amount twice'} in one cell where one was expected: "${cell}"`);
  }
  let money: Money;
  let rest: string;
  if (tokens.length === 1) {
    const at = cell.indexOf(tokens[0]);
    if (cell.slice(0, at).trim() !== '') throw new LayoutChangedError(`${where}: unrecognised text before the amount in "${cell}"`);
    money = parseMoney(tokens[0], where, opts);
    rest = cell.slice(at + tokens[0].length).trim();
  } else {
    const bare = /^(\d[\d.,' ]*)(.*)$/.exec(cell);
    if (!bare || !opts.bare || !opts.currency) throw new LayoutChangedError(`${where}: no price in "${cell}"`);
    money = { currency: opts.currency, amount: parseDisplayedNumber(bare[1], where, opts) };
    rest = bare[2].trim();
  }
  if (opts.currency && money.currency !== opts.currency) throw new LayoutChangedError(`${where}: price "${cell}" is in ${money.currency} but the page is in ${opts.currency}`);
  if (rest !== '') {
    const per = /^(?:\/|per\b)\s*(.+)$/i.exec(rest);
    if (!per) throw new LayoutChangedError(`${where}: unrecognised text "${rest}" after the amount in "${cell}"`);
    money.per = per[1].trim().toLowerCase();
  }
  if (isZero(money.amount)) throw new LayoutChangedError(`${where}: price 0 is not stated as free`);
  return money;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic the pages state

export function multiply(a: string, b: string): string {
  return normalizeAmount(new Decimal(a).times(b));
}

export function compareDecimal(a: string, b: string): number {
  return new Decimal(a).comparedTo(b);
}

/** A per-token price → per 1M tokens, exactly ("0.000003" → "3"). */
export function perTokenToPerMillion(perToken: string): string {
  return normalizeAmount(new Decimal(perToken).times(1_000_000));
}

/** "75% off" applied to a list price: list × (100 − 75) / 100, exactly. */
export function applyPercentOff(list: string, percentOff: string): string {
  return normalizeAmount(new Decimal(list).times(new Decimal(100).minus(percentOff)).div(100));
}

/** A Chinese discount "2.5折" (pay 25%) as percent off: 100 − 2.5 × 10 = 75. */
export function zheToPercentOff(zhe: string): string {
  return normalizeAmount(new Decimal(100).minus(new Decimal(zhe).times(10)));
}

/**
 * A token count as published: "1M" → 1000000, "128K" → 128000, "200k" → 200000, "8192" → 8192,
 * "262,144" → 262144. K and M are decimal (DESIGN §3: 200K = 200000), never 1024.
 */
export function parseTokenCount(raw: string, where: string): number {
  const m = /^\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([KkMm]?)\s*(?:tokens?)?\s*$/.exec(raw);
  if (!m) throw new LayoutChangedError(`${where}: "${raw}" is not a token count like 128K or 1M`);
  const factor = m[2] === '' ? 1 : /k/i.test(m[2]) ? 1_000 : 1_000_000;
  const n = new Decimal(m[1].replace(/,/g, '')).times(factor);
  if (!n.isInteger() || n.lte(0) || n.gt(1e12)) throw new LayoutChangedError(`${where}: "${raw}" is not a whole positive token count`);
  return n.toNumber();
}
