// The European Central Bank's euro foreign exchange reference rates: a source of kind `fx`.
// Two real formats, both parsed here as pure functions (no network, no clock):
//   eurofxref-daily.xml / eurofxref-hist-90d.xml / eurofxref-hist.xml — gesmes envelope,
//     <Cube time='YYYY-MM-DD'><Cube currency='USD' rate='1.1415'/>…</Cube>
//   eurofxref-hist.csv (inside eurofxref-hist.zip) — `Date,USD,JPY,…,` (trailing comma), newest
//     first, `N/A` where a currency was not quoted that day.
// Rates are units of the currency per 1 EUR, kept as the exact decimal published (normalised:
// "144.00" and "144" are the same rate).
import { LayoutChangedError } from '../../src/errors.ts';
import { normalizeAmount } from '../../src/decimal.ts';
import type { FxDay, FxParseResult, FxSource } from '../../src/fx/contract.ts';

export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';
export const ECB_90D_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml';
export const ECB_HIST_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip';
export const ECB_HOMEPAGE = 'https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[A-Z]{3}$/;
const RATE = /^\d+(\.\d+)?$/;

function realDate(d: string): boolean {
  if (!DATE.test(d)) return false;
  const ms = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === d;
}

function rate(value: string, where: string): string {
  if (!RATE.test(value) || /^0+(\.0+)?$/.test(value)) throw new LayoutChangedError(`${where}: "${value}" is not a positive decimal rate`);
  return normalizeAmount(value);
}

function sortDays(days: FxDay[]): FxDay[] {
  const seen = new Set<string>();
  for (const d of days) {
    if (seen.has(d.date)) throw new LayoutChangedError(`the day ${d.date} appears twice`);
    seen.add(d.date);
  }
  return days
    .map((d) => ({ date: d.date, rates: Object.fromEntries(Object.entries(d.rates).sort(([a], [b]) => a.localeCompare(b))) }))
    .sort((a, b) => a.date.localeCompare(b.date));
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*(['"])([^'"]*)\\1`).exec(tag)?.[2];

/** eurofxref-daily.xml, -hist-90d.xml or -hist.xml: one or more dated Cubes. */
export function parseEcbXml(text: string): FxParseResult {
  if (!/<gesmes:Envelope\b/.test(text) || !/European Central Bank/.test(text))
    throw new LayoutChangedError('not an ECB reference-rate envelope (no gesmes:Envelope from the European Central Bank)');
  const days: FxDay[] = [];
  let current: FxDay | null = null;
  for (const m of text.matchAll(/<Cube\b([^>]*?)(\/?)>|<\/Cube>/g)) {
    if (m[0] === '</Cube>') {
      if (current) days.push(current);
      current = null;
      continue;
    }
    const tag = m[1];
    const time = attr(tag, 'time');
    const currency = attr(tag, 'currency');
    if (time !== undefined) {
      if (!realDate(time)) throw new LayoutChangedError(`Cube time="${time}" is not a date`);
      if (current) throw new LayoutChangedError(`Cube ${time} opens inside Cube ${current.date}`);
      current = { date: time, rates: {} };
      if (m[2] === '/') {
        days.push(current);
        current = null;
      }
    } else if (currency !== undefined) {
      if (!current) throw new LayoutChangedError(`a rate for ${currency} outside any dated Cube`);
      if (!CODE.test(currency)) throw new LayoutChangedError(`${current.date}: "${currency}" is not a currency code`);
      if (currency in current.rates) throw new LayoutChangedError(`${current.date}: ${currency} appears twice`);
      current.rates[currency] = rate(attr(tag, 'rate') ?? '', `${current.date} ${currency}`);
    }
  }
  if (current) throw new LayoutChangedError(`Cube ${current.date} is not closed`);
  const withRates = days.filter((d) => Object.keys(d.rates).length > 0);
  if (withRates.length === 0) throw new LayoutChangedError('no dated rates in the ECB envelope');
  return { base: 'EUR', days: sortDays(withRates), complete: true };
}

/** eurofxref-hist.csv: a header of currency codes, one row per business day. */
export function parseEcbCsv(text: string): FxParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  if (header[0] !== 'Date' || header.length < 3) throw new LayoutChangedError('not an ECB history CSV (the first column is not "Date")');
  const codes = header.slice(1);
  while (codes.length && codes[codes.length - 1] === '') codes.pop(); // the trailing comma
  for (const c of codes) if (!CODE.test(c)) throw new LayoutChangedError(`header column "${c}" is not a currency code`);
  const days: FxDay[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const cells = line.split(',').map((c) => c.trim());
    const date = cells[0];
    if (!realDate(date)) throw new LayoutChangedError(`row ${i + 2}: "${date}" is not a date`);
    const rest = cells.slice(1);
    if (rest.length > codes.length && rest.slice(codes.length).some((c) => c !== ''))
      throw new LayoutChangedError(`row ${i + 2} (${date}) has more cells than the header has currencies`);
    const rates: Record<string, string> = {};
    codes.forEach((code, j) => {
      const v = rest[j] ?? '';
      if (v === '' || v === 'N/A') return;
      rates[code] = rate(v, `${date} ${code}`);
    });
    if (Object.keys(rates).length > 0) days.push({ date, rates });
  }
  if (days.length === 0) throw new LayoutChangedError('the ECB history CSV has no rows');
  return { base: 'EUR', days: sortDays(days), complete: true };
}

/** Either format, told apart by content (the XML envelope or the CSV header). */
export function parseEcb(text: string): FxParseResult {
  return /^\s*(<\?xml|<gesmes:Envelope)/.test(text) ? parseEcbXml(text) : parseEcbCsv(text);
}

const ecbFx: FxSource = {
  id: 'ecb-fx',
  source: 'ecb',
  name: 'European Central Bank euro foreign exchange reference rates',
  kind: 'fx',
  base: 'EUR',
  homepage: ECB_HOMEPAGE,
  // The daily file, and the last 90 days (fills any days a stopped worker missed).
  pages: [{ url: ECB_DAILY_URL }, { url: ECB_90D_URL }],
  // "The reference rates are usually updated at around 16:00 CET every working day, except on
  // TARGET closing days" (ECB): 15:30 UTC is 16:30 CET / 17:30 CEST, after publication all year.
  schedule: '30 15 * * 1-5',
  parse: (text) => parseEcb(text),
};

export default ecbFx;
