// The pages read the same JSON the public API serves, by calling the app in-process: the figures
// on a page are the API's figures, and an API error (problem+json) becomes a message on the page.
import type { z } from '@hono/zod-openapi';
import type { Problem } from '../problem.ts';
import { TABLE_HEADER, TABLE_IF_HEADER } from '../routes/overview.ts';
import type {
  ChangesResponse,
  DiffResponse,
  HistoryResponse,
  ModelsResponse,
  PriceSheetSchema,
  ProvidersResponse,
} from '../schemas.ts';

/** How the web pages reach the API: `app.request` of the same app. */
export type ApiFetch = (path: string, init?: RequestInit) => Response | Promise<Response>;

export type Providers = z.infer<typeof ProvidersResponse>;
export type Models = z.infer<typeof ModelsResponse>;
export type ModelSummary = Models['data'][number];
export type PriceSheet = z.infer<typeof PriceSheetSchema>;
export type PriceRow = PriceSheet['prices'][number];
export type History = z.infer<typeof HistoryResponse>;
export type HistoryFact = History['facts'][number];
export type Changes = z.infer<typeof ChangesResponse>;
export type Change = Changes['data'][number];
export type Diff = z.infer<typeof DiffResponse>;
export type DiffLine = Diff['changes'][number];

export type ApiResult<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/** `/v1/prices?model=a&at=…` from a path and its defined parameters. */
export function apiPath(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

export async function getJson<T>(api: ApiFetch, path: string): Promise<ApiResult<T>> {
  return readJson<T>(await api(path), path);
}

async function readJson<T>(res: Response, path: string): Promise<ApiResult<T>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.ok && body !== undefined) return { ok: true, data: body as T };
  if (isProblem(body)) return { ok: false, problem: body };
  return { ok: false, problem: { type: 'about:blank', title: 'Unexpected answer from the API', status: res.status, detail: `${path} answered ${res.status}` } };
}

/** Parsed tables kept by path with the tag of the table they hold (GET /v1/overview). */
const keptTables = new WeakMap<ApiFetch, Map<string, { tag: string; data: unknown }>>();
const KEPT_MAX = 4;

/**
 * getJson for the overview's table, read on every page view: asks whether the rows it parsed last
 * are still the table's (TABLE_IF_HEADER → 304), so thousands of rows are parsed once per table.
 */
export async function getTable<T>(api: ApiFetch, path: string): Promise<ApiResult<T>> {
  // Per app (a process may run several, e.g. a benchmark's), then per path.
  let tables = keptTables.get(api);
  if (!tables) keptTables.set(api, (tables = new Map()));
  const kept = tables.get(path);
  const res = await api(path, kept ? { headers: { [TABLE_IF_HEADER]: kept.tag } } : undefined);
  if (res.status === 304 && kept) return { ok: true, data: kept.data as T };
  const result = await readJson<T>(res, path);
  const tag = res.headers.get(TABLE_HEADER);
  if (result.ok && tag) {
    tables.delete(path);
    tables.set(path, { tag, data: result.data });
    if (tables.size > KEPT_MAX) tables.delete(tables.keys().next().value!);
  }
  return result;
}

/** Short-lived answers kept by path (see getJsonKept). */
const keptAnswers = new WeakMap<ApiFetch, Map<string, { until: number; result: Promise<ApiResult<unknown>> }>>();

/**
 * getJson, kept for `ttlMs` per path: for an answer that is costly to compute on every page view
 * and may lag by that much on a page (the providers' scraper health and freshness).
 */
export function getJsonKept<T>(api: ApiFetch, path: string, ttlMs: number, now = Date.now()): Promise<ApiResult<T>> {
  let answers = keptAnswers.get(api);
  if (!answers) keptAnswers.set(api, (answers = new Map()));
  const kept = answers.get(path);
  if (kept && now < kept.until) return kept.result as Promise<ApiResult<T>>;
  const result = getJson<T>(api, path);
  answers.set(path, { until: now + ttlMs, result });
  // A refusal is not kept.
  void result.then((r) => !r.ok && answers.get(path)?.result === result && answers.delete(path));
  return result;
}

function isProblem(v: unknown): v is Problem {
  return typeof v === 'object' && v !== null && typeof (v as Problem).title === 'string' && typeof (v as Problem).status === 'number';
}

/**
 * GET /v1/models/resolve (the catalogue work's resolver) for a name: whether the route exists at
 * all (so the browser only calls it then, instead of logging 404s) and its answer when it matched.
 */
export async function askResolver(api: ApiFetch, name: string): Promise<{ available: boolean; body: unknown | null }> {
  const res = await api(apiPath('/v1/models/resolve', { name: name || 'a' }));
  const body = (await res.json().catch(() => null)) as { type?: string } | null;
  const available = !(res.status === 404 && typeof body?.type === 'string' && body.type.endsWith('no-route')) && res.status !== 405;
  return { available, body: res.ok ? body : null };
}
