// GET /v1/overview: the table the home page opens on. One row per model and currency with a price
// in force at `at`: input / cache read / cache write / output per 1M tokens, context window,
// freshness, the last change and the steps of the headline price. Assembled from the timeline's
// own queries (provider price sheets and the change feed): no second price-at here.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { conditionsKey } from '../../src/conditions.ts';
import type { Model } from '../../src/model.ts';
import { lineWords, moveWords, shownPct } from '../../src/phrasing.ts';
import { changes, listModels, listProviders, providerSheets, type ChangeRecord, type PriceRow } from '../../src/timeline/queries.ts';
import { toIso } from '../../src/time.ts';
import type { ApiContext } from '../context.ts';
import { asOfParam, atParam, instantOr } from '../params.ts';
import { problemResponses } from '../problem.ts';
import { modelStatus } from './providers.ts';

/** The per-token components the table has columns for, in column order. */
export const OVERVIEW_COMPONENTS = ['input', 'cache_read', 'cache_write', 'output'] as const;
type Column = (typeof OVERVIEW_COMPONENTS)[number];
const TOKEN_UNIT = '1M tokens' as const;
/** Steps kept for a row's sparkline (the most recent ones). */
const SPARK_STEPS = 24;

const instant = z.string().openapi({ format: 'date-time', example: '2026-05-01T00:00:00.000Z' });

const CellSchema = z
  .object({
    amount: z.number().openapi({ description: 'Effective price per 1M tokens (promo over list).' }),
    list: z.number().nullable().openapi({ description: 'The list price when a promotion is in force, else null.' }),
    /** The standard line (no conditions) when there is one; otherwise the cheapest conditioned line. */
    conditioned: z.boolean().openapi({ description: 'true: there is no unconditioned line; `amount` is the cheapest of the conditioned ones (e.g. off-peak).' }),
    variants: z.number().int().openapi({ description: 'Other lines of this component (peak hours, long context, tiers…).' }),
  })
  .openapi('OverviewCell');

export const OverviewRowSchema = z
  .object({
    model: z.string(),
    name: z.string(),
    provider: z.string(),
    providerName: z.string(),
    status: z.enum(['active', 'deprecated', 'retired']),
    currency: z.string(),
    input: CellSchema.nullable(),
    cacheRead: CellSchema.nullable(),
    cacheWrite: CellSchema.nullable(),
    output: CellSchema.nullable(),
    contextWindow: z.number().int().nullable(),
    features: z.array(z.string()).openapi({ description: 'Read from the price lines: cache, batch, flex, priority, hours (time-of-day prices), long-context, promo (a promotion in force), plus the catalogue’s capabilities when it has them.' }),
    lastConfirmedAt: instant.nullable().openapi({ description: 'Oldest last confirmation among the row’s lines; null when the timeline does not say.' }),
    stale: z.boolean().nullable().openapi({ description: 'Any line stale by the freshness rule; null when the timeline does not say.' }),
    lastChange: z
      .object({ at: instant, type: z.string(), component: z.string(), pct: z.number().nullable(), list: z.boolean(), words: z.string().openapi({ description: 'The line and its move in words (src/phrasing.ts).' }) })
      .nullable()
      .openapi({ description: 'The latest change (not first_known) in force by `at`; `list: true` when `pct` is the list price’s move.' }),
    pricedSince: instant.nullable(),
    spark: z.array(z.tuple([instant, z.number().nullable()])).openapi({ description: 'Steps of the headline price (input, else output), standard line: [effective from, amount].' }),
  })
  .openapi('OverviewRow');

export const OverviewResponse = z
  .object({ at: instant, asOf: instant, unit: z.literal(TOKEN_UNIT), data: z.array(OverviewRowSchema) })
  .openapi('Overview');
export type OverviewRow = z.infer<typeof OverviewRowSchema>;
export type Overview = z.infer<typeof OverviewResponse>;

export const overviewRoute = createRoute({
  method: 'get',
  path: '/v1/overview',
  tags: ['prices'],
  summary: 'Current price table: every model with a price, per currency',
  description:
    'One row per model and currency with a per-token price in force at `at` (as known at `asOf`), in the currency the provider publishes. Cells are the standard line; `variants` counts the conditioned ones.',
  request: { query: z.object({ at: atParam, asOf: asOfParam }).strict() },
  responses: {
    200: { description: 'The table.', content: { 'application/json': { schema: OverviewResponse } } },
    ...problemResponses(400),
  },
});

const COLUMN_KEY: Record<Column, 'input' | 'cacheRead' | 'cacheWrite' | 'output'> = {
  input: 'input',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
  output: 'output',
};

const isStandard = (c: object) => Object.keys(c).length === 0;

/** The line a cell shows: the standard one, else the cheapest conditioned one (e.g. off-peak). */
function cellLine(rows: PriceRow[]): PriceRow | null {
  if (rows.length === 0) return null;
  return rows.find((r) => isStandard(r.conditions)) ?? rows.reduce((a, b) => (b.amount < a.amount ? b : a));
}

function cell(rows: PriceRow[]): OverviewRow['input'] {
  const pick = cellLine(rows);
  if (!pick) return null;
  return { amount: pick.amount, list: pick.kind === 'promo' ? pick.listAmount : null, conditioned: !isStandard(pick.conditions), variants: rows.length - 1 };
}

/** The latest change; of several at that instant, the largest move. */
function latestChange(news: ChangeRecord[]): ChangeRecord | undefined {
  const last = news[news.length - 1];
  if (!last) return undefined;
  const same = news.filter((c) => c.effectiveAt === last.effectiveAt);
  return same.reduce((a, b) => (Math.abs(b.changePct ?? 0) > Math.abs(a.changePct ?? 0) ? b : a));
}

function features(rows: PriceRow[], model: Model): string[] {
  const out = new Set<string>();
  for (const r of rows) {
    if (r.component.startsWith('cache_')) out.add('cache');
    if (r.conditions.serviceTier) out.add(r.conditions.serviceTier);
    if (r.conditions.hours) out.add('hours');
    if (r.conditions.contextAbove !== undefined) out.add('long-context');
    if (r.kind === 'promo') out.add('promo');
  }
  // The catalogue's capabilities (vision, tools…), once models carry them.
  const caps = (model as Model & { capabilities?: unknown }).capabilities;
  if (Array.isArray(caps)) for (const c of caps) if (typeof c === 'string') out.add(c);
  return [...out].sort();
}

/** Freshness fields, when the timeline gives them per row (else null: never guessed). */
function freshness(rows: PriceRow[]): { lastConfirmedAt: string | null; stale: boolean | null } {
  const extra = rows as Array<PriceRow & { lastConfirmedAt?: string | null; stale?: boolean | null }>;
  const confirmed = extra.map((r) => r.lastConfirmedAt).filter((v): v is string => typeof v === 'string');
  const stales = extra.map((r) => r.stale).filter((v): v is boolean => typeof v === 'boolean');
  return {
    lastConfirmedAt: confirmed.length === rows.length && confirmed.length ? confirmed.reduce((a, b) => (b < a ? b : a)) : null,
    stale: stales.length ? stales.some(Boolean) : null,
  };
}

/** Pure: the table from the catalogue, the sheets in force at `at` and the change feed. */
export function buildOverview(input: {
  at: number;
  models: Model[];
  providerNames: Map<string, string>;
  sheets: Map<string, PriceRow[]>;
  /** Every change effective by `at`, any order. */
  changes: ChangeRecord[];
}): OverviewRow[] {
  const byModelCurrency = new Map<string, ChangeRecord[]>();
  for (const c of input.changes) {
    const k = `${c.model}\u0000${c.currency}`;
    const list = byModelCurrency.get(k);
    if (list) list.push(c);
    else byModelCurrency.set(k, [c]);
  }
  const out: OverviewRow[] = [];
  for (const model of input.models) {
    const prices = (input.sheets.get(model.id) ?? []).filter((r) => r.unit === TOKEN_UNIT);
    const currencies = [...new Set(prices.map((r) => r.currency))].sort();
    for (const currency of currencies) {
      const rows = prices.filter((r) => r.currency === currency);
      const cells = Object.fromEntries(OVERVIEW_COMPONENTS.map((c) => [COLUMN_KEY[c], cell(rows.filter((r) => r.component === c))])) as Pick<
        OverviewRow,
        'input' | 'cacheRead' | 'cacheWrite' | 'output'
      >;
      if (!cells.input && !cells.output) continue;
      const history = (byModelCurrency.get(`${model.id}\u0000${currency}`) ?? []).sort((a, b) => a.effectiveAt.localeCompare(b.effectiveAt));
      const news = history.filter((c) => c.type !== 'first_known');
      const last = latestChange(news);
      const move = last ? shownPct(last) : null;
      // The steps of the headline cell's line, led by the standard line when that one came first
      // (DeepSeek's CNY standard price became peak/off-peak prices: one step, not a gap).
      const headline = cells.input ? 'input' : 'output';
      const shown = cellLine(rows.filter((r) => r.component === headline))!;
      const keys = new Set([conditionsKey({}), conditionsKey(shown.conditions)]);
      const steps = new Map<string, number | null>();
      for (const c of history) {
        if (c.component !== headline || c.unit !== TOKEN_UNIT || !keys.has(conditionsKey(c.conditions))) continue;
        const prior = steps.get(c.effectiveAt);
        if (prior === undefined || prior === null) steps.set(c.effectiveAt, c.after);
      }
      const spark = [...steps.entries()].slice(-SPARK_STEPS);
      out.push({
        model: model.id,
        name: model.name,
        provider: model.provider,
        providerName: input.providerNames.get(model.provider) ?? model.provider,
        status: modelStatus(model, input.at),
        currency,
        ...cells,
        contextWindow: model.contextWindow ?? null,
        features: features(rows, model),
        ...freshness(rows),
        lastChange: last
          ? {
              at: last.effectiveAt,
              type: last.type,
              component: last.component,
              pct: move!.pct,
              list: move!.ofList,
              words: `${lineWords(last)} ${moveWords(last)}`,
            }
          : null,
        pricedSince: history[0]?.effectiveAt ?? null,
        spark,
      });
    }
  }
  return out;
}

/** Every change in the feed (past and announced), walking its pages (the derived list is memoised). */
async function allChanges(ctx: ApiContext, asOf: number): Promise<ChangeRecord[]> {
  const all: ChangeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await changes(ctx.db, { asOf, limit: 1000, cursor }, { memo: ctx.memo.changes });
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** The table at `at`, and the first instant after `at` at which it could read differently. */
async function computeOverview(ctx: ApiContext, at: number, asOf: number): Promise<{ data: OverviewRow[]; until: number }> {
  const [providers, models, feed] = await Promise.all([listProviders(ctx.db), listModels(ctx.db), allChanges(ctx, asOf)]);
  const sheets = new Map<string, PriceRow[]>();
  for (const p of providers) {
    const s = await providerSheets(ctx.db, { provider: p.id, at, asOf, staleAfterMs: ctx.staleAfterMs });
    for (const m of s.data) sheets.set(m.model, m.prices);
  }
  const inForce = feed.filter((c) => Date.parse(c.effectiveAt) <= at);
  const data = buildOverview({ at, models, providerNames: new Map(providers.map((p) => [p.id, p.name])), sheets, changes: inForce });
  // Prices change only where a change takes effect (promotions ending included); a status where a
  // model is deprecated or retired.
  const later = [
    ...feed.map((c) => Date.parse(c.effectiveAt)),
    ...models.flatMap((m) => [m.deprecatedAt, m.retiredAt].filter((v): v is string => Boolean(v)).map((v) => Date.parse(v))),
  ].filter((t) => t > at);
  return { data, until: later.length ? Math.min(...later) : Infinity };
}

export function overviewRoutes(ctx: ApiContext) {
  // "Now" moves every request, the table only at the next change: the table at now is kept per
  // data version until then (the response cache alone would keep it for one second).
  let current: { version: string; until: number; data: Promise<{ data: OverviewRow[]; until: number }>; json?: string } | null = null;
  return new OpenAPIHono().openapi({ ...overviewRoute, middleware: [ctx.cached({ timeParams: ['at', 'asOf'] })] }, async (c) => {
    const q = c.req.valid('query');
    const now = ctx.now();
    const at = instantOr(q.at, 'at', now);
    const asOf = instantOr(q.asOf, 'asOf', now);
    let table: { data: OverviewRow[]; until: number };
    if (q.at === undefined && q.asOf === undefined && ctx.cache !== null) {
      const version = await ctx.versions.current();
      if (!current || current.version !== version || now >= current.until) {
        const data = computeOverview(ctx, at, asOf);
        current = { version, until: Infinity, data };
        data.then(
          (t) => current?.data === data && (current.until = t.until),
          () => current?.data === data && (current = null),
        );
      }
      const kept = current;
      table = await kept.data;
      // Thousands of rows: serialised once per table, not per request.
      kept.json ??= JSON.stringify(table.data);
      const body = `{"at":${JSON.stringify(toIso(at))},"asOf":${JSON.stringify(toIso(asOf))},"unit":${JSON.stringify(TOKEN_UNIT)},"data":${kept.json}}`;
      return c.body(body, 200, { 'Content-Type': 'application/json' }) as unknown as ReturnType<typeof c.json<Overview, 200>>;
    } else table = await computeOverview(ctx, at, asOf);
    return c.json({ at: toIso(at), asOf: toIso(asOf), unit: TOKEN_UNIT, data: table.data }, 200);
  });
}
