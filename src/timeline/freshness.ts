// Freshness: whether a price line is still vouched for. A line is confirmed when a source showed
// it unchanged (an observation of the page or catalog, or the retrieval of a cited source); it is
// stale at an instant when its last confirmation is older than the stale-after span, or when a
// sibling series of the same model (another currency) changed after that confirmation — the
// provider moved one list and we have not seen the other since.
//
// The instant judged is min(at, asOf): what held at `at`, by what was known at `asOf`. It makes an
// answer pinned by at and asOf the same whenever it is asked (the response cache relies on it),
// and an announced future price confirmed yesterday is not stale for being in the future.
import type { Source } from '../model.ts';
import { toIso as isoText } from '../time.ts';

export const DAY_MS = 86_400_000;
export const DEFAULT_STALE_AFTER_MS = 14 * DAY_MS;

export type StaleCode = 'not-confirmed' | 'sibling-changed';

export interface StaleReason {
  code: StaleCode;
  message: string;
  /** sibling-changed: the sibling's currency and when its change took effect. */
  currency?: string;
  changedAt?: string;
}

export interface Freshness {
  /** The latest instant a source showed this line unchanged (null: no source says when). */
  lastConfirmedAt: string | null;
  stale: boolean;
  staleReason?: StaleReason;
}

/** What a line's freshness is judged from (instants in ms). */
export interface LineEvidence {
  currency: string;
  confirmedAt: number | null;
  /** validFrom of the fact in force: a sibling change at or before it is already reflected. */
  validFrom: number;
  /** The fact starts what was first known of the series (not a change): no sibling moved then. */
  priorUnknown?: boolean;
}

/** The latest retrieval among a fact's sources known by asOf (a cited copy is a confirmation). */
export function sourcesConfirmedAt(sources: readonly Source[], asOf: number): number | null {
  let best: number | null = null;
  for (const s of sources) {
    if (!s.retrievedAt) continue;
    const t = retrievedAtMs(s);
    if (Number.isFinite(t) && t <= asOf && (best === null || t > best)) best = t;
  }
  return best;
}

/** ISO text of an instant: the same confirmation instants are judged over and over (a quote per request). */
const isoCache = new Map<number, string>();
function toIso(ms: number): string {
  let v = isoCache.get(ms);
  if (v === undefined) {
    if (isoCache.size >= 10_000) isoCache.clear();
    isoCache.set(ms, (v = isoText(ms)));
  }
  return v;
}

/** A source's retrievedAt in ms, parsed once per source object (sources are read, never edited). */
const retrieved = new WeakMap<Source, number>();
function retrievedAtMs(s: Source): number {
  let t = retrieved.get(s);
  if (t === undefined) retrieved.set(s, (t = Date.parse(s.retrievedAt!)));
  return t;
}

export const laterOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Parses `TOKENTRAIL_STALE_AFTER`: a number of days (`14`), or a span with a unit (`36h`, `14d`,
 * `2w`). Returns milliseconds; throws on anything else.
 */
export function parseStaleAfter(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(h|d|w)?\s*$/i.exec(text);
  if (!m) throw new Error(`expected a span such as 14d, 36h or 2w (a bare number is days), got "${text}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'd').toLowerCase();
  const ms = n * (unit === 'h' ? 3_600_000 : unit === 'w' ? 7 * DAY_MS : DAY_MS);
  if (!(ms > 0)) throw new Error('the stale-after span must be longer than 0');
  return ms;
}

function days(ms: number): string {
  const d = Math.floor(ms / DAY_MS);
  return d === 1 ? '1 day' : `${d} days`;
}

/** Per currency, the latest change among a model's lines in force at `reference` (ms). */
export function siblingChangesAt(lines: readonly LineEvidence[], reference: number): Map<string, number> {
  const latest = new Map<string, number>();
  for (const l of lines) if (!l.priorUnknown && l.validFrom <= reference && l.validFrom > (latest.get(l.currency) ?? -Infinity)) latest.set(l.currency, l.validFrom);
  return latest;
}

/**
 * Judges each line of one model at instant `reference` (= min(at, asOf)). Lines are the model's
 * lines in every currency in force then: siblings are the lines in other currencies.
 */
export function judgeLines<L extends LineEvidence>(lines: readonly L[], reference: number, staleAfterMs: number): Map<L, Freshness> {
  const siblings = siblingChangesAt(lines, reference);
  return new Map(lines.map((l) => [l, judgeLine(l, siblings, reference, staleAfterMs)]));
}

export function judgeLine(l: LineEvidence, siblingChanges: ReadonlyMap<string, number>, reference: number, staleAfterMs: number): Freshness {
  if (l.confirmedAt === null)
    return { lastConfirmedAt: null, stale: true, staleReason: { code: 'not-confirmed', message: 'no source says when this price was last seen' } };
  const lastConfirmedAt = toIso(l.confirmedAt);
  const age = reference - l.confirmedAt;
  if (age > staleAfterMs)
    return {
      lastConfirmedAt,
      stale: true,
      staleReason: {
        code: 'not-confirmed',
        message: `last confirmed ${days(age)} before ${toIso(reference).slice(0, 10)} (on ${lastConfirmedAt.slice(0, 10)}); a price stays fresh for ${days(staleAfterMs)}`,
      },
    };
  for (const [currency, changedAt] of siblingChanges) {
    if (currency === l.currency || changedAt <= l.confirmedAt || changedAt <= l.validFrom) continue;
    return {
      lastConfirmedAt,
      stale: true,
      staleReason: {
        code: 'sibling-changed',
        currency,
        changedAt: toIso(changedAt),
        message: `the ${currency} prices of this model changed on ${toIso(changedAt).slice(0, 10)}, after this ${l.currency} price was last confirmed (${lastConfirmedAt.slice(0, 10)})`,
      },
    };
  }
  return { lastConfirmedAt, stale: false };
}

/**
 * The instant from which a line open at `asOf` is stale unless confirmed again (dataset CSV):
 * its last confirmation plus the span, or earlier when a sibling changed after that confirmation.
 */
export function staleFrom(l: LineEvidence, siblingChanges: ReadonlyMap<string, number>, staleAfterMs: number): number {
  if (l.confirmedAt === null) return l.validFrom;
  let t = l.confirmedAt + staleAfterMs;
  for (const [currency, changedAt] of siblingChanges)
    if (currency !== l.currency && changedAt > l.confirmedAt && changedAt > l.validFrom) t = Math.min(t, changedAt);
  return t;
}

/** The freshness columns of a dataset fact (the CSV's): only a fact open at `now` is judged. */
export interface FactFreshness {
  lastConfirmedAt: string | null;
  stale: boolean;
  staleFrom: string;
}

type DatasetFact = {
  model: string;
  currency: string;
  validFrom: string;
  validTo: string | null;
  supersededAt?: string | null;
  priorUnknown?: boolean;
  lastConfirmedAt?: string | null;
  sources: readonly Source[];
};

/**
 * Freshness of the facts of a dataset that are in force or announced at `now` (known at now):
 * judged against their model's other open facts, with the same rule as the price lines.
 */
export function datasetFreshness<F extends DatasetFact>(facts: readonly F[], now: number, staleAfterMs: number): Map<F, FactFreshness> {
  const open = new Map<string, Array<{ fact: F } & LineEvidence>>();
  for (const f of facts) {
    if (f.supersededAt && Date.parse(f.supersededAt) <= now) continue;
    if (f.validTo !== null && Date.parse(f.validTo) <= now) continue;
    const confirmedAt = laterOf(f.lastConfirmedAt ? Math.min(Date.parse(f.lastConfirmedAt), now) : null, sourcesConfirmedAt(f.sources, now));
    const list = open.get(f.model) ?? [];
    list.push({ fact: f, currency: f.currency, validFrom: Date.parse(f.validFrom), priorUnknown: f.priorUnknown, confirmedAt });
    open.set(f.model, list);
  }
  const out = new Map<F, FactFreshness>();
  for (const lines of open.values()) {
    const siblings = siblingChangesAt(lines, now);
    for (const l of lines) {
      const j = judgeLine(l, siblings, now, staleAfterMs);
      out.set(l.fact, { lastConfirmedAt: j.lastConfirmedAt, stale: j.stale, staleFrom: toIso(staleFrom(l, siblings, staleAfterMs)) });
    }
  }
  return out;
}
