// Cost quotes: a workload (one request × N, or a usage log of requests each with its own instant)
// priced on one or more models, exactly, with one line per component and price row.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from './db/client.ts';
import { BadInputError } from './errors.ts';
import { Decimal, toMoney, type Money } from './decimal.ts';
import { CacheTtl, Currency, ServiceTier, type Conditions, type Model } from './model.ts';
import { parseInstant, toIso } from './time.ts';
import { costOf, selectRow, tokensPerUnit, type PricedRow, type RequestShape } from './pricing.ts';
import { effectivePriceRows, getModel, knownCurrencies, resolveModel, type PricedFreshness } from './timeline/queries.ts';
import { timelineIndexOf } from './timeline/memory-index.ts';
import { DEFAULT_STALE_AFTER_MS, judgeLine, type StaleReason } from './timeline/freshness.ts';
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

/** Longest usage log one quote takes (the API also caps model × request pairs). */
export const MAX_LOGGED_REQUESTS = 10_000;

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
    usage: z.union([Usage, z.array(LoggedRequest).min(1).max(MAX_LOGGED_REQUESTS)]),
  })
  .strict();
export type QuoteRequest = z.infer<typeof QuoteRequest>;

/**
 * QuoteRequest with a usage log's rows left unread: everything else, including the log's length,
 * is checked as QuoteRequest checks it (zod checks an array's length before its items).
 */
const QuoteEnvelope = QuoteRequest.extend({ usage: z.union([Usage, z.array(z.unknown()).min(1).max(MAX_LOGGED_REQUESTS)]) });
const UsageField = QuoteRequest.shape.usage;

/**
 * Rows of a usage log reported as invalid, at most: past them the rest is not read. Every issue of
 * 10,000 bad rows is ~90,000 entries, a 7 MB problem built and serialized in one block (~0.5 s).
 */
export const MAX_INVALID_ROWS = 100;

/**
 * `QuoteRequest.safeParse`, cooperatively: the envelope at once, then a usage log's rows one by
 * one, yielding to the event loop every millisecond or so (validating 10,000 rows in one block
 * takes 30–250 ms). Same data, and the same issues in the same order, as QuoteRequest.safeParse,
 * except that the rows after the MAX_INVALID_ROWS-th invalid one are not read.
 */
export async function parseQuoteRequest(body: unknown): Promise<{ success: true; data: QuoteRequest } | { success: false; error: z.ZodError }> {
  const envelope = QuoteEnvelope.safeParse(body);
  const issues = envelope.success ? [] : [...envelope.error.issues];
  const usage = (body as { usage?: unknown } | null)?.usage;
  // The log's rows are read only when its length passed (the envelope then has no usage issue).
  const rows = Array.isArray(usage) && !issues.some((i) => i.path[0] === 'usage') ? usage : null;
  const rowIssues: z.core.$ZodIssue[] = [];
  let aborted = false;
  let invalidRows = 0;
  const data: LoggedRequest[] = [];
  if (rows) {
    const pause = slicer();
    for (let i = 0; i < rows.length && invalidRows < MAX_INVALID_ROWS; i++) {
      await pause();
      // Each row as a log of one, through the same union: zod's answer says whether the row's
      // issues end the union (a wrong type, a bound) or only refine it (an instant, cache > input).
      const r = UsageField.safeParse([rows[i]]);
      if (r.success) {
        data.push((r.data as LoggedRequest[])[0]);
        continue;
      }
      const wrapped = r.error.issues.length === 1 && r.error.issues[0].code === 'invalid_union' ? r.error.issues[0] : null;
      aborted ||= wrapped !== null;
      invalidRows++;
      for (const issue of wrapped ? wrapped.errors[1] : r.error.issues) rowIssues.push({ ...issue, path: [i, ...issue.path.slice(1)] });
    }
  }
  if (rowIssues.length) {
    // As QuoteRequest reports them: fields in shape order (usage is last), unknown keys after; the
    // union's two branches (one request, a log) when a row's issue ends the log's branch.
    const inUsage = (p: PropertyKey[]) => ['usage', ...p];
    const usageIssues: z.core.$ZodIssue[] = aborted
      ? [{ code: 'invalid_union', errors: [Usage.safeParse(rows).error?.issues ?? [], rowIssues], path: ['usage'], message: 'Invalid input' }]
      : rowIssues.map((i) => ({ ...i, path: inUsage(i.path) }));
    const unknown = issues.filter((i) => i.code === 'unrecognized_keys');
    issues.splice(0, issues.length, ...issues.filter((i) => i.code !== 'unrecognized_keys'), ...usageIssues, ...unknown);
  }
  if (issues.length) return { success: false, error: new z.ZodError(issues) };
  const parsed = envelope.data!;
  return { success: true, data: { ...parsed, usage: rows ? data : (parsed.usage as Usage) } };
}

export interface QuoteLine extends Partial<FxLineFields> {
  component: string;
  tokens: number;
  unitPrice: Money;
  unit: string;
  /** Rounded half-even to 12 decimals, like `total`. */
  cost: Money;
  conditions?: Conditions;
  note?: string;
}

export interface ModelQuote {
  model: string;
  requested?: string;
  currency: string;
  /** Exact sum of the lines' costs, rounded half-even to 12 decimals. */
  total: Money;
  lines: QuoteLine[];
  plan?: PlanQuoteInCurrency;
}

export interface PlanQuote {
  plan: string;
  credits: Money;
  creditsPerRequest: Money;
  planCredits: Money | null;
  period: string | null;
  requestsCovered: number | null;
  fee: Money | null;
  feeCurrency: string | null;
  /** What 1M tokens of this workload cost on the plan (fee spread over the credits it uses). */
  effectivePricePer1M: Money | null;
  /** The same workload's pay-as-you-go price per 1M tokens, in the quote currency. */
  paygPricePer1M: Money;
}

/** One component of one request: its tokens and the row that prices them. */
interface Line {
  component: string;
  tokens: number;
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
  if (uncached > 0) out.push({ component: 'input', tokens: uncached, row: input });
  if (cacheRead > 0) {
    const row = selectRow(rows, 'cache_read', req);
    out.push(row ? { component: 'cache_read', tokens: cacheRead, row } : { component: 'cache_read', tokens: cacheRead, row: input, note: 'no cache-read price: charged as input' });
  }
  if (cacheWrite > 0) {
    const row = selectRow(rows, 'cache_write', req);
    out.push(row ? { component: 'cache_write', tokens: cacheWrite, row } : { component: 'cache_write', tokens: cacheWrite, row: input, note: 'no cache-write price: charged as input' });
  }
  if (req.outputTokens > 0) out.push({ component: 'output', tokens: req.outputTokens, row: need('output') });
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

/** Longest stretch of pricing between two yields to the event loop, so other requests get a turn. */
const YIELD_AFTER_MS = 1;

/** Call every few iterations of a long loop: yields to the event loop once a slice has run long. */
function slicer(): () => Promise<void> | undefined {
  let slice = performance.now();
  let n = 0;
  return () => {
    if ((++n & 3) !== 0 || performance.now() - slice <= YIELD_AFTER_MS) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        slice = performance.now();
        resolve();
      }),
    );
  };
}

/**
 * Every instant at which what `requested` resolves to, or the prices in force for it, may change:
 * starts and ends of its aliases and of the facts of every model it may resolve to. Between two
 * consecutive ones, resolveModel and effectivePriceRows give the same answer (superset of the true
 * change points is fine: it only adds lookups).
 */
async function changeInstants(db: Db, requested: string): Promise<number[]> {
  const id = requested.trim().toLowerCase();
  const index = await timelineIndexOf(db)?.catch(() => null);
  if (index) return index.changeInstants(id); // the same instants, from memory
  const rows = await db.all<{ t: number }>(sql`
    WITH candidates(model) AS (SELECT ${id} UNION SELECT model FROM aliases WHERE alias = ${id})
    SELECT f.valid_from AS t FROM facts f JOIN series s ON s.id = f.series_id WHERE s.model IN (SELECT model FROM candidates)
    UNION SELECT f.valid_to FROM facts f JOIN series s ON s.id = f.series_id WHERE s.model IN (SELECT model FROM candidates) AND f.valid_to IS NOT NULL
    UNION SELECT valid_from FROM aliases WHERE alias = ${id} AND valid_from IS NOT NULL
    UNION SELECT valid_to FROM aliases WHERE alias = ${id} AND valid_to IS NOT NULL`);
  return rows.map((r) => Number(r.t)).sort((a, b) => a - b);
}

interface Segment {
  model: string;
  aliasOf?: string;
  all: PricedRow[];
}

/** What one requested model answers over a usage log, looked up once per change segment. */
async function modelSegments(db: Db, requested: string, asOf: number) {
  const instants = await changeInstants(db, requested);
  const bySegment = new Map<number, Segment>();
  // Segment i is [instants[i-1], instants[i]): the count of change instants ≤ t.
  const segmentOf = (t: number): number => {
    let lo = 0;
    let hi = instants.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (instants[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return async (t: number): Promise<Segment> => {
    const i = segmentOf(t);
    let seg = bySegment.get(i);
    if (!seg) {
      const { model, aliasOf } = await resolveModel(db, requested, t, asOf);
      seg = { model, aliasOf, all: await effectivePriceRows(db, model, t, asOf) };
      bySegment.set(i, seg);
    }
    return seg;
  };
}

/** The UTC day of an instant: reference rates are daily. */
const dayOf = (t: number) => Math.floor(t / 86_400_000);

/** JSON of a row's conditions, once per row object (rows are shared by every request of a segment). */
const conditionsKeys = new WeakMap<PricedRow, string>();
function conditionsKey(row: PricedRow): string {
  let k = conditionsKeys.get(row);
  if (k === undefined) conditionsKeys.set(row, (k = JSON.stringify(row.conditions)));
  return k;
}

interface Priced {
  component: string;
  row: PricedRow;
  note?: string;
  /** Tokens summed exactly over the log (before the `requests` multiplier). */
  tokens: bigint;
  /** The latest instant this row priced, judged by min(at, asOf) like any price line. */
  latest: number;
}

/** A price line a quote used that no source confirmed recently (see src/timeline/freshness.ts). */
export interface QuoteWarning {
  code: 'stale';
  model: string;
  component: string;
  /** The line's published currency (a converted line is judged by the line it came from). */
  currency: string;
  conditions: Conditions;
  lastConfirmedAt: string | null;
  reason: StaleReason['code'];
  message: string;
}

/** The stale lines among those a model's quote used, one warning per line. */
function staleWarnings(priced: Iterable<Priced & { model: string }>, asOf: number, staleAfterMs: number): QuoteWarning[] {
  const out = new Map<string, QuoteWarning>();
  for (const p of priced) {
    const f = (p.row as PricedRow & { freshness?: PricedFreshness }).freshness;
    if (!f) continue;
    const judged = judgeLine(f.line, f.siblings, Math.min(p.latest, asOf), staleAfterMs);
    if (!judged.stale) continue;
    const key = `${p.model}\u0000${p.component}\u0000${f.line.currency}\u0000${conditionsKey(p.row)}`;
    out.set(key, {
      code: 'stale',
      model: p.model,
      component: p.component,
      currency: f.line.currency,
      conditions: p.row.conditions,
      lastConfirmedAt: judged.lastConfirmedAt,
      reason: judged.staleReason!.code,
      message: `${p.model} ${p.component} (${f.line.currency}): ${judged.staleReason!.message}`,
    });
  }
  return [...out.values()];
}

/**
 * Prices a workload on each model in one pass: the requests are walked in instant order, the
 * model's resolution and prices are looked up once per stretch of time in which they cannot change,
 * tokens are summed per price row as integers, and each row's cost is computed once, exactly.
 * The walk yields to the event loop every few milliseconds.
 */
export async function quote(db: Db, body: QuoteRequest, now = Date.now(), opts: { staleAfterMs?: number } = {}) {
  const asOf = body.asOf ? parseInstant(body.asOf, 'asOf') : now;
  const defaultAt = body.at ? parseInstant(body.at, 'at') : now;
  const multiplier = body.requests ?? 1;
  const pause = slicer();
  const log: RequestShape[] = [];
  for (const u of Array.isArray(body.usage) ? body.usage : [{ ...body.usage, at: undefined }]) {
    await pause();
    log.push({
      at: u.at ? parseInstant(u.at, 'usage.at') : defaultAt,
      inputTokens: u.inputTokens,
      cacheReadTokens: u.cacheReadTokens ?? 0,
      cacheWriteTokens: u.cacheWriteTokens ?? 0,
      outputTokens: u.outputTokens,
      serviceTier: body.serviceTier,
      cacheTtl: body.cacheTtl,
      variant: body.variant,
    });
  }
  const sorted = log.length > 1 ? [...log].sort((a, b) => a.at - b.at) : log;
  const plan = body.plan ? (await plansAt(db, { plan: body.plan.toLowerCase(), at: defaultAt, asOf }))[0] : undefined;

  const quotes: ModelQuote[] = [];
  const warnings: QuoteWarning[] = [];
  for (const requested of body.models) {
    const segmentAt = await modelSegments(db, requested, asOf);
    const models = new Map<string, Model | null>();
    // The currency is chosen by the first request of the log, as given.
    const first = await segmentAt(log[0].at);
    const firstRows = await quoteRowsIn(db, first.all, body.currency, log[0].at, first.aliasOf ?? first.model);
    const currency = pickCurrency(firstRows, body.currency, first.aliasOf ?? first.model, await knownCurrencies(db, first.model));
    const inCurrency = new Map<string, PricedRow[]>();
    const segIds = new Map<Segment, number>();
    const segIndex = (seg: Segment) => {
      let i = segIds.get(seg);
      if (i === undefined) segIds.set(seg, (i = segIds.size));
      return i;
    };
    // Per (canonical model, price row, component, note): the model matters for plan credit rates.
    const priced = new Map<string, Priced & { model: string }>();
    for (const req of sorted) {
      await pause();
      const seg = await segmentAt(req.at);
      const model = seg.model;
      if (!models.has(model)) models.set(model, await getModel(db, model));
      const meta = models.get(model);
      if (meta?.contextWindow && req.inputTokens + req.outputTokens > meta.contextWindow)
        throw new BadInputError(`a request of ${req.inputTokens + req.outputTokens} tokens exceeds ${model}'s context window of ${meta.contextWindow}`, { status: 422, field: 'usage' });
      // A currency the model does not publish: its rows converted at the reference rate of the
      // request's day (one lookup per stretch and day).
      const dayKey = `${segIndex(seg)}\u0000${dayOf(req.at)}`;
      let rows = inCurrency.get(dayKey);
      if (!rows) inCurrency.set(dayKey, (rows = (await quoteRowsIn(db, seg.all, body.currency, req.at, model)).filter((r) => r.currency === currency)));
      if (rows.length === 0) throw new BadInputError(`${model} has no ${currency} prices at ${toIso(req.at)}`, { status: 422, field: 'currency' });
      for (const l of requestLines(rows, req, model)) {
        const key = `${model}\u0000${l.component}\u0000${l.row.amount}\u0000${l.row.unit}\u0000${conditionsKey(l.row)}\u0000${l.note ?? ''}\u0000${fxOf(l.row)?.rateDate ?? ''}`;
        const cur = priced.get(key);
        if (cur) {
          cur.tokens += BigInt(l.tokens);
          if (req.at > cur.latest) {
            cur.latest = req.at;
            cur.row = l.row; // same amount, unit and conditions; the later stretch's confirmation
          }
        } else priced.set(key, { model, component: l.component, row: l.row, note: l.note, tokens: BigInt(l.tokens), latest: req.at });
      }
    }
    // Lines as the caller sees them: one per component and price row, whatever model answered.
    const lines = new Map<string, { component: string; tokens: Decimal; row: PricedRow; cost: Decimal; note?: string }>();
    let credits = new Decimal(0);
    for (const p of priced.values()) {
      const tokens = new Decimal(p.tokens.toString()).times(multiplier);
      const key = `${p.component}\u0000${p.row.amount}\u0000${p.row.unit}\u0000${conditionsKey(p.row)}\u0000${p.note ?? ''}\u0000${fxOf(p.row)?.rateDate ?? ''}`;
      const cost = costOf(tokens, p.row);
      const cur = lines.get(key);
      if (cur) {
        cur.tokens = cur.tokens.plus(tokens);
        cur.cost = cur.cost.plus(cost);
      } else lines.set(key, { component: p.component, tokens, row: p.row, cost, note: p.note });
      if (plan) {
        const rate = plan.rates.find((r) => r.model === p.model && r.component === (p.note ? 'input' : p.component));
        if (!rate) throw new BadInputError(`plan ${plan.id} has no credit rate for ${p.model} ${p.component} at that instant`, { status: 422, field: 'plan' });
        credits = credits.plus(tokens.times(rate.creditsPerToken));
      }
    }
    const out = [...lines.values()];
    const total = out.reduce((s, l) => s.plus(l.cost), new Decimal(0));
    // The model that answered the log's last request, as given.
    const canonical = (await segmentAt(log[log.length - 1].at)).model;
    const q: ModelQuote = {
      model: canonical,
      currency,
      total: toMoney(total, 12),
      lines: out.map((l) => ({
        component: l.component,
        tokens: l.tokens.toNumber(),
        unitPrice: l.row.amount,
        unit: l.row.unit,
        cost: toMoney(l.cost, 12),
        ...(Object.keys(l.row.conditions).length ? { conditions: l.row.conditions } : {}),
        ...(l.note ? { note: l.note } : {}),
        ...fxOf(l.row),
      })),
    };
    if (canonical !== requested.toLowerCase()) q.requested = requested;
    warnings.push(...staleWarnings(priced.values(), asOf, opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS));
    if (plan) q.plan = await planInCurrency(db, planQuote(plan, credits, total, out, multiplier * log.length), currency!, defaultAt);
    quotes.push(q);
  }
  return { at: toIso(defaultAt), asOf: toIso(asOf), quotes, warnings };
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
  const covered = t && !perRequest.isZero() ? new Decimal(t.credits).div(perRequest).floor().toNumber() : null;
  const effective = t && !tokens.isZero() ? new Decimal(t.fee).times(credits).div(t.credits).div(tokens).times(1_000_000) : null;
  return {
    plan: plan.id,
    credits: toMoney(credits),
    creditsPerRequest: toMoney(perRequest, 6),
    planCredits: t ? t.credits : null,
    period: t ? t.period : null,
    requestsCovered: covered,
    fee: t ? t.fee : null,
    feeCurrency: t ? t.currency : null,
    effectivePricePer1M: effective ? toMoney(effective, 6) : null,
    paygPricePer1M: tokens.isZero() ? '0' : toMoney(total.div(tokens).times(1_000_000), 6),
  };
}
