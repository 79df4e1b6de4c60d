// Reconcile: what a page claims against what the timeline holds, one series at a time. Pure: it
// returns which facts to supersede and which to add; the pipeline writes them in one transaction.
//
// A page's claims form a step function of valid time from a start instant on (the observation, or
// an earlier date the page states). The timeline's live facts form another. From the first instant
// where the two differ, the timeline's facts are superseded (the part before that instant is kept
// as a closed copy) and the page's segments are added. Equal functions change nothing, so a page
// that only changed its formatting adds nothing.
import { sameAmount } from '../decimal.ts';
import type { Source } from '../model.ts';
import { inForce } from '../timeline/series-state.ts';

export interface ExistingFact {
  id: number;
  amount: string;
  validFrom: number;
  validTo: number | null;
  recordedAt: number;
  announcedAt: number | null;
  priorUnknown: boolean;
  free: boolean;
  detectedBetween: [number, number] | null;
  sources: Source[];
  confidence: 'high' | 'medium' | 'low';
}

/** A fact to add: an existing one's fields without its row id and knowledge time. */
export type FactDraft = Omit<ExistingFact, 'id' | 'recordedAt'>;

/** A stretch of a page's claim for one series (claims.ts builds them; reconcile plans from them). */
export interface Segment {
  amount: string;
  from: number;
  to: number | null;
  /** The page gave a date for this segment's start (so it is not "detected" at the observation). */
  datedFrom: boolean;
  free: boolean;
  /** A piece of the timeline kept as it is (not the page's claim): re-added with its own sourcing. */
  carried?: Omit<FactDraft, 'amount' | 'validFrom' | 'validTo' | 'free'>;
}

export interface LinePlan {
  supersede: number[];
  insert: FactDraft[];
  /** First instant where page and timeline differ; null when they agree. */
  divergesAt: number | null;
}

export interface ReconcileContext {
  /** Start of the page's claims when it states no date (the observation, or the first suspect one). */
  effectiveFrom: number;
  /** When the page was observed (a segment starting after it was announced by the page). */
  observedAt: number;
  /** When we learned it: the observation instant (or now, for a re-parse). */
  knownAt: number;
  /** The previous observation of this page, for detectedBetween. */
  previousObservation: number | null;
  /** First time this page is observed: prices it shows had an unknown past. */
  firstObservation: boolean;
  sources: Source[];
  /** What the source is worth (default high: the provider's own page). */
  confidence?: 'high' | 'medium' | 'low';
}

// Claimed segments do not overlap; as timed facts they are all "known" at once.
const segAsFact = (s: Segment, i: number) => ({ validFrom: s.from, validTo: s.to, recordedAt: 0, id: i, amount: s.amount });

export function reconcileLine(existing: ExistingFact[], claimed: Segment[], ctx: ReconcileContext): LinePlan {
  const domainStart = Math.min(ctx.effectiveFrom, ...claimed.map((s) => s.from));
  const segs = claimed.map(segAsFact);
  const instants = new Set<number>([domainStart]);
  for (const x of [...existing, ...segs]) {
    if (x.validFrom >= domainStart) instants.add(x.validFrom);
    if (x.validTo !== null && x.validTo >= domainStart) instants.add(x.validTo);
  }
  let diverge: number | null = null;
  for (const t of [...instants].sort((a, b) => a - b)) {
    const e = inForce(existing, t);
    const c = inForce(segs, t);
    if (!sameAmount(e?.amount ?? null, c?.amount ?? null)) {
      diverge = t;
      break;
    }
  }
  if (diverge === null) return { supersede: [], insert: [], divergesAt: null };
  const D = diverge;

  const supersede: number[] = [];
  const insert: FactDraft[] = [];
  const keep = (f: FactDraft, validTo: number | null, validFrom = f.validFrom): FactDraft => ({
    amount: f.amount,
    validFrom,
    validTo,
    announcedAt: f.announcedAt,
    priorUnknown: f.priorUnknown,
    free: f.free,
    detectedBetween: f.detectedBetween,
    sources: f.sources,
    confidence: f.confidence,
  });
  for (const f of existing) {
    if (f.validTo !== null && f.validTo <= D) continue;
    supersede.push(f.id);
    if (f.validFrom < D) insert.push(keep(f, D));
  }
  const hadBefore = inForce(existing, D - 1) !== null;
  const newSegs = claimed
    .filter((s) => s.to === null || s.to > D)
    .map((s) => ({ ...s, from: Math.max(s.from, D) }))
    .sort((a, b) => a.from - b.from);
  const seen = Math.min(ctx.knownAt, ctx.observedAt);
  for (const s of newSegs) {
    if (s.carried) {
      insert.push({ ...s.carried, amount: s.amount, validFrom: s.from, validTo: s.to, free: s.free });
      continue;
    }
    const undated = !s.datedFrom && s.from === ctx.effectiveFrom;
    const draft: FactDraft = {
      amount: s.amount,
      validFrom: s.from,
      validTo: s.to,
      // A segment that starts after the page was seen was announced by the page.
      announcedAt: s.from > seen ? Math.min(seen, ctx.effectiveFrom) : null,
      priorUnknown: s.from === D && !hadBefore && ctx.firstObservation,
      free: s.free,
      detectedBetween: undated && ctx.previousObservation !== null && hadBefore ? [ctx.previousObservation, s.from] : null,
      sources: ctx.sources,
      confidence: ctx.confidence ?? 'high',
    };
    insert.push(draft);
  }
  // An untouched fact ending exactly where an equal new segment starts: join them, so a withdrawn
  // announcement leaves one fact, not two equal neighbours.
  const first = insert.find((d) => d.sources === ctx.sources && d.validFrom === D);
  if (first) {
    const neighbour = existing.find((f) => f.validTo === D && !supersede.includes(f.id) && sameAmount(f.amount, first.amount));
    if (neighbour) {
      supersede.push(neighbour.id);
      const merged = keep(neighbour, first.validTo);
      merged.sources = mergeSources(neighbour.sources, ctx.sources);
      insert.splice(insert.indexOf(first), 1, merged);
    }
  }
  return { supersede, insert, divergesAt: D };
}

function mergeSources(a: Source[], b: Source[]): Source[] {
  const seen = new Set(a.map((s) => JSON.stringify(s)));
  return [...a, ...b.filter((s) => !seen.has(JSON.stringify(s)))];
}

/**
 * A page observed before a series' first fact, and not showing it, makes its past known: the fact
 * that started at `next` with an unknown past (`priorUnknown`) is restated without it, as it would
 * have been had the pages come in date order (then it was a price added, not a first known one).
 */
export function pastNowKnown(existing: ExistingFact[], next: number): LinePlan | null {
  const f = existing.find((x) => x.priorUnknown && x.validFrom === next);
  if (!f) return null;
  const { id, recordedAt: _r, ...draft } = f;
  return { supersede: [id], insert: [{ ...draft, priorUnknown: false }], divergesAt: next };
}
