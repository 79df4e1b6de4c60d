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

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local clock of instant `at` in time zone `tz`: minutes since local midnight and ISO weekday (1 = Monday). */
export function localClock(at: number, tz: string): { minutes: number; weekday: number } {
  // Building a formatter costs far more than using one; a usage-log quote asks per request.
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const parts = f.formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { minutes: Number(get('hour')) * 60 + Number(get('minute')), weekday: WEEKDAYS[get('weekday')] };
}

/**
 * Whether `at` falls in one of the window's [start, end) ranges, read in the window's time zone.
 * A range whose end is before its start wraps past midnight ("22:00"–"06:00"); `days` are the ISO
 * weekdays of the local day on which a range starts, so Friday 22:00–06:00 covers Saturday 03:00.
 */
export function inHours(w: HoursWindow, at: number): boolean {
  const { minutes: now, weekday } = localClock(at, w.tz);
  const startsOn = (day: number) => !w.days || w.days.includes(day);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return w.ranges.some(([s, e]) => {
    const [sh, sm] = s.split(':').map(Number);
    const [eh, em] = e.split(':').map(Number);
    const start = sh * 60 + sm;
    const end = eh * 60 + em;
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
