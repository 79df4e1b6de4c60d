// GET /v1/overview: the table the home page opens on. One row per model and currency with a price
// in force at `at`: input / cache read / cache write / output per 1M tokens, context window,
// freshness, the last change and the steps of the headline price. Assembled from the timeline's
// own queries (provider price sheets and the change feed): no second price-at here.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { conditionsKey } from '../../src/conditions.ts';
import { Money, type Model } from '../../src/model.ts';
import { MoneyOrNull } from '../schemas.ts';
import { Decimal } from '../../src/decimal.ts';
import { RateSourceSchema, type FxLineFields } from '../../src/fx/convert.ts';
import { componentWords, lineWords, moveWords, shownPct } from '../../src/phrasing.ts';
import { disagreements } from '../../src/catalog/disagreements.ts';
import { fxDisagreements } from '../../src/fx/consistency.ts';
import { modelSheetsIn } from '../../src/fx/sheets.ts';
import { changes, listModels, listProviders, type ChangeRecord, type PriceRow } from '../../src/timeline/queries.ts';
import { toIso, yieldToLoop } from '../../src/time.ts';
import type { ApiContext } from '../context.ts';
import { asOfParam, atParam, currencyParam, instantOr } from '../params.ts';
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
    amount: Money.describe('Effective price per 1M tokens (promo over list).'),
    list: MoneyOrNull.describe('The list price when a promotion is in force, else null.'),
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
    staleLines: z.number().int().openapi({ description: 'How many of the row’s lines are stale.' }),
    staleReason: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .openapi({ description: 'Why the first stale line is stale (the price line’s `staleReason`, led by its component).' }),
    disputed: z.boolean().openapi({ description: 'Sources disagree on a price of this model as known at `asOf` (GET /v1/disagreements?model= lists how).' }),
    lastChange: z
      .object({ at: instant, type: z.string(), component: z.string(), pct: z.number().nullable(), list: z.boolean(), words: z.string().openapi({ description: 'The line and its move in words (src/phrasing.ts).' }) })
      .nullable()
      .openapi({ description: 'The latest change (not first_known) in force by `at`; `list: true` when `pct` is the list price’s move.' }),
    pricedSince: instant.nullable(),
    spark: z.array(z.tuple([instant, MoneyOrNull])).openapi({ description: 'Steps of the headline price (input, else output), standard line: [effective from, amount], in the published currency.' }),
    fx: z
      .object({ convertedFrom: z.string(), rate: Money, rateDate: z.string(), rateSource: RateSourceSchema, rateNote: z.string().optional() })
      .nullable()
      .openapi({ description: 'With `currency=` naming a currency the model does not publish: how its prices were converted (ECB reference rate of the day of `at`); else null.' }),
  })
  .openapi('OverviewRow');

export const OverviewResponse = z
  .object({
    at: instant,
    asOf: instant,
    unit: z.literal(TOKEN_UNIT),
    currency: z.string().optional().openapi({ description: 'The currency asked for; absent: every row in its published currency.' }),
    data: z.array(OverviewRowSchema),
    notConverted: z
      .array(z.object({ model: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'With `currency=`: models left out because their prices could not be converted at `at` (no reference rate), each with the reason.' }),
  })
  .openapi('Overview');
export type OverviewRow = z.infer<typeof OverviewRowSchema>;
export type Overview = z.infer<typeof OverviewResponse>;

export const overviewRoute = createRoute({
  method: 'get',
  path: '/v1/overview',
  tags: ['prices'],
  summary: 'Current price table: every model with a price, per currency',
  description:
    'One row per model and currency with a per-token price in force at `at` (as known at `asOf`), in the currency the provider publishes. Cells are the standard line; `variants` counts the conditioned ones. With `currency=`, one row per model in that currency: its own lines when it publishes them, else converted at the ECB reference rate of `at` (the row’s `fx` says how); models without a rate are listed in `notConverted`.',
  request: {
    query: z
      .object({ at: atParam, asOf: asOfParam, currency: currencyParam.optional().openapi({ param: { description: 'Show every row in this currency (converted where not published).' } }) })
      .strict(),
  },
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
  return rows.find((r) => isStandard(r.conditions)) ?? rows.reduce((a, b) => (new Decimal(b.amount).lt(a.amount) ? b : a));
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

type FreshRow = PriceRow & { lastConfirmedAt?: string | null; stale?: boolean | null; staleReason?: { code: string; message: string } };

/** Freshness fields, when the timeline gives them per line (else null: never guessed). */
function freshness(rows: PriceRow[]): Pick<OverviewRow, 'lastConfirmedAt' | 'stale' | 'staleLines' | 'staleReason'> {
  const extra = rows as FreshRow[];
  const confirmed = extra.map((r) => r.lastConfirmedAt).filter((v): v is string => typeof v === 'string');
  const judged = extra.filter((r) => typeof r.stale === 'boolean');
  const stale = judged.filter((r) => r.stale);
  const first = stale.find((r) => r.staleReason) ?? stale[0];
  return {
    lastConfirmedAt: confirmed.length === rows.length && confirmed.length ? confirmed.reduce((a, b) => (b < a ? b : a)) : null,
    stale: judged.length ? stale.length > 0 : null,
    staleLines: stale.length,
    staleReason: first?.staleReason ? { code: first.staleReason.code, message: `${componentWords(first.component)}: ${first.staleReason.message}` } : null,
  };
}

/** Models built between two yields to the event loop (thousands of rows never hold it for long). */
const MODELS_PER_SLICE = 500;

/** Pure (no I/O): the table from the catalogue, the sheets in force at `at` and the change feed. */
export async function buildOverview(input: {
  at: number;
  models: Model[];
  providerNames: Map<string, string>;
  sheets: Map<string, PriceRow[]>;
  /** Every change effective by `at`, any order. */
  changes: ChangeRecord[];
  /** Models some sources disagree on (GET /v1/disagreements). */
  disputed?: ReadonlySet<string>;
}): Promise<OverviewRow[]> {
  const byModelCurrency = new Map<string, ChangeRecord[]>();
  for (const c of input.changes) {
    const k = `${c.model}\u0000${c.currency}`;
    const list = byModelCurrency.get(k);
    if (list) list.push(c);
    else byModelCurrency.set(k, [c]);
  }
  const out: OverviewRow[] = [];
  for (const [i, model] of input.models.entries()) {
    if (i > 0 && i % MODELS_PER_SLICE === 0) await yieldToLoop();
    const prices = (input.sheets.get(model.id) ?? []).filter((r) => r.unit === TOKEN_UNIT);
    const currencies = [...new Set(prices.map((r) => r.currency))].sort();
    for (const currency of currencies) {
      const rows = prices.filter((r) => r.currency === currency);
    // Converted rows (currency=): their history is the published currency's.
    const converted = rows[0] as (PriceRow & Partial<FxLineFields>) | undefined;
    const historyCurrency = converted?.convertedFrom ?? currency;
      const cells = Object.fromEntries(OVERVIEW_COMPONENTS.map((c) => [COLUMN_KEY[c], cell(rows.filter((r) => r.component === c))])) as Pick<
        OverviewRow,
        'input' | 'cacheRead' | 'cacheWrite' | 'output'
      >;
      if (!cells.input && !cells.output) continue;
      const history = (byModelCurrency.get(`${model.id}\u0000${historyCurrency}`) ?? []).sort((a, b) => a.effectiveAt.localeCompare(b.effectiveAt));
      const news = history.filter((c) => c.type !== 'first_known');
      const last = latestChange(news);
      const move = last ? shownPct(last) : null;
      // The steps of the headline cell's line, led by the standard line when that one came first
      // (DeepSeek's CNY standard price became peak/off-peak prices: one step, not a gap).
      const headline = cells.input ? 'input' : 'output';
      const shown = cellLine(rows.filter((r) => r.component === headline))!;
      const keys = new Set([conditionsKey({}), conditionsKey(shown.conditions)]);
      const steps = new Map<string, Money | null>();
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
        disputed: input.disputed?.has(model.id) ?? false,
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
        fx: converted?.convertedFrom
          ? { convertedFrom: converted.convertedFrom, rate: converted.rate!, rateDate: converted.rateDate!, rateSource: converted.rateSource!, ...(converted.rateNote && { rateNote: converted.rateNote }) }
          : null,
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

/**
 * Models GET /v1/disagreements would list: catalog sources stating different values, and the
 * currency check (asked only for models priced in two currencies: the others cannot depart).
 */
async function disputedModels(ctx: ApiContext, sheets: Map<string, PriceRow[]>, asOf: number): Promise<Set<string>> {
  // Neither answer depends on `at` or the currency shown: asked once per data version and
  // knowledge time for every table (published, converted), each model's check when first needed.
  const known = await ctx.memo.remember(['overview-disputed'], asOf, async () => ({
    catalog: new Set((await disagreements(ctx.db, { asOf })).map((d) => d.model)),
    fx: new Map<string, Promise<boolean>>(),
  }));
  const out = new Set(known.catalog);
  for (const [model, rows] of sheets) {
    if (out.has(model) || new Set(rows.map((r) => r.currency)).size < 2) continue;
    let fx = known.fx.get(model);
    if (!fx) {
      known.fx.set(model, (fx = fxDisagreements(ctx.db, { model, asOf }).then((d) => d.length > 0)));
      fx.catch(() => known.fx.delete(model)); // a failure is not kept
    }
    if (await fx) out.add(model);
  }
  return out;
}

/** The table at `at`, and the first instant after `at` at which it could read differently. */
async function computeOverview(ctx: ApiContext, at: number, asOf: number, currency?: string): Promise<Table> {
  const [providers, models, feed] = await Promise.all([listProviders(ctx.db), listModels(ctx.db), allChanges(ctx, asOf)]);
  // Every provider's models, provider by provider (the order of `notConverted`), in one pass.
  const ids = new Map<string, string[]>(providers.map((p) => [p.id, []]));
  for (const m of models) ids.get(m.provider)?.push(m.id);
  const sheets = new Map<string, PriceRow[]>();
  const notConverted: Array<{ model: string; message: string }> = [];
  for (const m of await modelSheetsIn(ctx.db, [...ids.values()].flatMap((list) => list.sort()), { at, asOf, currency, staleAfterMs: ctx.staleAfterMs })) {
    if (m.note) notConverted.push({ model: m.model, message: m.note });
    else sheets.set(m.model, m.prices);
  }
  const inForce = feed.filter((c) => Date.parse(c.effectiveAt) <= at);
  const disputed = await disputedModels(ctx, sheets, asOf);
  const data = await buildOverview({ at, models, providerNames: new Map(providers.map((p) => [p.id, p.name])), sheets, changes: inForce, disputed });
  // Prices change only where a change takes effect (promotions ending included); a status where a
  // model is deprecated or retired.
  const later = [
    ...feed.map((c) => Date.parse(c.effectiveAt)),
    ...models.flatMap((m) => [m.deprecatedAt, m.retiredAt].filter((v): v is string => Boolean(v)).map((v) => Date.parse(v))),
  ].filter((t) => t > at);
  return { data, until: later.length ? Math.min(...later) : Infinity, ...(currency && { notConverted }) };
}

/** Which kept table an answer holds, and the request header asking "still this one?" (304 if so). */
export const TABLE_HEADER = 'X-Tokentrail-Table';
export const TABLE_IF_HEADER = 'X-Tokentrail-If-Table';

type Table = { data: OverviewRow[]; until: number; notConverted?: Array<{ model: string; message: string }> };
const DAY_MS = 86_400_000;
/** How long the data version must stand still before kept tables are rebuilt in the background. */
const REBUILD_AFTER_MS = 2_000;
const VERSION_POLL_MS = 5_000;

export function overviewRoutes(ctx: ApiContext) {
  // "Now" moves every request, the table only at the next change: the table at now is kept per
  // data version (and per currency asked) until then (the response cache alone would keep it for
  // one second). A converted table also ends at the next UTC day: the rate is the day's.
  type Entry = { version: string; until: number; data: Promise<Table>; json?: string; tag: string };
  const kept = new Map<string, Entry>();
  let tables = 0;
  /** The kept table in `currency` (absent: as published) of `version`, built at `now` when there is none. */
  const keptTable = (version: string, currency: string | undefined, now: number): Entry => {
    const key = currency ?? '';
    let entry = kept.get(key);
    if (!entry || entry.version !== version || now >= entry.until) {
      const data = computeOverview(ctx, now, now, currency);
      const e: Entry = { version, until: Infinity, data, tag: `${version}:${++tables}` };
      kept.set(key, e);
      watch();
      data.then(
        (t) => (e.until = currency ? Math.min(t.until, (Math.floor(now / DAY_MS) + 1) * DAY_MS) : t.until),
        () => kept.get(key) === e && kept.delete(key),
      );
      entry = e;
    }
    return entry;
  };
  // After a data change (a scrape, an import) the tables kept for the previous version are built
  // again in the background, once the version has stood still for a moment (an ingest moves it
  // many times), so the next visitor does not wait for them.
  let rebuild: ReturnType<typeof setTimeout> | undefined;
  if (ctx.cache !== null)
    ctx.versions.onChange(() => {
      clearTimeout(rebuild);
      rebuild = setTimeout(() => void rebuildKept(), REBUILD_AFTER_MS);
      rebuild.unref();
    });
  // Without requests nobody would read the version: while tables are kept, it is read every few
  // seconds (one row; stops when the database is closed).
  let poll: ReturnType<typeof setInterval> | undefined;
  const watch = () => {
    if (poll || ctx.cache === null) return;
    poll = setInterval(() => {
      Promise.resolve()
        .then(() => ctx.versions.current())
        .catch(() => {
          clearInterval(poll);
          poll = undefined;
        });
    }, VERSION_POLL_MS);
    poll.unref();
  };
  const rebuildKept = async () => {
    try {
      const version = await ctx.versions.current();
      for (const [key, e] of [...kept]) if (e.version !== version) await keptTable(version, key || undefined, ctx.now()).data;
    } catch {
      // A failed build is not kept; the next request builds (and reports) it.
    }
  };
  return new OpenAPIHono().openapi({ ...overviewRoute, middleware: [ctx.cached({ timeParams: ['at', 'asOf'] })] }, async (c) => {
    const q = c.req.valid('query');
    const now = ctx.now();
    const at = instantOr(q.at, 'at', now);
    const asOf = instantOr(q.asOf, 'asOf', now);
    const currency = q.currency?.toUpperCase();
    const head = (t: Table) => ({ at: toIso(at), asOf: toIso(asOf), unit: TOKEN_UNIT, ...(currency && { currency, notConverted: t.notConverted ?? [] }) });
    if (q.at !== undefined || q.asOf !== undefined || ctx.cache === null) {
      const t = await computeOverview(ctx, at, asOf, currency);
      return c.json({ ...head(t), data: t.data }, 200);
    }
    const entry = keptTable(await ctx.versions.current(), currency, now);
    const table = await entry.data;
    // The web page keeps the rows it parsed and asks whether they are still the table's (an
    // in-process header: the body's `at` moves every request, its rows only at the next change).
    if (c.req.header(TABLE_IF_HEADER) === entry.tag) return c.body(null, 304, { [TABLE_HEADER]: entry.tag }) as unknown as ReturnType<typeof c.json<Overview, 200>>;
    // Thousands of rows: serialised once per table, not per request.
    entry.json ??= JSON.stringify(table.data);
    const body = `${JSON.stringify(head(table)).slice(0, -1)},"data":${entry.json}}`;
    return c.body(body, 200, { 'Content-Type': 'application/json', [TABLE_HEADER]: entry.tag }) as unknown as ReturnType<typeof c.json<Overview, 200>>;
  });
}
