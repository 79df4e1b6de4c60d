// Claims: what a page says, as a step function of valid time per series, and which series the
// page speaks for (its coverage). Pure: no database, no clock.
import type { Coverage, CoverageScope, Observation } from '../model.ts';
import { conditionsKey } from '../conditions.ts';
import { normalizeAmount, sameAmount } from '../decimal.ts';
import { hashKey } from '../timeline/rows.ts';
import type { FactDraft, Segment } from './reconcile.ts';

/** One price line (series): what a fact is about. */
export interface Line {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditionsKey: string;
  kind: 'list' | 'promo';
}
export type LineKey = string;

export const lineKey = (l: Line): LineKey => [l.model, l.component, l.currency, l.unit, l.conditionsKey, l.kind].join('\u0000');
export function parseLineKey(k: LineKey): Line {
  const [model, component, currency, unit, ck, kind] = k.split('\u0000');
  return { model, component, currency, unit, conditionsKey: ck, kind: kind as 'list' | 'promo' };
}

/** A piece of a claimed step function: [from, to) at amount. */
export type Claims = Map<LineKey, Segment[]>;

/** Two rows of one page price one series differently at the same time. */
export class ContradictionError extends Error {}

/** The page's claims as segments per series; rows that contradict each other throw ContradictionError. */
export function claimsFromObservations(obs: Observation[], effectiveFrom: number): Claims {
  const claims: Claims = new Map();
  const add = (line: Line, seg: Segment) => {
    if (seg.to !== null && seg.to <= seg.from) return; // already over when observed
    const k = lineKey(line);
    const list = claims.get(k) ?? [];
    for (const s of list) {
      const overlap = s.from < (seg.to ?? Infinity) && seg.from < (s.to ?? Infinity);
      if (!overlap) continue;
      if (!sameAmount(s.amount, seg.amount))
        throw new ContradictionError(`page states two prices for ${line.model} ${line.component} ${line.currency} ${line.conditionsKey} (${s.amount} and ${seg.amount})`);
      // The same price stated twice (a promo cell's list price and the list row): one claim.
      s.from = Math.min(s.from, seg.from);
      s.to = s.to === null || seg.to === null ? null : Math.max(s.to, seg.to);
      s.datedFrom ||= seg.datedFrom;
      return;
    }
    list.push(seg);
    claims.set(k, list);
  };
  // A promo cell's list price stands for the list line only when the page has no list row of its own.
  const listed = new Set(obs.filter((o) => o.kind === 'list').map((o) => lineKey(lineOf(o, 'list'))));
  for (const o of obs) {
    const from = o.validFrom ? Date.parse(o.validFrom) : effectiveFrom;
    const to = o.validTo ? Date.parse(o.validTo) : null;
    const seg: Segment = { amount: normalizeAmount(o.amount), from, to, datedFrom: !!o.validFrom, free: !!o.free };
    if (o.kind === 'promo') {
      add(lineOf(o, 'promo'), seg);
      if (o.listAmount !== undefined && !listed.has(lineKey(lineOf(o, 'list'))))
        add(lineOf(o, 'list'), { amount: normalizeAmount(o.listAmount), from: effectiveFrom, to: null, datedFrom: false, free: false });
    } else add(lineOf(o, 'list'), seg);
  }
  return claims;
}

export function lineOf(o: Pick<Observation, 'model' | 'component' | 'currency' | 'unit' | 'conditions'>, kind: 'list' | 'promo'): Line {
  return { model: o.model, component: o.component, currency: o.currency, unit: o.unit, conditionsKey: conditionsKey(o.conditions), kind };
}

/** The claimed segment in force at t. */
export function segmentAt(segs: Segment[] | undefined, t: number): Segment | null {
  return segs?.find((s) => s.from <= t && (s.to === null || s.to > t)) ?? null;
}

/** The effective claimed amount of a price line at t: promo over list. */
export function claimedEffective(claims: Claims, l: Line, t: number): string | null {
  return segmentAt(claims.get(lineKey({ ...l, kind: 'promo' })), t)?.amount ?? segmentAt(claims.get(lineKey({ ...l, kind: 'list' })), t)?.amount ?? null;
}

/** Undated segments start at the observation; they are digested without it so two observations can agree. */
export function segmentsDigest(segs: Segment[], effectiveFrom: number): string {
  return hashKey(segs.map((s) => [s.amount, s.datedFrom || s.from !== effectiveFrom ? s.from : 'E', s.to]).sort());
}

export function claimsDigest(claims: Claims, effectiveFrom: number): string {
  return hashKey([...claims.entries()].map(([k, segs]) => [k, segmentsDigest(segs, effectiveFrom)]).sort());
}

/** The same claims with undated segments moved from `observedAt` to an earlier first sighting. */
export function startingAt(segs: Segment[], observedAt: number, since: number): Segment[] {
  return segs.map((s) => (!s.datedFrom && s.from === observedAt ? { ...s, from: since } : s));
}

/* ---------------------------------------------------------------- coverage */

function matches(l: Line, s: CoverageScope): boolean {
  return (
    (s.model === undefined || s.model === l.model) &&
    (s.component === undefined || s.component === l.component) &&
    (s.currency === undefined || s.currency === l.currency) &&
    (s.conditions === undefined || conditionsKey(s.conditions) === l.conditionsKey)
  );
}

/** What a parse read: the scopes it speaks for and the scopes it may not touch. */
export interface PageScope {
  read: CoverageScope[];
  /** Scopes of unread sections (and refused rows): series in them are neither changed nor closed. */
  unread: CoverageScope[];
  /** Unread sections and refused rows, by name, for the run's reason and the degraded event. */
  sections: Array<{ section: string; reason: string }>;
}

/**
 * A parse without coverage reads every price of the provider in the page's currencies (the page's
 * declared currency, else the currencies it states).
 */
export function pageScope(coverage: Coverage | undefined, currencies: string[]): PageScope {
  if (!coverage) return { read: currencies.map((currency) => ({ currency })), unread: [], sections: [] };
  return {
    read: coverage.read,
    unread: coverage.unread.flatMap((u) => u.scope ?? []),
    sections: coverage.unread.map((u) => ({ section: u.section, reason: u.reason })),
  };
}

/** The page may change this series: inside what it read, outside every unread section. */
export function mayChange(scope: PageScope, l: Line): boolean {
  return scope.read.some((s) => matches(l, s)) && !scope.unread.some((s) => matches(l, s));
}

/** Currencies whose series the page may speak for; null = any. */
export function scopeCurrencies(scope: PageScope): string[] | null {
  if (scope.read.some((s) => s.currency === undefined)) return null;
  return [...new Set(scope.read.map((s) => s.currency!))];
}

/* ---------------------------------------------------------------- keeping the timeline */

/** A fact of the timeline, as reconcile needs it (see reconcile.ts). */
type Kept = Pick<FactDraft, 'amount' | 'validFrom' | 'validTo' | 'free' | 'announcedAt' | 'priorUnknown' | 'detectedBetween' | 'sources' | 'confidence'>;

/**
 * The claims with the timeline kept as it is inside `windows` ([from, to), to null = open): the
 * page's segments are cut out there and the timeline's facts carried in. Used for what a later
 * observation already said (a backfilled older copy claims only up to it), for future changes
 * announced elsewhere, and for the dates of a snapshot a re-parse refuses.
 */
export function keepingTimeline(claimed: Segment[], existing: Kept[], windows: Array<[number, number | null]>): Segment[] {
  if (windows.length === 0) return claimed;
  const inside = (t: number) => windows.some(([a, b]) => t >= a && (b === null || t < b));
  const cuts = [...new Set(windows.flat().filter((x): x is number => x !== null))];
  const pieces = (from: number, to: number | null): Array<[number, number | null]> => {
    const pts = [from, ...cuts.filter((c) => c > from && (to === null || c < to)).sort((a, b) => a - b), to];
    const out: Array<[number, number | null]> = [];
    for (let i = 0; i + 1 < pts.length; i++) out.push([pts[i]!, pts[i + 1]]);
    return out;
  };
  const out: Segment[] = [];
  for (const s of claimed) for (const [a, b] of pieces(s.from, s.to)) if (!inside(a)) out.push({ ...s, from: a, to: b, datedFrom: s.datedFrom || a !== s.from });
  for (const f of existing)
    for (const [a, b] of pieces(f.validFrom, f.validTo))
      if (inside(a)) {
        const carried = { announcedAt: f.announcedAt, priorUnknown: f.priorUnknown, detectedBetween: f.detectedBetween, sources: f.sources, confidence: f.confidence };
        // datedFrom false: a piece cut out of a longer fact.
        out.push({ amount: f.amount, from: a, to: b, datedFrom: a === f.validFrom, free: f.free, carried });
      }
  out.sort((x, y) => x.from - y.from);
  // Equal neighbours are one claim (the page's, when one of them is).
  const joined: Segment[] = [];
  for (const s of out) {
    const prev = joined[joined.length - 1];
    if (prev && prev.to === s.from && sameAmount(prev.amount, s.amount) && prev.free === s.free) {
      prev.to = s.to;
      if (prev.carried && !s.carried) prev.carried = undefined;
    } else joined.push({ ...s });
  }
  return joined;
}
