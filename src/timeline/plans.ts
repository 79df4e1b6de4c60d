// Token plans at an instant: fee, credits per period and credit rates, as known at asOf.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { PlanRate, PlanTerms, TokenPlan } from '../model.ts';
import { NotFoundError } from '../errors.ts';
import type { Money } from '../decimal.ts';
import { inForce } from './series-state.ts';

export interface PlanAt {
  id: string;
  provider: string;
  name: string;
  note?: string;
  terms: null | {
    fee: Money;
    currency: string;
    period: string;
    credits: Money;
    validFrom: string;
    validTo: string | null;
    sources: PlanTerms['sources'];
    confidence: PlanTerms['confidence'];
  };
  rates: Array<{ model: string; component: string; creditsPerToken: Money; validFrom: string; sources: PlanRate['sources'] }>;
}

/** Rows of a plan table known at asOf: the rule (series-state) then picks the one in force per series. */
const known = (asOf: number) => sql`recorded_at <= ${asOf} AND (superseded_at IS NULL OR superseded_at > ${asOf})`;

interface VersionedRow {
  id: number;
  valid_from: number;
  valid_to: number | null;
  recorded_at: number;
  record: string;
}

const timed = (r: VersionedRow) => ({
  id: Number(r.id),
  validFrom: Number(r.valid_from),
  validTo: r.valid_to === null ? null : Number(r.valid_to),
  recordedAt: Number(r.recorded_at),
  record: r.record,
});

export async function plansAt(db: Db, q: { provider?: string; plan?: string; at: number; asOf: number }): Promise<PlanAt[]> {
  const plans = await db.all<{ record: string }>(
    q.plan
      ? sql`SELECT record FROM plans WHERE id = ${q.plan}`
      : q.provider
        ? sql`SELECT record FROM plans WHERE provider = ${q.provider} ORDER BY id`
        : sql`SELECT record FROM plans ORDER BY id`,
  );
  if (q.plan && plans.length === 0) throw new NotFoundError(`unknown plan: ${q.plan}`, 'plan');
  const out: PlanAt[] = [];
  for (const p of plans) {
    const plan = JSON.parse(p.record) as TokenPlan;
    const terms = (
      await db.all<VersionedRow>(sql`SELECT id, valid_from, valid_to, recorded_at, record FROM plan_terms WHERE plan = ${plan.id} AND ${known(q.asOf)}`)
    ).map(timed);
    const rateRows = await db.all<VersionedRow & { model: string; component: string }>(
      sql`SELECT id, model, component, valid_from, valid_to, recorded_at, record FROM plan_rates WHERE plan = ${plan.id} AND ${known(q.asOf)}`,
    );
    const rateSeries = new Map<string, ReturnType<typeof timed>[]>();
    for (const r of rateRows) {
      const k = `${r.model}\u0000${r.component}`;
      rateSeries.set(k, [...(rateSeries.get(k) ?? []), timed(r)]);
    }
    const rates = [...rateSeries.keys()]
      .sort()
      .map((k) => inForce(rateSeries.get(k)!, q.at))
      .filter((r) => r !== null);
    const termsNow = inForce(terms, q.at);
    const t = termsNow ? (JSON.parse(termsNow.record) as PlanTerms) : null;
    out.push({
      id: plan.id,
      provider: plan.provider,
      name: plan.name,
      ...(plan.note ? { note: plan.note } : {}),
      terms: t && {
        fee: t.fee,
        currency: t.currency,
        period: t.period,
        credits: t.credits,
        validFrom: new Date(t.validFrom).toISOString(),
        validTo: t.validTo ? new Date(t.validTo).toISOString() : null,
        sources: t.sources,
        confidence: t.confidence,
      },
      rates: rates
        .map((r) => JSON.parse(r.record) as PlanRate)
        .map((r) => ({
          model: r.model,
          component: r.component,
          creditsPerToken: r.creditsPerToken,
          validFrom: new Date(r.validFrom).toISOString(),
          sources: r.sources,
        })),
    });
  }
  return out;
}
