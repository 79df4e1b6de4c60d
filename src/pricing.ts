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

/** Minutes since local midnight of instant `at` in time zone `tz`. */
export function localMinutes(at: number, tz: string): number {
  // Building a formatter costs far more than using one; a usage-log quote asks per request.
  let fmt = formatters.get(tz);
  if (!fmt) formatters.set(tz, (fmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = fmt.formatToParts(new Date(at));
  const h = Number(parts.find((p) => p.type === 'hour')!.value);
  const m = Number(parts.find((p) => p.type === 'minute')!.value);
  return h * 60 + m;
}

/** Whether `at` falls in one of the window's [start, end) ranges, read in the window's time zone. */
export function inHours(w: HoursWindow, at: number): boolean {
  const now = localMinutes(at, w.tz);
  return w.ranges.some(([s, e]) => {
    const [sh, sm] = s.split(':').map(Number);
    const [eh, em] = e.split(':').map(Number);
    const start = sh * 60 + sm;
    const end = eh * 60 + em;
    // A range may wrap past midnight ("22:00"–"06:00").
    return start <= end ? now >= start && now < end : now >= start || now < end;
  });
}

/**
 * The row of `component` that prices this request, or null. Caller-chosen conditions (service
 * tier, variant, cache TTL) must match; among the rest, a time window containing `at` beats a row
 * without one, and the highest context threshold the request's input exceeds wins.
 */
export function selectRow(rows: PricedRow[], component: string, req: RequestShape): PricedRow | null {
  const candidates = rows.filter((r) => {
    const c = r.conditions;
    if (r.component !== component) return false;
    if ((c.serviceTier ?? undefined) !== req.serviceTier) return false;
    if ((c.variant ?? undefined) !== req.variant) return false;
    if (component === 'cache_write' && c.cacheTtl !== undefined && c.cacheTtl !== (req.cacheTtl ?? '5m')) return false;
    if (component !== 'cache_write' && c.cacheTtl !== undefined) return false;
    if (c.contextAbove !== undefined && !(req.inputTokens > c.contextAbove)) return false;
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
