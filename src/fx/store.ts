// Reference rates in the database (tables fx_days, fx_spans, fx_origins; migration 0003): writing
// parsed publications and the one lookup every conversion uses, `rateAt`. One row per publication
// day holds its currency → rate map (JSON, keys sorted): 7,000 rows for the whole ECB history
// instead of 220,000, so a fresh database seeds in a fraction of the time.
import { timelineIndexOf } from '../timeline/memory-index.ts';
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client.ts';
import { bumpDataVersion } from '../timeline/write.ts';
import type { FxOrigin } from './contract.ts';
import { addDays, crossRate, isoDay, noPublicationBetween, type Span } from './rates.ts';

export const DEFAULT_FX_SOURCE = 'ecb';
/** What the dataset file says of each source (scrapers/ecb-fx/ holds the same; src/ does not import scrapers/). */
export const FX_SOURCE_META: Record<string, { name: string; base: string; homepage: string }> = {
  ecb: {
    name: 'European Central Bank euro foreign exchange reference rates',
    base: 'EUR',
    homepage: 'https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html',
  },
};
/** How far back a lookup reads: the longest run of closing days is 4 (Good Friday … Easter Monday). */
const STRICT_WINDOW_DAYS = 10;

export interface StoredFxDay {
  date: string;
  origin: string;
  rates: Record<string, string>;
}

/** Writes days (upsert by source and date; a day whose rates differ is replaced), complete spans and origins, in one transaction. Returns the days written. */
export async function writeFxDays(
  database: Database,
  source: string,
  input: { days: StoredFxDay[]; spans: Array<Span & { origin: string }>; origins: Record<string, FxOrigin> },
): Promise<number> {
  let written = 0;
  await database.db.transaction(async (tx) => {
    for (const [id, o] of Object.entries(input.origins))
      await tx.run(sql`INSERT INTO fx_origins (source, id, record) VALUES (${source}, ${id}, ${JSON.stringify(o)})
        ON CONFLICT (source, id) DO UPDATE SET record = excluded.record`);
    for (const s of input.spans)
      await tx.run(sql`INSERT INTO fx_spans (source, first_date, last_date, origin) VALUES (${source}, ${s.from}, ${s.to}, ${s.origin})
        ON CONFLICT DO NOTHING`);
    for (let i = 0; i < input.days.length; i += 500) {
      const chunk = input.days.slice(i, i + 500);
      const values = sql.join(chunk.map((d) => sql`(${source}, ${d.date}, ${ratesJson(d.rates)}, ${d.origin})`), sql`, `);
      const r = await tx.run(sql`INSERT INTO fx_days (source, date, rates, origin) VALUES ${values}
        ON CONFLICT (source, date) DO UPDATE SET rates = excluded.rates, origin = excluded.origin
        WHERE fx_days.rates IS NOT excluded.rates`);
      written += Number((r as { rowsAffected?: number }).rowsAffected ?? 0);
    }
    await bumpDataVersion(tx);
  });
  return written;
}

export const ratesJson = (rates: Record<string, string>): string => JSON.stringify(Object.fromEntries(Object.entries(rates).sort(([a], [b]) => a.localeCompare(b))));

export interface RateSource {
  source: string;
  name: string;
  /** The publisher's file the rate is from. */
  url: string;
  /** Where our copy came from, when it is not our own fetch (a public git repository). */
  copy?: { repo: string; commit: string; path: string };
  retrievedAt?: string;
}

/** A conversion rate: units of `to` per 1 `from`, published on `rateDate`. */
export interface FxRate {
  from: string;
  to: string;
  rate: string;
  rateDate: string;
  rateSource: RateSource;
  /** The day asked for, when the publication used is an earlier one. */
  forDate: string;
  /** Why an earlier day's rate stands (no publication on the days between), or that it is stale. */
  rateNote?: string;
  /** Only with allowStale: the days between include days we hold no data for. */
  stale?: boolean;
}

export interface RateQuery {
  from: string;
  to: string;
  at: number;
  source?: string;
  /**
   * For checks that tolerate an old rate (the currency-consistency check): accept the latest
   * publication up to this many days back even across days we hold no data for, marked stale.
   */
  allowStaleDays?: number;
}

/** The reference rate for the instant `at` (its UTC calendar day), or null when none can be said. */
export async function rateAt(db: Db, q: RateQuery): Promise<FxRate | null> {
  // Rates change only with a write (which moves the data version): with an in-memory index
  // attached, each (source, pair, day, staleness) is read once per data version.
  const index = await timelineIndexOf(db)?.catch(() => null);
  if (!index) return readRateAt(db, q);
  const key = `rate\u0000${q.source ?? DEFAULT_FX_SOURCE}\u0000${q.from}\u0000${q.to}\u0000${isoDay(q.at)}\u0000${q.allowStaleDays ?? ''}`;
  return index.remember(key, () => readRateAt(db, q));
}

async function readRateAt(db: Db, q: RateQuery): Promise<FxRate | null> {
  const source = q.source ?? DEFAULT_FX_SOURCE;
  const base = FX_SOURCE_META[source]?.base ?? 'EUR';
  const date = isoDay(q.at);
  if (q.from === q.to) return null;
  const wanted = [q.from, q.to].filter((c) => c !== base);
  const lower = addDays(date, -Math.max(STRICT_WINDOW_DAYS, q.allowStaleDays ?? 0));
  // The latest day in the window usually has every currency wanted: read it alone first, and the
  // whole window (up to 92 days of rate tables, parsed) only when it lacks one.
  const read = (limit: string) =>
    db.all<{ date: string; rates: string; origin: string }>(
      sql`SELECT date, rates, origin FROM fx_days WHERE source = ${source} AND date <= ${date} AND date >= ${lower} ORDER BY date DESC ${sql.raw(limit)}`,
    );
  const parse = (rows: Array<{ date: string; rates: string; origin: string }>) =>
    rows.map((r) => ({ date: r.date, origin: r.origin, rates: JSON.parse(r.rates) as Record<string, string> }));
  const hasAll = (d: { rates: Record<string, string> }) => wanted.every((c) => c in d.rates);
  let days = parse(await read('LIMIT 1'));
  if (days[0] && !hasAll(days[0])) days = parse(await read(''));
  const found = days.find(hasAll);
  if (!found) return null;
  const { date: rateDate, ...day } = found;
  // The latest publication: if it is newer than the day used, that day lacked a currency we
  // need, and an older rate would pass for current.
  const latest = [{ d: days[0]?.date }];
  const spans = await db.all<{ from: string; to: string }>(sql`SELECT first_date AS "from", last_date AS "to" FROM fx_spans WHERE source = ${source} AND last_date >= ${lower}`);
  const complete = rateDate === date || (latest[0]?.d === rateDate && noPublicationBetween(rateDate, date, spans));
  const withinStale = q.allowStaleDays !== undefined;
  if (!complete && !withinStale) return null;
  if (latest[0]?.d !== rateDate && !withinStale) return null;
  const rate = crossRate(day, q.from, q.to, base);
  if (!rate) return null;
  const origin = await db.all<{ record: string }>(sql`SELECT record FROM fx_origins WHERE source = ${source} AND id = ${day.origin}`);
  const o = origin[0] ? (JSON.parse(origin[0].record) as FxOrigin) : null;
  const out: FxRate = {
    from: q.from,
    to: q.to,
    rate: rate.toFixed(),
    rateDate,
    forDate: date,
    rateSource: {
      source,
      name: FX_SOURCE_META[source]?.name ?? source,
      url: o?.url ?? 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml',
      ...(o?.copy && { copy: o.copy }),
      ...(o?.retrievedAt && { retrievedAt: o.retrievedAt }),
    },
  };
  if (!complete) {
    out.stale = true;
    out.rateNote = `the latest rate we hold on or before ${date} is of ${rateDate}; publications in between are missing from our data`;
  } else if (rateDate !== date) out.rateNote = `no reference rates are published on ${date} (weekend or TARGET closing day): the last published rates, of ${rateDate}`;
  return out;
}

/** rateAt, or a memo of it (memoRateAt). */
export type RateLookup = (q: RateQuery) => Promise<FxRate | null>;

/**
 * rateAt remembered per (source, pair, UTC day, allowStaleDays) — all it depends on — for one
 * answer over many models at one data version (the overview converts thousands of sheets).
 */
export function memoRateAt(db: Db): RateLookup {
  const kept = new Map<string, Promise<FxRate | null>>();
  return (q) => {
    const key = `${q.source ?? DEFAULT_FX_SOURCE}\u0000${q.from}\u0000${q.to}\u0000${isoDay(q.at)}\u0000${q.allowStaleDays ?? ''}`;
    let r = kept.get(key);
    if (!r) kept.set(key, (r = rateAt(db, q)));
    return r;
  };
}

/** The days and spans held (for error messages). */
export async function fxCoverage(db: Db, source = DEFAULT_FX_SOURCE): Promise<{ first: string | null; last: string | null; spans: Span[] }> {
  const r = await db.all<{ first: string | null; last: string | null }>(sql`SELECT min(date) AS first, max(date) AS last FROM fx_days WHERE source = ${source}`);
  const spans = await db.all<Span>(sql`SELECT first_date AS "from", last_date AS "to" FROM fx_spans WHERE source = ${source} ORDER BY first_date`);
  return { first: r[0]?.first ?? null, last: r[0]?.last ?? null, spans };
}
