// Where sources disagree: for one price line (model, component, currency, unit, conditions), two
// sources (the provider's own series and catalogs' series, src/catalog/precedence.ts) state
// different effective values at the same valid instant. Each source's value at an instant comes
// from the one rule (lineStateAt); a disagreement is reported per period in which the set of
// values stays the same, with each value's source and since when that source states it.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Conditions, Money, Source } from '../model.ts';
import { NotFoundError } from '../errors.ts';
import { sameAmount } from '../decimal.ts';
import { parseConditionsKey } from '../conditions.ts';
import { toIso, toIsoOrNull } from '../time.ts';
import { FACT_COLUMNS, rowToLiveFact, type FactRow } from '../timeline/rows.ts';
import { boundaries, lineStateAt } from '../timeline/series-state.ts';
import type { LiveFact } from '../timeline/changes.ts';
import { originRank } from './precedence.ts';
import type { CatalogId } from '../model.ts';

/** The provider's own series are named `provider` in answers; catalogs by their id. */
export const OWN_SOURCE = 'provider';

export interface SourceValue {
  source: string;
  amount: Money;
  /** Since when this source states this value (the fact's validFrom). */
  since: string;
  /** The knowledge time at which the source stated it. */
  recordedAt: string;
  confidence: 'high' | 'medium' | 'low';
  sources: Source[];
}

export interface Disagreement {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions: Conditions;
  /** The period over which these values stand side by side: [from, to), to null = open. */
  from: string;
  to: string | null;
  /** The source whose value is the effective price (best-ranked among those stating the line). */
  effective: string;
  values: SourceValue[];
}

export interface DisagreementQuery {
  provider?: string;
  model?: string;
  /** Periods ending after this instant (ms). */
  since?: number;
  asOf: number;
}

type Fact = LiveFact & { origin: string; confidence: FactRow['confidence'] };

export async function disagreements(db: Db, q: DisagreementQuery): Promise<Disagreement[]> {
  const where: SQL[] = [
    sql`f.recorded_at <= ${q.asOf}`,
    sql`(f.superseded_at IS NULL OR f.superseded_at > ${q.asOf})`,
    // Only lines some other source also states.
    sql`EXISTS (SELECT 1 FROM series b WHERE b.model = s.model AND b.component = s.component AND b.currency = s.currency AND b.unit = s.unit AND b.conditions = s.conditions AND b.origin <> s.origin)`,
  ];
  if (q.model) {
    const m = await db.all<{ id: string }>(sql`SELECT id FROM models WHERE id = ${q.model.toLowerCase()}`);
    if (!m.length) throw new NotFoundError(`unknown model: ${q.model}`, 'model');
    where.push(sql`s.model = ${m[0].id}`);
  }
  if (q.provider) {
    const p = await db.all<{ id: string }>(sql`SELECT id FROM providers WHERE id = ${q.provider}`);
    if (!p.length) throw new NotFoundError(`unknown provider: ${q.provider}`, 'provider');
    where.push(sql`s.model IN (SELECT id FROM models WHERE provider = ${q.provider})`);
  }
  const rows = await db.all<FactRow>(sql`SELECT ${sql.raw(FACT_COLUMNS)} FROM facts f JOIN series s ON s.id = f.series_id WHERE ${sql.join(where, sql` AND `)}`);
  const byLine = new Map<string, Fact[]>();
  for (const r of rows) {
    const f: Fact = { ...rowToLiveFact(r), origin: r.origin, confidence: r.confidence };
    const k = `${f.model}\u0000${f.component}\u0000${f.currency}\u0000${f.unit}\u0000${f.conditionsKey}`;
    const list = byLine.get(k);
    if (list) list.push(f);
    else byLine.set(k, [f]);
  }
  const out: Disagreement[] = [];
  for (const facts of byLine.values()) out.push(...lineDisagreements(facts, q.since));
  return out.sort((a, b) => a.model.localeCompare(b.model) || a.component.localeCompare(b.component) || a.currency.localeCompare(b.currency) || JSON.stringify(a.conditions).localeCompare(JSON.stringify(b.conditions)) || a.from.localeCompare(b.from));
}

/** Pure: the disagreement periods of one line's facts (all sources). */
export function lineDisagreements(facts: Fact[], since?: number): Disagreement[] {
  const byOrigin = new Map<string, Fact[]>();
  for (const f of facts) byOrigin.set(f.origin, [...(byOrigin.get(f.origin) ?? []), f]);
  if (byOrigin.size < 2) return [];
  const origins = [...byOrigin.keys()].sort((a, b) => originRank(a as CatalogId) - originRank(b as CatalogId));
  const instants = boundaries(facts);
  const periods: Array<{ from: number; to: number | null; values: Map<string, Fact> }> = [];
  for (const [i, t] of instants.entries()) {
    const values = new Map<string, Fact>();
    for (const o of origins) {
      const eff = lineStateAt(byOrigin.get(o)!, t).effective;
      if (eff) values.set(o, eff);
    }
    const amounts = [...values.values()].map((f) => f.amount);
    const differ = amounts.length >= 2 && amounts.some((a) => !sameAmount(a, amounts[0]));
    const to = instants[i + 1] ?? null;
    const last = periods[periods.length - 1];
    if (!differ) continue;
    // The same values as the period just before: one longer period.
    if (last && last.to === t && last.values.size === values.size && [...values].every(([o, f]) => last.values.get(o) === f)) {
      last.to = to;
      continue;
    }
    periods.push({ from: t, to, values });
  }
  const f0 = facts[0];
  return periods
    .filter((p) => since === undefined || p.to === null || p.to > since)
    .map((p) => ({
      model: f0.model,
      component: f0.component,
      currency: f0.currency,
      unit: f0.unit,
      conditions: parseConditionsKey(f0.conditionsKey),
      from: toIso(p.from),
      to: toIsoOrNull(p.to),
      effective: sourceName([...p.values.keys()][0]),
      values: [...p.values].map(([o, f]) => ({
        source: sourceName(o),
        amount: f.amount,
        since: toIso(f.validFrom),
        recordedAt: toIso(f.recordedAt),
        confidence: f.confidence,
        sources: f.sources,
      })),
    }));
}

const sourceName = (origin: string) => origin || OWN_SOURCE;

/**
 * For a price sheet: per line (component, currency, unit, conditions), the other sources whose
 * effective value at `at` equals the one served. Rows come from effectiveRows(everySource).
 */
export function agreeingSources(all: FactRow[], served: { component: string; currency: string; unit: string; conditions: string; amount: string; origin: string }): string[] {
  const byOrigin = new Map<string, FactRow[]>();
  for (const r of all) {
    if (r.component !== served.component || r.currency !== served.currency || r.unit !== served.unit || r.conditions !== served.conditions || r.origin === served.origin) continue;
    byOrigin.set(r.origin, [...(byOrigin.get(r.origin) ?? []), r]);
  }
  const out: string[] = [];
  for (const [o, rows] of byOrigin) {
    const eff = rows.find((r) => r.kind === 'promo') ?? rows[0];
    if (sameAmount(eff.amount, served.amount)) out.push(sourceName(o));
  }
  return out.sort((a, b) => originRank(a === OWN_SOURCE ? '' : (a as CatalogId)) - originRank(b === OWN_SOURCE ? '' : (b as CatalogId)));
}
