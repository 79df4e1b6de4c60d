// Deriving changes from facts: pure functions over the facts live at one knowledge time.
// A change exists wherever, for one price line (model, component, currency, unit, conditions), the
// effective price or the list price differs before and after an instant (DESIGN §3).
import type { ChangeType, Conditions, Source } from '../model.ts';
import { changePercent, sameAmount } from '../decimal.ts';
import { conditionsKey, withoutTierConditions } from '../conditions.ts';
import { boundaries, knownAt, lineStateAt } from './series-state.ts';

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
  /** announcement_withdrawn: when the announced change stopped being announced (knowledge time). */
  withdrawnAt?: number;
  /** split: the conditional lines this line became at effectiveAt, with their prices then. */
  into?: SplitLine[];
}

export interface SplitLine {
  conditions: Conditions;
  conditionsKey: string;
  after: string | null;
  listAfter: string | null;
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

/** The changes of one line (facts live at one knowledge time), oldest first. */
function lineChanges(line: LiveFact[], fallbackLine: LiveFact[] | null): DerivedChange[] {
  const out: DerivedChange[] = [];
  for (const t of boundaries(line)) {
    const before = stateAt(line, t - 1);
    const after = stateAt(line, t);
    const result = classify(before, after, fallbackLine ? stateAt(fallbackLine, t) : null);
    if (!result) continue;
    const boundary = line.filter((f) => f.validFrom === t || f.validTo === t);
    out.push(makeChange(line, before, result, t, boundary));
  }
  return out;
}

/** Every change in the given facts (all live at one knowledge time), oldest first. */
export function deriveChanges(facts: LiveFact[]): DerivedChange[] {
  const lines = groupByLine(facts);
  const out: DerivedChange[] = [];
  for (const line of lines.values()) {
    const fbKey = fallbackKey(line[0]);
    out.push(...lineChanges(line, fbKey ? lines.get(fbKey) ?? null : null));
  }
  return mergeSplits(out).sort((a, b) => a.effectiveAt - b.effectiveAt || compareLines(a, b));
}

/**
 * Announcements withdrawn by knowledge time asOf. `facts` are every fact recorded by asOf,
 * superseded ones included (with supersededAt). A fact superseded at w whose validFrom was still in
 * the future at w took part in an announced change; the change is withdrawn when the line as known
 * at asOf no longer makes that move (same instant, same effective and list price after it).
 */
export function deriveWithdrawals(facts: LiveFact[], asOf: number): DerivedChange[] {
  const all = facts.filter((f) => f.recordedAt <= asOf);
  const lines = groupByLine(all);
  const out: DerivedChange[] = [];
  for (const line of lines.values()) {
    const gone = line.filter((f) => f.supersededAt != null && f.supersededAt <= asOf && f.validFrom > f.supersededAt);
    if (gone.length === 0) continue;
    const fbKey = fallbackKey(line[0]);
    const fallback = fbKey ? lines.get(fbKey) ?? [] : null;
    const at = (k: number, fs: LiveFact[]) => fs.filter((f) => knownAt(f, k));
    const now = lineChanges(at(asOf, line), fallback && at(asOf, fallback));
    const seen = new Set<string>();
    for (const f of gone) {
      const w = f.supersededAt!;
      const t = f.validFrom;
      if (seen.has(`${w} ${t}`)) continue;
      seen.add(`${w} ${t}`);
      const announced = lineChanges(at(w - 1, line), fallback && at(w - 1, fallback)).find((c) => c.effectiveAt === t);
      if (!announced) continue;
      if (now.some((c) => c.effectiveAt === t && sameAmount(c.after, announced.after) && sameAmount(c.listAfter, announced.listAfter))) continue;
      const withdrawing = line.find((g) => g.recordedAt === w);
      out.push({
        ...announced,
        type: 'announcement_withdrawn',
        detectedAt: w,
        detectedBetween: null,
        withdrawnAt: w,
        sources: withdrawing?.sources ?? announced.sources,
      });
    }
  }
  return out.sort((a, b) => a.effectiveAt - b.effectiveAt || compareLines(a, b));
}

/**
 * One line that becomes several conditional ones at one instant (DeepSeek's flat price becoming
 * peak and off-peak on 2026-08-17) is one `split` change on the old line — `after: null`, the new
 * lines in `into` — instead of a removal and two additions.
 */
export function mergeSplits(changes: DerivedChange[]): DerivedChange[] {
  const removed = new Map<string, DerivedChange>();
  for (const c of changes) if (c.type === 'price_removed') removed.set(`${priceLineKey(c)}\u0000${c.effectiveAt}`, c);
  if (removed.size === 0) return changes;
  const parts = new Map<DerivedChange, DerivedChange[]>();
  for (const c of changes) {
    if (c.type !== 'price_added' && c.type !== 'first_known') continue;
    const baseKey = conditionsKey(withoutTierConditions(c.conditions));
    if (baseKey === c.conditionsKey) continue;
    const old = removed.get(`${priceLineKey({ ...c, conditionsKey: baseKey })}\u0000${c.effectiveAt}`);
    if (old) parts.set(old, [...(parts.get(old) ?? []), c]);
  }
  const absorbed = new Set<DerivedChange>();
  const splits = new Map<DerivedChange, DerivedChange>();
  for (const [old, into] of parts) {
    if (into.length < 2) continue;
    into.forEach((c) => absorbed.add(c));
    splits.set(old, {
      ...old,
      type: 'split',
      after: null,
      listAfter: null,
      changePct: null,
      into: into
        .sort((a, b) => a.conditionsKey.localeCompare(b.conditionsKey))
        .map((c) => ({ conditions: c.conditions, conditionsKey: c.conditionsKey, after: c.after, listAfter: c.listAfter })),
      sources: into[0].sources,
    });
  }
  if (splits.size === 0) return changes;
  return changes.filter((c) => !absorbed.has(c)).map((c) => splits.get(c) ?? c);
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
  return mergeSplits(out).sort(compareLines);
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
