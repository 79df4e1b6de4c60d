// The one rule for "what did a series hold at valid time t, as known at knowledge time k".
// SQL price-at, derived changes, reconcile, plans and the in-memory index all answer with it.
//
// Among a series' facts known at k (recordedAt <= k, not superseded by k), the fact in force at t
// is the one with the greatest (validFrom, recordedAt, id) among those with validFrom <= t — the
// latest statement about the series from its start on — and only if it has not ended (validTo > t
// or open). Facts of one series do not overlap at any knowledge time (import and reconcile keep it
// so); the tie-break makes the answer deterministic should they ever.

export interface TimedFact {
  validFrom: number;
  validTo: number | null;
  recordedAt: number;
  supersededAt?: number | null;
  /** Row id where there is one; the last tie-break. */
  id?: number;
}

/** Whether the fact is part of what was known at knowledge time k. */
export function knownAt(f: TimedFact, k: number): boolean {
  return f.recordedAt <= k && (f.supersededAt === null || f.supersededAt === undefined || f.supersededAt > k);
}

/** a is a later statement than b: greater (validFrom, recordedAt, id). */
export function laterStatement(a: TimedFact, b: TimedFact): boolean {
  if (a.validFrom !== b.validFrom) return a.validFrom > b.validFrom;
  if (a.recordedAt !== b.recordedAt) return a.recordedAt > b.recordedAt;
  return (a.id ?? 0) > (b.id ?? 0);
}

/**
 * The fact in force at t among facts already known at the asked knowledge time (callers filter
 * with `knownAt`, or SQL does), or null.
 */
export function inForce<F extends TimedFact>(facts: Iterable<F>, t: number): F | null {
  let best: F | null = null;
  for (const f of facts) if (f.validFrom <= t && (!best || laterStatement(f, best))) best = f;
  return best && (best.validTo === null || best.validTo > t) ? best : null;
}

/** The same in SQL, for a correlated subquery over `facts` aliased `alias`: ORDER BY … LIMIT 1. */
export const IN_FORCE_ORDER_SQL = (alias: string) => `${alias}.valid_from DESC, ${alias}.recorded_at DESC, ${alias}.id DESC`;

/** Every instant at which the fact in force may change (starts and ends), ascending, unique. */
export function boundaries(facts: Iterable<TimedFact>): number[] {
  const s = new Set<number>();
  for (const f of facts) {
    s.add(f.validFrom);
    if (f.validTo !== null) s.add(f.validTo);
  }
  return [...s].sort((a, b) => a - b);
}

/** A price line's state at t: the promo in force over the list in force (DESIGN §3). */
export interface LineState<F> {
  effective: F | null;
  list: F | null;
}

export function lineStateAt<F extends TimedFact & { kind: 'list' | 'promo' }>(facts: F[], t: number): LineState<F> {
  const list = inForce(
    facts.filter((f) => f.kind === 'list'),
    t,
  );
  const promo = inForce(
    facts.filter((f) => f.kind === 'promo'),
    t,
  );
  return { effective: promo ?? list, list };
}
