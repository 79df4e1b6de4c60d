// OpenRouter: https://openrouter.ai/api/v1/models, the raw JSON response `{ "data": [model…] }`.
// Prices are USD decimal strings per token (per image / request / search for the non-token ones);
// token prices are scaled to per 1M tokens exactly. The listed price is the cheapest current route,
// so it can flap between runs (flappy: true). Each model is read through `optional`: a model whose
// pricing cannot be read, or one price that is implausible (negative, "-1", out of bounds), is an
// unread section scoped to it — never a removal. A field the API stops sending is not a price.
import { BadInputError, LayoutChangedError } from '../../src/errors.ts';
import { ModelId, type Observation, type ObservedModel, type ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { assertPlausible, isZero, parseApiDecimal, perTokenToPerMillion } from '../_kit/money.ts';

const API_URL = 'https://openrouter.ai/api/v1/models';

/** pricing key → component, unit, and whether the API's figure is per token (scaled to 1M). */
const PRICING_KEYS: Record<string, { component: string; unit: string; perToken: boolean }> = {
  prompt: { component: 'input', unit: '1M tokens', perToken: true },
  completion: { component: 'output', unit: '1M tokens', perToken: true },
  input_cache_read: { component: 'cache_read', unit: '1M tokens', perToken: true },
  input_cache_write: { component: 'cache_write', unit: '1M tokens', perToken: true },
  internal_reasoning: { component: 'internal_reasoning', unit: '1M tokens', perToken: true },
  // Audio input tokens (e.g. google/gemini-2.5-flash "0.000001" = $1 per 1M audio tokens).
  audio: { component: 'input_audio', unit: '1M tokens', perToken: true },
  request: { component: 'request', unit: '1 request', perToken: false },
  image: { component: 'input_image', unit: '1 image', perToken: false },
  web_search: { component: 'web_search', unit: '1 request', perToken: false },
};


interface ApiModel {
  id?: unknown;
  name?: unknown;
  context_length?: unknown;
  pricing?: unknown;
  top_provider?: { max_completion_tokens?: unknown } | null;
}

export function parseOpenRouter(text: string, ctx: ParseContext): ParseResult {
  if (ctx.url.replace(/[?#].*$/, '').replace(/\/+$/, '') !== API_URL) throw new BadInputError(`openrouter: unknown page ${ctx.url}; known: ${API_URL}`);
  assertRealPage(text, 'json');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new LayoutChangedError(`not valid JSON (cut off?): ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null) throw new LayoutChangedError('response is not a JSON object');
  if ('error' in body) throw new LayoutChangedError(`the API answered an error: ${JSON.stringify((body as { error: unknown }).error).slice(0, 200)}`);
  const data = (body as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new LayoutChangedError('response has no "data" array of models');
  if (data.length === 0) throw new LayoutChangedError('the "data" array is empty');

  const observations: Observation[] = [];
  const models: ObservedModel[] = [];
  const coverage = new CoverageBuilder([{ currency: 'USD' }]);
  const badIds: string[] = [];
  const unknownKeys = new Map<string, number>();
  const seen = new Set<string>();

  data.forEach((entry: ApiModel, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.id !== 'string') throw new LayoutChangedError(`data[${i}] has no string "id"`);
    const id = `openrouter/${entry.id.toLowerCase()}`;
    if (!ModelId.safeParse(id).success) {
      badIds.push(entry.id);
      return;
    }
    if (seen.has(id)) throw new LayoutChangedError(`model ${entry.id} is listed twice`);
    seen.add(id);
    const unreadBefore = coverage.unreadCount;
    const read = coverage.optional(
      `model ${entry.id}`,
      () => {
        const pricing = entry.pricing;
        if (typeof pricing !== 'object' || pricing === null) throw new LayoutChangedError(`${entry.id}: no "pricing" object`);
        const prices = pricing as Record<string, unknown>;
        if (!('prompt' in prices) || !('completion' in prices)) throw new LayoutChangedError(`${entry.id}: pricing lacks "prompt" or "completion"`);
        const out: Observation[] = [];
        for (const [key, raw] of Object.entries(prices)) {
          const spec = PRICING_KEYS[key];
          if (!spec) {
            unknownKeys.set(key, (unknownKeys.get(key) ?? 0) + 1);
            continue;
          }
          const where = `${entry.id} pricing.${key}`;
          // One price that cannot be a price is unread on its own; the model's other prices are read.
          const o = coverage.optional(
            where,
            () => {
              // Numbers would already have been through a float: refuse rather than round.
              if (typeof raw !== 'string') throw new LayoutChangedError(`${where} is ${JSON.stringify(raw)?.slice(0, 40)}, expected a decimal string`);
              const perUnit = parseApiDecimal(raw, where);
              const amount = spec.perToken ? perTokenToPerMillion(perUnit) : perUnit;
              // The API states every price explicitly; "0" is its way of saying free (":free" models, no request fee).
              const free = isZero(amount);
              assertPlausible(amount, 'USD', spec.unit, where, { free });
              const obs: Observation = { model: id, component: spec.component, currency: 'USD', unit: spec.unit, conditions: {}, amount, kind: 'list' };
              if (free) obs.free = true;
              return obs;
            },
            { scope: [{ model: id, component: spec.component, currency: 'USD' }] },
          );
          if (o) out.push(o);
        }
        return out;
      },
      { scope: [{ model: id }] },
    );
    // A model row is read when every price it lists was read.
    coverage.row(read !== undefined && coverage.unreadCount === unreadBefore);
    if (!read) return;
    observations.push(...read);

    const model: ObservedModel = { id, name: typeof entry.name === 'string' && entry.name.trim() !== '' ? entry.name : entry.id };
    if (isPositiveInt(entry.context_length)) model.contextWindow = entry.context_length;
    const maxOut = entry.top_provider?.max_completion_tokens;
    if (isPositiveInt(maxOut)) model.maxOutput = maxOut;
    models.push(model);
  });

  const notes: string[] = [];
  notes.push('a pricing key a model does not list records no price for that component (a field that stops being sent is not a price)');
  if (badIds.length > 0) notes.push(`skipped ids that do not fit the model id pattern: ${badIds.join(', ')}`);
  for (const [key, n] of [...unknownKeys].sort()) notes.push(`unknown pricing key "${key}" on ${n} models, not read`);
  notes.push('a price of "0" is recorded as free: the API states it explicitly (":free" models; no separate request, image, web search or reasoning charge)');
  const result: ParseResult = { provider: 'openrouter', coverage: coverage.build(), observations, models, notes };
  return result;
}

function isPositiveInt(v: unknown): v is number {
  // Safe integers only: 1e20 would pass Number.isInteger and then fail the model's schema.
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

const scraper: Scraper = {
  id: 'openrouter',
  name: 'OpenRouter',
  homepage: 'https://openrouter.ai',
  // A machine API: its instants carry their zone; UTC for anything bare.
  pages: [{ url: API_URL, currency: 'USD', zone: 'UTC' }],
  kind: 'static',
  parse: parseOpenRouter,
  // The catalogue lists hundreds of models with at least prompt and completion prices each.
  minRows: 500,
  changeThreshold: 0.5,
  flappy: true,
};

export default scraper;
