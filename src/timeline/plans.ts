// Token plans at an instant: fee, credits per period and credit rates, as known at asOf.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { PlanRate, PlanTerms, TokenPlan } from '../model.ts';
import { NotFoundError } from '../errors.ts';
import { amountToNumber } from '../decimal.ts';

export interface PlanAt {
  id: string;
  provider: string;
  name: string;
  note?: string;
  terms: null | {
    fee: number;
    feeExact: string;
    currency: string;
    period: string;
    credits: number;
    creditsExact: string;
    validFrom: string;
    validTo: string | null;
    sources: PlanTerms['sources'];
    confidence: PlanTerms['confidence'];
  };
  rates: Array<{ model: string; component: string; creditsPerToken: number; creditsPerTokenExact: string; validFrom: string; sources: PlanRate['sources'] }>;
}

const live = (at: number, asOf: number) =>
  sql`valid_from <= ${at} AND (valid_to IS NULL OR valid_to > ${at}) AND recorded_at <= ${asOf} AND (superseded_at IS NULL OR superseded_at > ${asOf})`;

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
    const terms = await db.all<{ record: string }>(
      sql`SELECT record FROM plan_terms WHERE plan = ${plan.id} AND ${live(q.at, q.asOf)} ORDER BY valid_from DESC, recorded_at DESC LIMIT 1`,
    );
    const rates = await db.all<{ record: string }>(
      sql`SELECT record FROM plan_rates WHERE plan = ${plan.id} AND ${live(q.at, q.asOf)} ORDER BY model, component, valid_from DESC`,
    );
    const t = terms[0] ? (JSON.parse(terms[0].record) as PlanTerms) : null;
    const seen = new Set<string>();
    out.push({
      id: plan.id,
      provider: plan.provider,
      name: plan.name,
      ...(plan.note ? { note: plan.note } : {}),
      terms: t && {
        fee: amountToNumber(t.fee),
        feeExact: t.fee,
        currency: t.currency,
        period: t.period,
        credits: amountToNumber(t.credits),
        creditsExact: t.credits,
        validFrom: new Date(t.validFrom).toISOString(),
        validTo: t.validTo ? new Date(t.validTo).toISOString() : null,
        sources: t.sources,
        confidence: t.confidence,
      },
      rates: rates
        .map((r) => JSON.parse(r.record) as PlanRate)
        .filter((r) => {
          const k = `${r.model}\u0000${r.component}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        })
        .map((r) => ({
          model: r.model,
          component: r.component,
          creditsPerToken: amountToNumber(r.creditsPerToken),
          creditsPerTokenExact: r.creditsPerToken,
          validFrom: new Date(r.validFrom).toISOString(),
          sources: r.sources,
        })),
    });
  }
  return out;
}
