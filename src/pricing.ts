// Pure pricing: which price row applies to one request, and what its tokens cost. Decimal only.
import { Decimal } from './decimal.ts';
import type { CacheTtl, Conditions, HoursWindow, ServiceTier } from './model.ts';

export interface PricedRow {
  component: string;
  currency: string;
  unit: string;
  conditions: Conditions;
  /** Effective amount as an exact decimal string. */
  amount: string;
}

export interface RequestShape {
  at: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  serviceTier?: ServiceTier;
  cacheTtl?: CacheTtl;
  variant?: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** UTC offset (minutes) of `tz` at `at`, read from Intl (slow: ~20 µs a call). */
function offsetAt(at: number, tz: string): number {
  // Building a formatter costs far more than using one.
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((local - Math.floor(at / 1000) * 1000) / 60_000);
}

// Offsets per zone and UTC quarter hour. Zones change offset at whole, half or quarter hours UTC,
// so a quarter whose two ends agree has one offset throughout; one that holds a change is not kept.
const QUARTER_MS = 900_000;
const offsets = new Map<string, Map<number, number>>();
function cachedOffset(at: number, tz: string): number {
  const q = Math.floor(at / QUARTER_MS);
  let byQuarter = offsets.get(tz);
  if (!byQuarter) offsets.set(tz, (byQuarter = new Map()));
  const kept = byQuarter.get(q);
  if (kept !== undefined) return kept;
  const start = offsetAt(q * QUARTER_MS, tz);
  if (start !== offsetAt((q + 1) * QUARTER_MS - 1, tz)) return offsetAt(at, tz);
  if (byQuarter.size > 200_000) byQuarter.clear(); // a bound, not a working set: ~6 years of quarters
  byQuarter.set(q, start);
  return start;
}

/** Local clock of instant `at` in time zone `tz`: minutes since local midnight and ISO weekday (1 = Monday). */
export function localClock(at: number, tz: string): { minutes: number; weekday: number } {
  // A usage-log quote asks this per request and window: the offset is kept per quarter hour.
  const local = new Date(at + cachedOffset(at, tz) * 60_000);
  const day = local.getUTCDay();
  return { minutes: local.getUTCHours() * 60 + local.getUTCMinutes(), weekday: day === 0 ? 7 : day };
}

/**
 * Whether `at` falls in one of the window's [start, end) ranges, read in the window's time zone.
 * A range whose end is before its start wraps past midnight ("22:00"–"06:00"); `days` are the ISO
 * weekdays of the local day on which a range starts, so Friday 22:00–06:00 covers Saturday 03:00.
 */
const rangeMinutes = new WeakMap<HoursWindow['ranges'], Array<[number, number]>>();
const toMinutes = (hm: string) => {
  const [h, m] = hm.split(':').map(Number);
  return h * 60 + m;
};

export function inHours(w: HoursWindow, at: number): boolean {
  const { minutes: now, weekday } = localClock(at, w.tz);
  const startsOn = (day: number) => !w.days || w.days.includes(day);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  // "09:00" read once per window, not once per request.
  let ranges = rangeMinutes.get(w.ranges);
  if (!ranges) rangeMinutes.set(w.ranges, (ranges = w.ranges.map(([s, e]) => [toMinutes(s), toMinutes(e)])));
  return ranges.some(([start, end]) => {
    if (start <= end) return now >= start && now < end && startsOn(weekday);
    if (now >= start) return startsOn(weekday); // the part before midnight: started today
    return now < end && startsOn(yesterday); // the part after midnight: started the day before
  });
}

/**
 * The tokens a context tier counts: the request's input (cache reads and writes included), or its
 * total context (input + output) where the provider bills tiers by it (Moonshot).
 */
export function contextTokens(c: Conditions, req: RequestShape): number {
  return c.contextMeasure === 'total' ? req.inputTokens + req.outputTokens : req.inputTokens;
}

/** Whether a row's context bound admits the request: above it, or at it too when the page states it inclusive. */
export function meetsContextBound(c: Conditions, req: RequestShape): boolean {
  if (c.contextAbove === undefined) return true;
  const n = contextTokens(c, req);
  return c.contextInclusive ? n >= c.contextAbove : n > c.contextAbove;
}

/**
 * The row of `component` that prices this request, or null. Caller-chosen conditions (service
 * tier, variant, cache TTL) must match; among the rest, a time window containing `at` beats a row
 * without one, and the highest context threshold the request meets wins (see meetsContextBound).
 */
export function selectRow(rows: PricedRow[], component: string, req: RequestShape): PricedRow | null {
  const candidates = rows.filter((r) => {
    const c = r.conditions;
    if (r.component !== component) return false;
    if ((c.serviceTier ?? undefined) !== req.serviceTier) return false;
    if ((c.variant ?? undefined) !== req.variant) return false;
    if (component === 'cache_write' && c.cacheTtl !== undefined && c.cacheTtl !== (req.cacheTtl ?? '5m')) return false;
    if (component !== 'cache_write' && c.cacheTtl !== undefined) return false;
    if (!meetsContextBound(c, req)) return false;
    if (c.hours && !inHours(c.hours, req.at)) return false;
    return true;
  });
  if (candidates.length === 0) return null;
  return candidates.sort((a, b) => {
    const ha = a.conditions.hours ? 1 : 0;
    const hb = b.conditions.hours ? 1 : 0;
    if (ha !== hb) return hb - ha;
    return (b.conditions.contextAbove ?? 0) - (a.conditions.contextAbove ?? 0);
  })[0];
}

/** Tokens per unit: "1M tokens" → 1,000,000. Non-token units return null. */
export function tokensPerUnit(unit: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KM]?)\s*tokens?$/i.exec(unit.trim());
  if (!m) return null;
  const mult = m[2].toUpperCase() === 'M' ? 1_000_000 : m[2].toUpperCase() === 'K' ? 1_000 : 1;
  return Number(m[1]) * mult;
}

export function costOf(tokens: number | Decimal, row: PricedRow): Decimal {
  const per = tokensPerUnit(row.unit);
  if (per === null) throw new Error(`unit ${row.unit} is not a token unit`);
  return new Decimal(tokens).times(row.amount).div(per);
}
