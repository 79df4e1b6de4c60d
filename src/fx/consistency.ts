// Currencies check each other. Where a provider publishes one model in two currencies, the two
// lists imply an exchange rate (CNY amount / USD amount). Providers do not convert exactly —
// DeepSeek's CNY and USD lists imply 6.9–7.4 CNY per USD against a reference of about 7.2 — so
// this only catches large departures: when one side changed and the implied rate is now more
// than the tolerance (TOKENTRAIL_FX_TOLERANCE, default 25%) away from the ECB reference rate, the
// side that did not change is `suspect-stale`.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { BadInputError } from '../errors.ts';
import { Decimal, toMoney } from '../decimal.ts';
import { Money, type Conditions } from '../model.ts';
import { toIso } from '../time.ts';
import { history, listModels, priceSheet, type PriceRow } from '../timeline/queries.ts';
import { rateAt, type FxRate, type RateLookup, type RateSource } from './store.ts';

export const DEFAULT_FX_TOLERANCE = '0.25';
/** A departure of 25% or more cannot come from a rate a few weeks old (CNY/USD moves a few % a quarter). */
export const CHECK_RATE_MAX_AGE_DAYS = 92;

/** TOKENTRAIL_FX_TOLERANCE: a fraction (0.25) or a percentage ("25%"). */
export function fxTolerance(env: NodeJS.ProcessEnv = process.env): Decimal {
  const raw = (env.TOKENTRAIL_FX_TOLERANCE ?? DEFAULT_FX_TOLERANCE).trim();
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw);
  const v = m ? new Decimal(m[1]).div(m[2] ? 100 : 1) : null;
  if (!v || v.lte(0)) throw new BadInputError(`TOKENTRAIL_FX_TOLERANCE: "${raw}" is not a positive fraction (0.25) or percentage (25%)`, { field: 'TOKENTRAIL_FX_TOLERANCE' });
  return v;
}

export interface CheckLine {
  component: string;
  unit: string;
  currency: string;
  conditions: Conditions;
  amount: Money;
  validFrom: string;
}

export interface Departure {
  model: string;
  component: string;
  unit: string;
  /** The instant judged (a change instant for /v1/disagreements, `at` for a sheet). */
  at: string;
  /** The side that changed last. */
  changed: { currency: string; conditions: Conditions; amount: Money; validFrom: string };
  /** The side left as it was: suspect-stale. */
  stale: { currency: string; conditions: Conditions; amount: Money; validFrom: string };
  /** Units of stale.currency per 1 changed.currency implied by the two lists (10 significant digits). */
  impliedRate: Money;
  referenceRate: Money;
  rateDate: string;
  rateSource: RateSource;
  rateNote?: string;
  /** implied / reference − 1, in percent, 2 decimals. */
  departurePct: number;
  tolerancePct: number;
}

/** The conditions that make two lines "the same line": everything but time-of-day windows. */
function lineKey(l: CheckLine): string {
  const { hours: _hours, ...rest } = l.conditions;
  return `${l.component}\u0000${l.unit}\u0000${JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))))}`;
}

const sameHours = (a: Conditions, b: Conditions) => JSON.stringify(a.hours ?? null) === JSON.stringify(b.hours ?? null);

/**
 * Pure: the departures among lines in force at one instant. `rate(from, to)` is the reference
 * rate of that instant (null: no check possible for that pair).
 */
export function findDepartures(
  model: string,
  at: number,
  lines: CheckLine[],
  rate: (from: string, to: string) => FxRate | null,
  tolerance: Decimal,
): Departure[] {
  const groups = new Map<string, CheckLine[]>();
  for (const l of lines) groups.set(lineKey(l), [...(groups.get(lineKey(l)) ?? []), l]);
  const out: Departure[] = [];
  for (const group of groups.values()) {
    const currencies = [...new Set(group.map((l) => l.currency))].sort();
    for (let i = 0; i < currencies.length; i++)
      for (let j = i + 1; j < currencies.length; j++) {
        for (const a of group.filter((l) => l.currency === currencies[i]))
          for (const b of group.filter((l) => l.currency === currencies[j])) {
            // Peak and off-peak lines compare with a flat line, or with the same window.
            if (a.conditions.hours && b.conditions.hours && !sameHours(a.conditions, b.conditions)) continue;
            if (!new Decimal(a.amount).gt(0) || !new Decimal(b.amount).gt(0) || a.validFrom === b.validFrom) continue;
            const [changed, stale] = a.validFrom > b.validFrom ? [a, b] : [b, a];
            const ref = rate(changed.currency, stale.currency);
            if (!ref) continue;
            const implied = new Decimal(stale.amount).div(changed.amount);
            const departure = implied.div(ref.rate).minus(1);
            if (departure.abs().lte(tolerance)) continue;
            out.push({
              model,
              component: changed.component,
              unit: changed.unit,
              at: toIso(at),
              changed: { currency: changed.currency, conditions: changed.conditions, amount: changed.amount, validFrom: changed.validFrom },
              stale: { currency: stale.currency, conditions: stale.conditions, amount: stale.amount, validFrom: stale.validFrom },
              impliedRate: toMoney(implied.toSignificantDigits(10)),
              referenceRate: toMoney(new Decimal(ref.rate)),
              rateDate: ref.rateDate,
              rateSource: ref.rateSource,
              ...(ref.rateNote && { rateNote: ref.rateNote }),
              departurePct: departure.times(100).toDecimalPlaces(2).toNumber(),
              tolerancePct: tolerance.times(100).toNumber(),
            });
          }
      }
  }
  return out;
}

/** Reference rates for one instant, looked up once per pair. */
async function rateTable(rates: RateLookup, lines: CheckLine[], at: number): Promise<(from: string, to: string) => FxRate | null> {
  const currencies = [...new Set(lines.map((l) => l.currency))];
  const table = new Map<string, FxRate | null>();
  for (const from of currencies)
    for (const to of currencies)
      if (from !== to) table.set(`${from}>${to}`, await rates({ from, to, at, allowStaleDays: CHECK_RATE_MAX_AGE_DAYS }));
  return (from, to) => table.get(`${from}>${to}`) ?? null;
}

export const SuspectStale = z.object({
  changed: z.object({ currency: z.string(), amount: Money, validFrom: z.string() }),
  impliedRate: Money,
  referenceRate: Money,
  rateDate: z.string(),
  departurePct: z.number(),
  tolerancePct: z.number(),
});
export type SuspectStale = z.infer<typeof SuspectStale>;

export type FlaggedRow<R> = R & { flags?: ['suspect-stale']; suspectStale?: SuspectStale };

/** Flags a sheet's stale-side lines (at most one departure per line: the largest). */
export async function flagSheet<R extends PriceRow>(
  db: Db,
  model: string,
  at: number,
  rows: R[],
  tolerance = fxTolerance(),
  rates: RateLookup = (q) => rateAt(db, q),
): Promise<Array<FlaggedRow<R>>> {
  if (new Set(rows.map((r) => r.currency)).size < 2) return rows;
  const deps = findDepartures(model, at, rows, await rateTable(rates, rows, at), tolerance);
  if (deps.length === 0) return rows;
  return rows.map((r) => {
    const mine = deps
      .filter((d) => d.stale.currency === r.currency && d.component === r.component && d.unit === r.unit && JSON.stringify(d.stale.conditions) === JSON.stringify(r.conditions))
      .sort((a, b) => Math.abs(b.departurePct) - Math.abs(a.departurePct))[0];
    if (!mine) return r;
    return {
      ...r,
      flags: ['suspect-stale'] as ['suspect-stale'],
      suspectStale: {
        changed: { currency: mine.changed.currency, amount: mine.changed.amount, validFrom: mine.changed.validFrom },
        impliedRate: mine.impliedRate,
        referenceRate: mine.referenceRate,
        rateDate: mine.rateDate,
        departurePct: mine.departurePct,
        tolerancePct: mine.tolerancePct,
      },
    };
  });
}

/** Departures at one instant for one model (the pipeline's check after a scrape). */
export async function departuresAt(db: Db, model: string, at: number, asOf: number, tolerance = fxTolerance()): Promise<Departure[]> {
  const sheet = await priceSheet(db, { model, at, asOf });
  if (new Set(sheet.prices.map((r) => r.currency)).size < 2) return [];
  return findDepartures(sheet.model, at, sheet.prices, await rateTable((q) => rateAt(db, q), sheet.prices, at), tolerance);
}

/**
 * For /v1/disagreements: every departure at every instant a line of a two-currency model changed
 * (as known at asOf), newest first; one entry per (stale line, change).
 */
export async function fxDisagreements(
  db: Db,
  q: { provider?: string; model?: string; since?: number; asOf: number },
  tolerance = fxTolerance(),
): Promise<Array<Departure & { kind: 'fx-stale'; provider: string }>> {
  // Only a model with series in two currencies can depart (its history holds those series' facts):
  // one query finds them, instead of reading the history of every model.
  const multi = q.model ? null : new Set((await db.all<{ model: string }>(sql`SELECT model FROM series GROUP BY model HAVING count(DISTINCT currency) > 1`)).map((r) => r.model));
  const models = q.model ? [q.model.toLowerCase()] : (await listModels(db, q.provider)).map((m) => m.id).filter((id) => multi!.has(id));
  const out: Array<Departure & { kind: 'fx-stale'; provider: string }> = [];
  for (const model of models) {
    const h = await history(db, { model, asOf: q.asOf });
    if (new Set(h.facts.map((f) => f.currency)).size < 2) continue;
    const instants = [...new Set(h.facts.map((f) => f.validFrom))].filter((t) => q.since === undefined || Date.parse(t) >= q.since).sort();
    const seen = new Set<string>();
    for (const t of instants) {
      for (const d of await departuresAt(db, model, Date.parse(t), q.asOf, tolerance)) {
        const k = `${d.stale.currency}${JSON.stringify(d.stale.conditions)}${d.component}${d.stale.validFrom}|${d.changed.currency}${JSON.stringify(d.changed.conditions)}${d.changed.validFrom}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ kind: 'fx-stale', provider: model.split('/')[0], ...d });
      }
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at) || a.model.localeCompare(b.model) || a.component.localeCompare(b.component));
}

/**
 * The `scraper.degraded` event a scrape's departures call for (null when none): a pure function
 * the pipeline calls after reconcile, with departuresAt(model, observedAt) of the models it touched.
 */
export function fxDegradedEvent(provider: string, departures: Departure[]): { type: 'scraper.degraded'; provider: string; data: Record<string, unknown> } | null {
  const mine = departures.filter((d) => d.model.startsWith(`${provider}/`));
  if (mine.length === 0) return null;
  return {
    type: 'scraper.degraded',
    provider,
    data: {
      provider,
      reason: 'currency-disagreement',
      message: `${mine.length} price line(s) of ${provider} disagree with the same line in another currency by more than ${mine[0].tolerancePct}% at the reference rate: the unchanged side is suspect-stale`,
      departures: mine.map((d) => ({
        model: d.model,
        component: d.component,
        changed: d.changed,
        stale: d.stale,
        impliedRate: d.impliedRate,
        referenceRate: d.referenceRate,
        rateDate: d.rateDate,
        departurePct: d.departurePct,
      })),
    },
  };
}
