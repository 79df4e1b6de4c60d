// The tokentrail library, offline by default: the same exact-decimal answers as the API, computed
// from the dataset snapshot bundled with the package, and refreshable from a running API's
// /v1/dataset.json. (The package's entry, app/library.ts, adds the typed HTTP client.)
import { formatPath } from './dataset/import.ts';
import { BadInputError } from './errors.ts';
import { QuoteRequest } from './quote.ts';
import { parseInstant } from './time.ts';
import { parseStaleAfter } from './timeline/freshness.ts';
import { libsqlEngine, type HistoryResult, type PriceEngine, type QuoteResult } from './library/engine.ts';
import { bundledSnapshot, datasetUrl, fetchDataset } from './library/snapshot.ts';
import type { ProviderDataset } from './model.ts';
import type { PriceSheet } from './timeline/queries.ts';

export { extractUsage, usageFormat, type UsageFormat } from './library/usage.ts';
export { BadInputError, NotFoundError, DataError } from './errors.ts';
export type { Usage, LoggedRequest, QuoteLine, ModelQuote, PlanQuote, QuoteWarning } from './quote.ts';
export type { Freshness, StaleReason } from './timeline/freshness.ts';
export type { PriceRow, PriceSheet } from './timeline/queries.ts';
export type { ProviderDataset, PriceFact, Conditions, Source, Money } from './model.ts';
export type { PriceEngine, QuoteResult, HistoryResult } from './library/engine.ts';
export type { QuoteRequest };

/** An instant: ISO 8601 text (a bare date is 00:00 UTC), a Date, or epoch milliseconds. */
export type InstantInput = string | Date | number;

function instant(v: InstantInput, field: string): number {
  if (v instanceof Date) {
    const t = v.getTime();
    if (Number.isNaN(t)) throw new BadInputError(`${field}: invalid Date`, { field });
    return t;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new BadInputError(`${field}: not a finite epoch-milliseconds number`, { field });
    return v;
  }
  return parseInstant(v, field);
}

interface State {
  engine: Promise<PriceEngine> | null;
  /** ETag of the dataset the engine holds when it came from refresh(); null for the bundled snapshot. */
  etag: string | null;
  source: 'bundled' | string;
}
const state: State = { engine: null, etag: null, source: 'bundled' };

function engine(): Promise<PriceEngine> {
  if (!state.engine) {
    const created = libsqlEngine(bundledSnapshot());
    // A failed start is not cached: the next call tries again.
    created.catch(() => {
      if (state.engine === created) state.engine = null;
    });
    state.engine = created;
  }
  return state.engine;
}

/**
 * The cost of a workload: takes exactly a `POST /v1/quote` body and returns its response shape.
 * Invalid bodies throw BadInputError naming the field (as the API's 400/422 do).
 */
/** How long a price line stays fresh: a span such as `14d`, `36h`, `2w` (default 14 days), as TOKENTRAIL_STALE_AFTER. */
function staleAfter(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseStaleAfter(v);
  } catch (e) {
    throw new BadInputError(`staleAfter: ${(e as Error).message}`, { field: 'staleAfter' });
  }
}

export async function quote(body: QuoteRequest, opts: { now?: InstantInput; staleAfter?: string } = {}): Promise<QuoteResult> {
  const parsed = QuoteRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = formatPath(issue.path).replace(/^\$\.?/, '');
    throw new BadInputError(`${field || 'body'}: ${issue.message}`, { field: field || undefined });
  }
  const now = opts.now === undefined ? Date.now() : instant(opts.now, 'now');
  return (await engine()).quote(parsed.data, now, { staleAfterMs: staleAfter(opts.staleAfter) });
}

export interface PriceAtOptions {
  /** Knowledge time (default now): what was known then. */
  asOf?: InstantInput;
  /** Only this currency (ISO 4217). */
  currency?: string;
  /** How long a line stays fresh (`14d`, `36h`, `2w`; default 14 days): sets `stale` on each line. */
  staleAfter?: string;
}

/** The price sheet of a model in force at `at` (the shape of `GET /v1/prices?model=`). */
export async function priceAt(model: string, at: InstantInput = Date.now(), opts: PriceAtOptions = {}): Promise<PriceSheet> {
  const asOf = opts.asOf === undefined ? Date.now() : instant(opts.asOf, 'asOf');
  return (await engine()).priceSheet({ model, at: instant(at, 'at'), asOf, currency: opts.currency?.toUpperCase(), staleAfterMs: staleAfter(opts.staleAfter) });
}

export interface HistoryOptions {
  from?: InstantInput;
  to?: InstantInput;
  asOf?: InstantInput;
  currency?: string;
  /** Include facts superseded by later knowledge. */
  includeSuperseded?: boolean;
}

/** Every fact of a model overlapping [from, to), with sources (the shape of `GET /v1/history`). */
export async function history(model: string, opts: HistoryOptions = {}): Promise<HistoryResult> {
  return (await engine()).history({
    model,
    from: opts.from === undefined ? undefined : instant(opts.from, 'from'),
    to: opts.to === undefined ? undefined : instant(opts.to, 'to'),
    asOf: opts.asOf === undefined ? Date.now() : instant(opts.asOf, 'asOf'),
    currency: opts.currency?.toUpperCase(),
    includeSuperseded: opts.includeSuperseded,
  });
}

export interface RefreshOptions {
  /** The API's base URL or its /v1/dataset.json URL. */
  url: string;
  fetch?: typeof fetch;
}

export interface RefreshResult {
  /** false when the server answered 304 (the dataset held is current). */
  updated: boolean;
  etag: string | null;
  providers: number;
}

/**
 * Replaces the offline dataset with a running API's `/v1/dataset.json`, conditionally on the ETag
 * of the last refresh. The new dataset is validated and loaded before it replaces the old one, so
 * a failed refresh leaves the answers as they were.
 */
export async function refresh(opts: RefreshOptions): Promise<RefreshResult> {
  const url = datasetUrl(opts.url);
  const etag = state.source === url ? state.etag : null;
  const fetched = await fetchDataset(url, etag, opts.fetch);
  if (!fetched) return { updated: false, etag, providers: -1 };
  await useDataset(fetched.datasets, { source: url, etag: fetched.etag });
  return { updated: true, etag: fetched.etag, providers: fetched.datasets.length };
}

/** Answers from these datasets from now on (the shape of data/<provider>.json files). */
export async function useDataset(datasets: ProviderDataset[], meta: { source?: string; etag?: string | null } = {}): Promise<void> {
  const next = await libsqlEngine(datasets);
  const previous = state.engine;
  state.engine = Promise.resolve(next);
  state.etag = meta.etag ?? null;
  state.source = meta.source ?? 'custom';
  if (previous) void previous.then((e) => e.close(), () => undefined);
}
