// Cost quotes: a workload (one request × N, or a usage log of requests each with its own instant)
// priced on one or more models, exactly, with one line per component and price row.
import { z } from 'zod';
import type { Db } from './db/client.ts';
import { BadInputError } from './errors.ts';
import { Decimal, amountToNumber } from './decimal.ts';
import { CacheTtl, Currency, ServiceTier, type Conditions } from './model.ts';
import { parseInstant, toIso } from './time.ts';
import { costOf, selectRow, tokensPerUnit, type PricedRow, type RequestShape } from './pricing.ts';
import { effectivePriceRows, getModel, knownCurrencies, resolveModel } from './timeline/queries.ts';
import { plansAt } from './timeline/plans.ts';
import { fxOf, type FxLineFields } from './fx/convert.ts';
import { quoteRowsIn } from './fx/sheets.ts';
import { planInCurrency, type PlanQuoteInCurrency } from './fx/plans.ts';

const TokenCount = z.number().int('must be a whole number of tokens').nonnegative('must not be negative').max(1e12, 'is implausibly large');
const LooseInstant = z.string().max(64).refine((s) => {
  try {
    parseInstant(s);
    return true;
  } catch {
    return false;
  }
}, 'expected an ISO 8601 instant such as 2026-06-01T00:00:00Z');

const UsageFields = z
  .object({
    inputTokens: TokenCount,
    cacheReadTokens: TokenCount.optional(),
    cacheWriteTokens: TokenCount.optional(),
    outputTokens: TokenCount,
  })
  .strict();

function cacheWithinInput(u: z.infer<typeof UsageFields>, ctx: z.RefinementCtx): void {
  if ((u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0) > u.inputTokens)
    ctx.addIssue({ code: 'custom', path: ['cacheReadTokens'], message: 'cache reads and writes are part of inputTokens and cannot exceed it' });
}

/** One request's tokens; inputTokens counts every prompt token, cache reads and writes included. */
export const Usage = UsageFields.superRefine(cacheWithinInput);
export type Usage = z.infer<typeof Usage>;

/** One request of a usage log, priced at its own instant. */
export const LoggedRequest = UsageFields.extend({ at: LooseInstant }).superRefine(cacheWithinInput);
export type LoggedRequest = z.infer<typeof LoggedRequest>;

export const QuoteRequest = z
  .object({
    models: z.array(z.string().min(1).max(200)).min(1).max(50),
    at: LooseInstant.optional(),
    asOf: LooseInstant.optional(),
    currency: Currency.optional(),
    requests: z.number().int().positive().max(1e9).optional(),
    serviceTier: ServiceTier.optional(),
    cacheTtl: CacheTtl.optional(),
    variant: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).max(64).optional(),
    plan: z.string().min(1).max(200).optional(),
    usage: z.union([Usage, z.array(LoggedRequest).min(1).max(10_000)]),
  })
  .strict();
export type QuoteRequest = z.infer<typeof QuoteRequest>;

export interface QuoteLine extends Partial<FxLineFields> {
  component: string;
  tokens: number;
  unitPrice: number;
  unit: string;
  cost: number;
  conditions?: Conditions;
  note?: string;
}

export interface ModelQuote {
  model: string;
  requested?: string;
  currency: string;
  total: number;
  lines: QuoteLine[];
  plan?: PlanQuoteInCurrency;
}

export interface PlanQuote {
  plan: string;
  credits: number;
  creditsPerRequest: number;
  planCredits: number | null;
  period: string | null;
  requestsCovered: number | null;
  fee: number | null;
  feeCurrency: string | null;
  /** What 1M tokens of this workload cost on the plan (fee spread over the credits it uses). */
  effectivePricePer1M: number | null;
  /** The same workload's pay-as-you-go price per 1M tokens, in the quote currency. */
  paygPricePer1M: number;
}

interface Line {
  component: string;
  tokens: Decimal;
  row: PricedRow;
  note?: string;
}

/** One request's lines: uncached input, cache reads, cache writes, output. */
function requestLines(rows: PricedRow[], req: RequestShape, model: string): Line[] {
  const out: Line[] = [];
  const cacheRead = req.cacheReadTokens;
  const cacheWrite = req.cacheWriteTokens;
  const uncached = req.inputTokens - cacheRead - cacheWrite;
  const need = (component: string): PricedRow => {
    const row = selectRow(rows, component, req);
    if (!row) {
      const tier = [req.serviceTier, req.variant].filter(Boolean).join(', ');
      throw new BadInputError(`${model} has no ${component} price${tier ? ` for ${tier}` : ''} at ${toIso(req.at)}`, { status: 422, field: 'models' });
    }
    return row;
  };
  const input = need('input');
  if (uncached > 0) out.push({ component: 'input', tokens: new Decimal(uncached), row: input });
  if (cacheRead > 0) {
    const row = selectRow(rows, 'cache_read', req);
    out.push(row ? { component: 'cache_read', tokens: new Decimal(cacheRead), row } : { component: 'cache_read', tokens: new Decimal(cacheRead), row: input, note: 'no cache-read price: charged as input' });
  }
  if (cacheWrite > 0) {
    const row = selectRow(rows, 'cache_write', req);
    out.push(row ? { component: 'cache_write', tokens: new Decimal(cacheWrite), row } : { component: 'cache_write', tokens: new Decimal(cacheWrite), row: input, note: 'no cache-write price: charged as input' });
  }
  if (req.outputTokens > 0) out.push({ component: 'output', tokens: new Decimal(req.outputTokens), row: need('output') });
  return out;
}

function pickCurrency(rows: PricedRow[], wanted: string | undefined, model: string, all: string[]): string {
  const here = [...new Set(rows.map((r) => r.currency))].sort();
  if (here.length === 0) throw new BadInputError(`${model} has no prices at that instant`, { status: 422, field: 'at' });
  if (wanted) {
    if (!here.includes(wanted))
      throw new BadInputError(`${model} has no prices in ${wanted} at that instant; it has: ${here.join(', ')} (and ever: ${all.join(', ')})`, { status: 422, field: 'currency' });
    return wanted;
  }
  return here.includes('USD') ? 'USD' : here[0];
}

export async function quote(db: Db, body: QuoteRequest, now = Date.now()) {
  const asOf = body.asOf ? parseInstant(body.asOf, 'asOf') : now;
  const defaultAt = body.at ? parseInstant(body.at, 'at') : now;
  const multiplier = body.requests ?? 1;
  const log: RequestShape[] = (Array.isArray(body.usage) ? body.usage : [{ ...body.usage, at: undefined }]).map((u) => ({
    at: u.at ? parseInstant(u.at, 'usage.at') : defaultAt,
    inputTokens: u.inputTokens,
    cacheReadTokens: u.cacheReadTokens ?? 0,
    cacheWriteTokens: u.cacheWriteTokens ?? 0,
    outputTokens: u.outputTokens,
    serviceTier: body.serviceTier,
    cacheTtl: body.cacheTtl,
    variant: body.variant,
  }));
  const plan = body.plan ? (await plansAt(db, { plan: body.plan.toLowerCase(), at: defaultAt, asOf }))[0] : undefined;

  const quotes: ModelQuote[] = [];
  for (const requested of body.models) {
    const lines = new Map<string, { component: string; tokens: Decimal; row: PricedRow; cost: Decimal; note?: string }>();
    let currency: string | null = null;
    let canonical = '';
    let credits = new Decimal(0);
    for (const req of log) {
      const { model, aliasOf } = await resolveModel(db, requested, req.at, asOf);
      canonical = model;
      const meta = await getModel(db, model);
      if (meta?.contextWindow && req.inputTokens + req.outputTokens > meta.contextWindow)
        throw new BadInputError(`a request of ${req.inputTokens + req.outputTokens} tokens exceeds ${model}'s context window of ${meta.contextWindow}`, { status: 422, field: 'usage' });
      // A currency the model does not publish: its rows converted at this request's reference rate.
      const all = await quoteRowsIn(db, await effectivePriceRows(db, model, req.at, asOf), body.currency, req.at, aliasOf ?? model);
      currency ??= pickCurrency(all, body.currency, aliasOf ?? model, await knownCurrencies(db, model));
      const rows = all.filter((r) => r.currency === currency);
      if (rows.length === 0) throw new BadInputError(`${model} has no ${currency} prices at ${toIso(req.at)}`, { status: 422, field: 'currency' });
      for (const l of requestLines(rows, req, model)) {
        const tokens = l.tokens.times(multiplier);
        const key = `${l.component}\u0000${l.row.amount}\u0000${l.row.unit}\u0000${JSON.stringify(l.row.conditions)}\u0000${l.note ?? ''}\u0000${fxOf(l.row)?.rateDate ?? ''}`;
        const cur = lines.get(key);
        const cost = costOf(tokens, l.row);
        if (cur) {
          cur.tokens = cur.tokens.plus(tokens);
          cur.cost = cur.cost.plus(cost);
        } else lines.set(key, { component: l.component, tokens, row: l.row, cost, note: l.note });
        if (plan) {
          const rate = plan.rates.find((r) => r.model === model && r.component === (l.note ? 'input' : l.component));
          if (!rate) throw new BadInputError(`plan ${plan.id} has no credit rate for ${model} ${l.component} at that instant`, { status: 422, field: 'plan' });
          credits = credits.plus(tokens.times(rate.creditsPerTokenExact));
        }
      }
    }
    const out = [...lines.values()];
    const total = out.reduce((s, l) => s.plus(l.cost), new Decimal(0));
    const q: ModelQuote = {
      model: canonical,
      currency: currency!,
      total: amountToNumber(total.toDecimalPlaces(12)),
      lines: out.map((l) => ({
        component: l.component,
        tokens: l.tokens.toNumber(),
        unitPrice: amountToNumber(l.row.amount),
        unit: l.row.unit,
        cost: amountToNumber(l.cost.toDecimalPlaces(12)),
        ...(Object.keys(l.row.conditions).length ? { conditions: l.row.conditions } : {}),
        ...(l.note ? { note: l.note } : {}),
        ...fxOf(l.row),
      })),
    };
    if (canonical !== requested.toLowerCase()) q.requested = requested;
    if (plan) q.plan = await planInCurrency(db, planQuote(plan, credits, total, out, multiplier * log.length), currency!, defaultAt);
    quotes.push(q);
  }
  return { at: toIso(defaultAt), asOf: toIso(asOf), quotes };
}

function planQuote(
  plan: Awaited<ReturnType<typeof plansAt>>[number],
  credits: Decimal,
  total: Decimal,
  lines: Array<{ tokens: Decimal; row: PricedRow }>,
  requestCount: number,
): PlanQuote {
  const tokens = lines.filter((l) => tokensPerUnit(l.row.unit) !== null).reduce((s, l) => s.plus(l.tokens), new Decimal(0));
  const perRequest = credits.div(requestCount);
  const t = plan.terms;
  const covered = t && !perRequest.isZero() ? new Decimal(t.creditsExact).div(perRequest).floor().toNumber() : null;
  const effective = t && !tokens.isZero() ? new Decimal(t.feeExact).times(credits).div(t.creditsExact).div(tokens).times(1_000_000) : null;
  return {
    plan: plan.id,
    credits: credits.toNumber(),
    creditsPerRequest: amountToNumber(perRequest.toDecimalPlaces(6)),
    planCredits: t ? t.credits : null,
    period: t ? t.period : null,
    requestsCovered: covered,
    fee: t ? t.fee : null,
    feeCurrency: t ? t.currency : null,
    effectivePricePer1M: effective ? amountToNumber(effective.toDecimalPlaces(6)) : null,
    paygPricePer1M: tokens.isZero() ? 0 : amountToNumber(total.div(tokens).times(1_000_000).toDecimalPlaces(6)),
  };
}
