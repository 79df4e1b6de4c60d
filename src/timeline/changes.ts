// Deriving changes from facts: pure functions over the facts live at one knowledge time.
// A change exists wherever, for one price line (model, component, currency, unit, conditions), the
// effective price or the list price differs before and after an instant (DESIGN §3).
import type { ChangeType, Conditions, Source } from '../model.ts';
import { changePercent, sameAmount } from '../decimal.ts';
import { conditionsKey, withoutTierConditions } from '../conditions.ts';
import { lineStateAt } from './series-state.ts';

/** A fact as the timeline sees it at one knowledge time (instants in ms). */
export interface LiveFact {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions: Conditions;
  conditionsKey: string;
  kind: 'list' | 'promo';
  amount: string;
  validFrom: number;
  validTo: number | null;
  announcedAt: number | null;
  recordedAt: number;
  priorUnknown: boolean;
  detectedBetween: [number, number] | null;
  sources: Source[];
  /** Row id, the rule's last tie-break (series-state). */
  id?: number;
  /** Set on facts superseded by the asked knowledge time (they feed withdrawals only). */
  supersededAt?: number | null;
}

export interface PriceState {
  effective: LiveFact | null;
  list: LiveFact | null;
}

export interface DerivedChange {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions: Conditions;
  conditionsKey: string;
  type: ChangeType;
  before: string | null;
  after: string | null;
  listBefore: string | null;
  listAfter: string | null;
  changePct: number | null;
  effectiveAt: number;
  announcedAt: number | null;
  detectedAt: number;
  detectedBetween: [number, number] | null;
  sources: Source[];
}

export function priceLineKey(f: { model: string; component: string; currency: string; unit: string; conditionsKey: string }): string {
  return `${f.model}\u0000${f.component}\u0000${f.currency}\u0000${f.unit}\u0000${f.conditionsKey}`;
}

/** The line's state at t: the promo in force over the list in force, by the one rule (series-state). */
export function stateAt(lineFacts: LiveFact[], t: number): PriceState {
  return lineStateAt(lineFacts, t);
}

/** Type of the move from one state to another, or null when neither effective nor list moved. */
export function classify(before: PriceState, after: PriceState, fallbackAfter: PriceState | null): {
  type: ChangeType;
  after: PriceState;
} | null {
  const effSame = sameAmount(before.effective?.amount ?? null, after.effective?.amount ?? null);
  const listSame = sameAmount(before.list?.amount ?? null, after.list?.amount ?? null);
  if (effSame && listSame) return null;
  if (!before.effective && after.effective) {
    return { type: after.effective.priorUnknown || after.list?.priorUnknown ? 'first_known' : 'price_added', after };
  }
  if (before.effective && !after.effective) {
    if (fallbackAfter?.effective) return { type: 'tier_removed', after: fallbackAfter };
    return { type: 'price_removed', after };
  }
  if (effSame) return { type: 'list_changed', after };
  const promoBefore = before.effective?.kind === 'promo';
  const promoAfter = after.effective?.kind === 'promo';
  if (!promoBefore && promoAfter) return { type: 'promo_started', after };
  if (promoBefore && !promoAfter) return { type: 'promo_ended', after };
  const cut = Number(after.effective!.amount) < Number(before.effective!.amount);
  return { type: cut ? 'price_cut' : 'price_increase', after };
}

export function groupByLine(facts: LiveFact[]): Map<string, LiveFact[]> {
  const lines = new Map<string, LiveFact[]>();
  for (const f of facts) {
    const k = priceLineKey(f);
    const arr = lines.get(k);
    if (arr) arr.push(f);
    else lines.set(k, [f]);
  }
  return lines;
}

function fallbackKey(f: LiveFact): string | null {
  const base = withoutTierConditions(f.conditions);
  const key = conditionsKey(base);
  return key === f.conditionsKey ? null : priceLineKey({ ...f, conditionsKey: key });
}

function makeChange(
  line: LiveFact[],
  before: PriceState,
  result: { type: ChangeType; after: PriceState },
  t: number,
  boundaryFacts: LiveFact[],
): DerivedChange {
  const ref = line[0];
  const starting = boundaryFacts.filter((f) => f.validFrom === t);
  const ending = boundaryFacts.filter((f) => f.validTo === t);
  // Announced: an explicit date, else the knowledge time of a boundary known before it took effect.
  const explicit = [...starting, ...ending].map((f) => f.announcedAt).filter((x): x is number => x !== null);
  const known = [...starting, ...ending].map((f) => f.recordedAt);
  const detectedAt = known.length ? Math.max(...known) : t;
  const announcedAt = explicit.length ? Math.max(...explicit) : detectedAt < t ? detectedAt : null;
  const startingEffective = starting.find((f) => f === result.after.effective) ?? starting[0];
  const sourceFact = startingEffective ?? ending[0] ?? result.after.effective ?? before.effective;
  const beforeAmount = before.effective?.amount ?? null;
  const afterAmount = result.after.effective?.amount ?? null;
  return {
    model: ref.model,
    component: ref.component,
    currency: ref.currency,
    unit: ref.unit,
    conditions: ref.conditions,
    conditionsKey: ref.conditionsKey,
    type: result.type,
    before: beforeAmount,
    after: afterAmount,
    listBefore: before.list?.amount ?? null,
    listAfter: result.after.list?.amount ?? null,
    changePct: changePercent(beforeAmount, afterAmount),
    effectiveAt: t,
    announcedAt,
    detectedAt,
    detectedBetween: startingEffective?.detectedBetween ?? null,
    sources: sourceFact?.sources ?? [],
  };
}

/** Every change in the given facts (all live at one knowledge time), oldest first. */
export function deriveChanges(facts: LiveFact[]): DerivedChange[] {
  const lines = groupByLine(facts);
  const out: DerivedChange[] = [];
  for (const line of lines.values()) {
    const instants = new Set<number>();
    for (const f of line) {
      instants.add(f.validFrom);
      if (f.validTo !== null) instants.add(f.validTo);
    }
    const fbKey = fallbackKey(line[0]);
    const fallbackLine = fbKey ? lines.get(fbKey) ?? null : null;
    for (const t of [...instants].sort((a, b) => a - b)) {
      const before = stateAt(line, t - 1);
      const after = stateAt(line, t);
      const result = classify(before, after, fallbackLine ? stateAt(fallbackLine, t) : null);
      if (!result) continue;
      const boundary = line.filter((f) => f.validFrom === t || f.validTo === t);
      out.push(makeChange(line, before, result, t, boundary));
    }
  }
  return out.sort((a, b) => a.effectiveAt - b.effectiveAt || compareLines(a, b));
}

/** The difference between two instants, line by line (not the steps in between). */
export function deriveDiff(facts: LiveFact[], from: number, to: number): DerivedChange[] {
  const lines = groupByLine(facts);
  const out: DerivedChange[] = [];
  for (const line of lines.values()) {
    const fbKey = fallbackKey(line[0]);
    const fallbackLine = fbKey ? lines.get(fbKey) ?? null : null;
    const before = stateAt(line, from);
    const after = stateAt(line, to);
    const result = classify(before, after, fallbackLine ? stateAt(fallbackLine, to) : null);
    if (!result) continue;
    // The instant of the last boundary inside (from, to] is when the new state took effect.
    let t = to;
    let last = -Infinity;
    for (const f of line) {
      for (const b of [f.validFrom, f.validTo]) if (b !== null && b > from && b <= to && b > last) last = b;
    }
    if (last !== -Infinity) t = last;
    const boundary = line.filter((f) => f.validFrom === t || f.validTo === t);
    out.push(makeChange(line, before, result, t, boundary));
  }
  return out.sort(compareLines);
}

export function compareLines(a: DerivedChange, b: DerivedChange): number {
  return (
    a.model.localeCompare(b.model) ||
    componentRank(a.component) - componentRank(b.component) ||
    a.component.localeCompare(b.component) ||
    a.currency.localeCompare(b.currency) ||
    a.conditionsKey.localeCompare(b.conditionsKey)
  );
}

const COMPONENT_ORDER = ['input', 'cache_read', 'cache_write', 'output'];
export function componentRank(c: string): number {
  const i = COMPONENT_ORDER.indexOf(c);
  return i === -1 ? COMPONENT_ORDER.length : i;
}
