// LiteLLM (https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json,
// repo BerriAI/litellm, MIT): one object keyed by LiteLLM's model name (`gpt-4o`,
// `gemini/gemini-2.5-pro`, `bedrock/us-east-1/anthropic.claude-…`), each entry naming its
// `litellm_provider`, its `mode` and prices in USD per token, written as JSON numbers (`3e-06`).
// Read: the token prices of chat / completion / responses entries, converted to per 1M tokens from
// the number's own text (exactAmount, never a float):
//   input_cost_per_token, output_cost_per_token, cache_read_input_token_cost,
//   cache_creation_input_token_cost (the 5-minute write where the provider prices per TTL, see
//   src/catalog/align.ts) and cache_creation_input_token_cost_above_1hr (cacheTtl 1h),
//   output_cost_per_reasoning_token, and the audio-token prices;
//   each optionally tiered `_above_<N>k_tokens` (contextAbove N × 1000 input tokens) and/or for a
//   service tier `_priority` / `_flex` / `_batches`.
// Entries of other modes (images, audio, video, embeddings, search, …) are priced per image,
// second, character or query, or are not generation: an unread section each, out of scope. A
// price of 0 is not read (LiteLLM writes 0 for free and for not known alike).
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, Observation, ObservedModel, ParseResult, Provider, UnreadSection } from '../../src/model.ts';
import { ModelId } from '../../src/model.ts';
import type { ParseContext } from '../../src/scrape/contract.ts';
import { catalogModelId, type Catalog, type CatalogParse, type CatalogProviderResult } from '../../src/catalog/contract.ts';
import { ExactNumber, exactAmount, exactInt, isNegative, parseCatalogJson, isObj } from '../../src/catalog/exact.ts';
import { isZero, perTokenToPerMillion } from '../_kit/money.ts';
import { LITELLM_VARIANT_PREFIXES, litellmModelName, litellmProvider, litellmSliceProvider } from './mapping.ts';

export const LITELLM_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';
export const LITELLM_PATH = 'model_prices_and_context_window.json';

/** Per-token price keys (before any tier or service-tier suffix) → component and conditions. */
const BASES: Record<string, { component: string; conditions: Conditions }> = {
  input_cost_per_token: { component: 'input', conditions: {} },
  output_cost_per_token: { component: 'output', conditions: {} },
  cache_read_input_token_cost: { component: 'cache_read', conditions: {} },
  cache_creation_input_token_cost: { component: 'cache_write', conditions: {} },
  cache_creation_input_token_cost_above_1hr: { component: 'cache_write', conditions: { cacheTtl: '1h' } },
  output_cost_per_reasoning_token: { component: 'internal_reasoning', conditions: {} },
  input_cost_per_audio_token: { component: 'input_audio', conditions: {} },
  output_cost_per_audio_token: { component: 'output_audio', conditions: {} },
  cache_read_input_audio_token_cost: { component: 'cache_read_audio', conditions: {} },
};
const SERVICE_TIERS: Record<string, Conditions['serviceTier']> = { priority: 'priority', flex: 'flex', batches: 'batch' };
// Longest base first, so `cache_creation_input_token_cost_above_1hr` is never read as a tier.
const PRICE_KEY = new RegExp(
  `^(${Object.keys(BASES)
    .sort((a, b) => b.length - a.length)
    .join('|')})(?:_above_(\\d+)k_tokens)?(?:_(${Object.keys(SERVICE_TIERS).join('|')}))?$`,
);

/** A LiteLLM entry key → component and conditions, or null when it is not a per-token price we read. */
export function litellmPriceKey(key: string): { component: string; conditions: Conditions } | null {
  const m = PRICE_KEY.exec(key);
  if (!m) return null;
  const base = BASES[m[1]];
  const conditions: Conditions = { ...base.conditions };
  if (m[2]) conditions.contextAbove = Number(m[2]) * 1000;
  if (m[3]) conditions.serviceTier = SERVICE_TIERS[m[3]];
  return { component: base.component, conditions };
}

/** Modes priced per token that we read; every other mode is out of scope (why, per mode). */
const READ_MODES = new Set(['chat', 'completion', 'responses']);
const NOT_GENERATION = new Set(['embedding', 'rerank', 'moderation', 'vector_store']);
const outOfScope = (mode: string) =>
  NOT_GENERATION.has(mode)
    ? `LiteLLM mode "${mode}": not a generation model, out of scope`
    : `LiteLLM mode "${mode}": priced per image, second, character, page or query (or per session), not per text token — out of scope`;
/** Keys that state no price: metadata we do not need, or structure. */
const looksLikePrice = (k: string) => /cost|price/.test(k);
/** The per-token prices of an entry we read, as text, to tell two keys of one model apart. */
const priceFields = (e: Record<string, unknown>) =>
  JSON.stringify(
    Object.entries(e)
      .filter(([k, v]) => litellmPriceKey(k) && v instanceof ExactNumber && !isZero(exactAmount(v, k)))
      .map(([k, v]) => [k, exactAmount(v, k)])
      .sort(),
  );

interface Slice {
  catalogProvider: string;
  observations: Observation[];
  models: Map<string, ObservedModel>;
  /** model id → the key it was read from (one key per model; the others become aliases). */
  readFrom: Map<string, string>;
  unread: Map<string, UnreadSection>;
}

export function parseLitellm(text: string, _ctx?: ParseContext): CatalogParse {
  const body = parseCatalogJson(text, 'litellm');
  if (!isObj(body)) throw new LayoutChangedError('litellm: expected an object of models');
  const notes: string[] = [];
  const slices = new Map<string, Slice>();
  const unknownKeys = new Map<string, number>();
  let zeros = 0;
  let skippedKeys = 0;
  // Of two keys that name one model, the provider-prefixed one is read (`deepseek/deepseek-chat`
  // over `deepseek-chat`), as LiteLLM looks up `<provider>/<model>` first; then key order.
  const entries = Object.entries(body).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const keyed = entries.map(([key, e]) => ({ key, e, prefixed: isObj(e) && typeof e.litellm_provider === 'string' ? litellmModelName(key, e.litellm_provider).prefix !== null : false }));
  keyed.sort((a, b) => Number(b.prefixed) - Number(a.prefixed));
  for (const { key, e } of keyed) {
    if (key === 'sample_spec') continue; // the file's own schema example
    if (!isObj(e) || typeof e.litellm_provider !== 'string' || !e.litellm_provider.trim()) {
      skippedKeys++; // `last_updated`, `fallback_generalizations`: not models
      continue;
    }
    const lp = e.litellm_provider;
    const tt = litellmProvider(lp);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(tt)) {
      notes.push(`skipped ${key}: provider "${lp}" is not a provider id`);
      continue;
    }
    const { name } = litellmModelName(key, lp);
    const id = catalogModelId(tt, name);
    if (!ModelId.safeParse(id).success) {
      notes.push(`skipped ${key}: not a model id`);
      continue;
    }
    let s = slices.get(tt);
    if (!s) slices.set(tt, (s = { catalogProvider: litellmSliceProvider(lp), observations: [], models: new Map(), readFrom: new Map(), unread: new Map() }));
    const mode = typeof e.mode === 'string' ? e.mode : 'chat';
    if (!READ_MODES.has(mode)) {
      const section = `mode ${mode}`;
      const u = s.unread.get(section) ?? { section, reason: outOfScope(mode), scope: [] };
      if (!u.scope!.some((x) => x.model === id)) u.scope!.push({ model: id });
      s.unread.set(section, u);
      continue;
    }
    const alias = catalogModelId(tt, key);
    const prior = s.readFrom.get(id);
    if (prior !== undefined) {
      // A second key for a model already read: an alias of it; its prices are the first key's.
      const m = s.models.get(id)!;
      if (alias !== id && ModelId.safeParse(alias).success && !m.aliases?.some((a) => a.alias === alias)) (m.aliases ??= []).push({ alias, note: 'LiteLLM model key' });
      const differ = priceFields(e) !== priceFields(body[prior] as Record<string, unknown>);
      notes.push(`${key}: same model as ${prior} (${id}); prices read from ${prior}${differ ? ` — ${key} states other prices, not read` : ''}`);
      continue;
    }
    s.readFrom.set(id, key);
    const model: ObservedModel = { id, name: key };
    const ctxw = exactInt(e.max_input_tokens);
    const maxOut = exactInt(e.max_output_tokens);
    if (ctxw) model.contextWindow = ctxw;
    if (maxOut) model.maxOutput = maxOut;
    if (alias !== id && ModelId.safeParse(alias).success) model.aliases = [{ alias, note: 'LiteLLM model key' }];
    s.models.set(id, model);
    for (const [k, v] of Object.entries(e)) {
      const spec = litellmPriceKey(k);
      if (!spec) {
        if (looksLikePrice(k)) unknownKeys.set(k, (unknownKeys.get(k) ?? 0) + 1);
        continue;
      }
      if (v === null) continue;
      // One malformed figure leaves that component of this model unknown (unread), not the file.
      if (!(v instanceof ExactNumber) || isNegative(v)) {
        const section = `${key}.${k}`;
        s.unread.set(section, { section, reason: `not a price: ${JSON.stringify(v instanceof ExactNumber ? v.text : v)}`, scope: [{ model: id, component: spec.component, conditions: spec.conditions }] });
        continue;
      }
      const amount = perTokenToPerMillion(exactAmount(v, `${key}.${k}`));
      if (isZero(amount)) {
        zeros++;
        continue;
      }
      s.observations.push({ model: id, component: spec.component, currency: 'USD', unit: '1M tokens', conditions: spec.conditions, amount, kind: 'list' });
    }
  }
  // A provider that lists only out-of-scope entries (image, audio, search APIs) gives no slice.
  const outOnly = [...slices.entries()].filter(([, s]) => s.models.size === 0).map(([tt]) => tt);
  if (outOnly.length) notes.push(`${outOnly.length} providers list only out-of-scope entries, no slice: ${outOnly.sort().join(', ')}`);
  const providers: CatalogProviderResult[] = [...slices.entries()]
    .filter(([, s]) => s.models.size > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tt, s]) => {
      const models = [...s.models.values()].sort((a, b) => a.id.localeCompare(b.id));
      const provider: Provider = { id: tt, name: s.catalogProvider, url: `https://docs.litellm.ai/docs/providers/${encodeURIComponent(s.catalogProvider)}` };
      const result: ParseResult = {
        provider: tt,
        coverage: { read: models.map((m) => ({ model: m.id })), unread: [...s.unread.values()].sort((a, b) => a.section.localeCompare(b.section)) },
        observations: s.observations.sort((a, b) => a.model.localeCompare(b.model) || a.component.localeCompare(b.component) || JSON.stringify(a.conditions).localeCompare(JSON.stringify(b.conditions))),
        models,
      };
      return { catalogProvider: s.catalogProvider, provider, result };
    });
  if (skippedKeys) notes.push(`${skippedKeys} top-level keys without litellm_provider not read (not models)`);
  if (zeros) notes.push(`${zeros} prices of 0 not read (LiteLLM writes 0 for free and for unknown alike)`);
  for (const [k, n] of [...unknownKeys].sort()) notes.push(`price key "${k}" on ${n} entries not read`);
  return { catalog: 'litellm', providers, notes };
}

const catalog: Catalog = {
  id: 'litellm',
  name: 'LiteLLM model prices',
  homepage: 'https://github.com/BerriAI/litellm',
  urls: [LITELLM_URL],
  repo: 'BerriAI/litellm',
  licence: 'MIT',
  parse: parseLitellm,
  minRows: 2000,
  identity: { variantPrefixes: LITELLM_VARIANT_PREFIXES },
  history: {
    paths: [LITELLM_PATH],
    files: (read) => {
      const text = read.show(LITELLM_PATH);
      return text === null ? [] : [{ url: LITELLM_URL, path: LITELLM_PATH, text }];
    },
  },
};

export default catalog;
