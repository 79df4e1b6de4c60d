// LiteLLM's model_prices_and_context_window.json, on a real slice of the published file (as the
// public hourly archive RoCry/llm-api-price kept it; commit and path in .meta.json): per-token
// prices become exact per-1M amounts from the number's own text, `_above_<N>k_tokens` keys are
// context tiers, 1-hour cache writes their own TTL, non-token entries unread with a reason; the
// provider table round-trips and LiteLLM's model keys resolve to the model they were read as.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignWithProviderLines } from '../src/catalog/align.ts';
import { catalogFixtureOutcome, catalogFixtures } from '../src/catalog/fixtures.ts';
import { LayoutChangedError } from '../src/errors.ts';
import { ProviderId, type Observation } from '../src/model.ts';
import { resolveName, type ResolveIndex } from '../src/resolve/resolve.ts';
import { getCatalog } from '../scrapers/catalogs.ts';
import { litellmPriceKey, parseLitellm } from '../scrapers/litellm/index.ts';
import { LITELLM_PROVIDERS, LITELLM_SAME_PROVIDER, litellmModelName, litellmProvider, litellmSliceProvider } from '../scrapers/litellm/mapping.ts';

const catalog = getCatalog('litellm');
const [fixture] = catalogFixtures(catalog);
const parsed = catalogFixtureOutcome(catalog, fixture);
const slice = (id: string) => parsed.providers.find((p) => p.provider.id === id)!;
const obs = (model: string): Observation[] => parsed.providers.flatMap((p) => p.result.observations).filter((o) => o.model === model);
const at = (model: string, component: string, conditions: object = {}) =>
  obs(model).find((o) => o.component === component && JSON.stringify(Object.entries(o.conditions).sort()) === JSON.stringify(Object.entries(conditions).sort()))?.amount;

describe('litellm fixture', () => {
  it('is a slice of the published file, cited with the archive commit it was read at', () => {
    expect(fixture.meta).toMatchObject({ repo: 'BerriAI/litellm', archive: 'RoCry/llm-api-price', paths: ['model_prices_and_context_window.json'], url: catalog.urls[0] });
    expect(readFileSync(fixture.inputFile, 'utf8')).toContain('"input_cost_per_token": 1.25e-05');
  });
});

describe('what LiteLLM says, exactly', () => {
  it('scientific notation becomes exact per-1M decimals (1.25e-05 → 12.5, 5.46875e-07 → 0.546875, 2.8e-09 → 0.0028)', () => {
    expect(at('amazon-bedrock/ai21.j2-mid-v1', 'input')).toBe('12.5');
    expect(at('amazon-bedrock/amazon.nova-2-pro-preview-20251202-v1:0', 'cache_read')).toBe('0.546875');
    expect(at('amazon-bedrock/amazon.nova-2-pro-preview-20251202-v1:0', 'input')).toBe('2.1875');
    expect(at('deepseek/deepseek-v4-flash', 'cache_read')).toBe('0.0028');
    expect(at('deepseek/deepseek-v4-pro', 'cache_read')).toBe('0.003625');
    for (const p of parsed.providers) for (const o of p.result.observations) expect(o).toMatchObject({ currency: 'USD', unit: '1M tokens', kind: 'list' });
  });

  it('a tiered model: _above_200k_tokens keys are contextAbove 200000 rows, the 1-hour write its own TTL (Claude Sonnet 4.5)', () => {
    const m = 'anthropic/claude-sonnet-4-5';
    expect([at(m, 'input'), at(m, 'output'), at(m, 'cache_read'), at(m, 'cache_write')]).toEqual(['3', '15', '0.3', '3.75']);
    expect([at(m, 'input', { contextAbove: 200000 }), at(m, 'output', { contextAbove: 200000 }), at(m, 'cache_read', { contextAbove: 200000 }), at(m, 'cache_write', { contextAbove: 200000 })]).toEqual(['6', '22.5', '0.6', '7.5']);
    expect(at(m, 'cache_write', { cacheTtl: '1h' })).toBe('6');
    expect(at(m, 'cache_write', { cacheTtl: '1h', contextAbove: 200000 })).toBe('12');
  });

  it("a cache-write model: the unconditioned write is Anthropic's 5-minute line once aligned, as for the other catalogs", () => {
    const aligned = alignWithProviderLines('anthropic', slice('anthropic').result).observations.filter((o) => o.model === 'anthropic/claude-opus-4-6' && o.component === 'cache_write');
    expect(aligned.map((o) => [o.conditions.cacheTtl, o.amount]).sort()).toEqual([
      ['1h', '10'],
      ['5m', '6.25'],
    ]);
  });

  it('service tiers and a 272K tier (GPT-5.4): _priority, _flex, _batches and _above_272k_tokens', () => {
    const m = 'openai/gpt-5.4';
    expect(at(m, 'input', { contextAbove: 272000 })).toBe('5');
    expect(at(m, 'input', { serviceTier: 'priority' })).toBe('5');
    expect(at(m, 'input', { serviceTier: 'flex' })).toBe('1.25');
    expect(at(m, 'input', { serviceTier: 'batch' })).toBe('1.25');
    expect(at(m, 'cache_read', { serviceTier: 'flex' })).toBe('0.13');
    expect(at('google/gemini-2.5-pro', 'output', { contextAbove: 200000, serviceTier: 'priority' })).toBe('15');
    expect(at('google/gemini-2.5-flash-lite', 'internal_reasoning')).toBe('0.4');
  });

  it('non-token entries are unread with a reason, not errors; a provider with only those gives no slice', () => {
    const openai = slice('openai').result;
    expect(openai.coverage!.unread.map((u) => [u.section, u.scope])).toEqual([
      ['mode embedding', [{ model: 'openai/text-embedding-3-small' }]],
      ['mode image_generation', [{ model: 'openai/1024-x-1024/dall-e-2' }]],
    ]);
    expect(openai.coverage!.unread[1].reason).toMatch(/not per text token/);
    expect(openai.models!.map((m) => m.id)).not.toContain('openai/text-embedding-3-small');
    expect(obs('openai/text-embedding-3-small')).toEqual([]);
    expect(parsed.providers.map((p) => p.provider.id)).not.toContain('aiml');
    expect(parsed.notes).toContain('1 providers list only out-of-scope entries, no slice: aiml');
  });

  it("two keys of one model: the provider-prefixed key is read (LiteLLM's own lookup order), the key is an alias", () => {
    const ds = slice('deepseek').result.models!.find((m) => m.id === 'deepseek/deepseek-chat')!;
    expect(ds.name).toBe('deepseek/deepseek-chat');
    expect(ds.aliases).toEqual([{ alias: 'deepseek/deepseek/deepseek-chat', note: 'LiteLLM model key' }]);
    expect(obs('deepseek/deepseek-chat').filter((o) => o.component === 'input').map((o) => o.amount)).toEqual(['0.28']);
    expect(parsed.notes).toContain('deepseek-chat: same model as deepseek/deepseek-chat (deepseek/deepseek-chat); prices read from deepseek/deepseek-chat');
  });

  it('the price-key grammar: what it reads and what it leaves', () => {
    expect(litellmPriceKey('cache_creation_input_token_cost_above_1hr_above_200k_tokens')).toEqual({ component: 'cache_write', conditions: { cacheTtl: '1h', contextAbove: 200000 } });
    expect(litellmPriceKey('cache_read_input_token_cost_above_272k_tokens_priority')).toEqual({ component: 'cache_read', conditions: { contextAbove: 272000, serviceTier: 'priority' } });
    expect(litellmPriceKey('output_cost_per_reasoning_token')).toEqual({ component: 'internal_reasoning', conditions: {} });
    for (const k of ['input_cost_per_second', 'output_cost_per_image', 'input_cost_per_token_cache_hit', 'search_context_cost_per_query', 'input_dbu_cost_per_token']) expect(litellmPriceKey(k)).toBeNull();
  });

  it('a malformed figure leaves that component of that model unread; a cut-off file is a layout change', () => {
    const text = JSON.stringify({ 'm-1': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 'n/a', output_cost_per_token: 1e-6 } });
    const p = parseLitellm(text).providers[0].result;
    expect(p.observations.map((o) => [o.component, o.amount])).toEqual([['output', '1']]);
    expect(p.coverage!.unread).toEqual([{ section: 'm-1.input_cost_per_token', reason: 'not a price: "n/a"', scope: [{ model: 'openai/m-1', component: 'input', conditions: {} }] }]);
    const full = readFileSync(fixture.inputFile, 'utf8');
    expect(() => parseLitellm(full.slice(0, full.length >> 1))).toThrow(LayoutChangedError);
  });
});

describe('litellm provider table', () => {
  it('maps every listed id to a valid provider id, one to one, and inverts', () => {
    const inverse = new Map<string, string>();
    for (const [from, to] of Object.entries(LITELLM_PROVIDERS)) {
      expect(ProviderId.safeParse(to).success, to).toBe(true);
      expect(litellmProvider(from)).toBe(to);
      expect(inverse.has(to), `${from} and ${inverse.get(to)} both map to ${to}`).toBe(false);
      inverse.set(to, from);
    }
    for (const [to, from] of inverse) expect(litellmProvider(from)).toBe(to);
  });

  it('an id of the same provider reads as that provider’s slice; no chains', () => {
    for (const [from, base] of Object.entries(LITELLM_SAME_PROVIDER)) {
      expect(litellmSliceProvider(from)).toBe(base);
      expect(LITELLM_SAME_PROVIDER[base]).toBeUndefined();
      expect(litellmProvider(from)).toBe(litellmProvider(base));
    }
    expect(litellmProvider('bedrock_converse')).toBe('amazon-bedrock');
    for (const v of ['vertex_ai-language-models', 'vertex_ai-chat-models', 'vertex_ai-mistral_models', 'vertex_ai-zai_models']) expect(litellmProvider(v)).toBe('google-vertex');
    expect(litellmProvider('vertex_ai-anthropic_models')).toBe('google-vertex-anthropic');
    expect(litellmProvider('lambda_ai')).toBe('lambda-ai');
  });

  it('the fixture’s slices are named by the table', () => {
    for (const p of parsed.providers) expect(p.provider.id).toBe(litellmProvider(p.catalogProvider));
  });

  it('key prefixes that name the provider are routing, the rest of the key is the model name', () => {
    expect(litellmModelName('gemini/gemini-2.5-pro', 'gemini')).toEqual({ name: 'gemini-2.5-pro', prefix: 'gemini' });
    expect(litellmModelName('vertex_ai/claude-opus-4-6', 'vertex_ai-anthropic_models')).toEqual({ name: 'claude-opus-4-6', prefix: 'vertex_ai' });
    expect(litellmModelName('vertex_ai/gemini-2.5-pro', 'vertex_ai-language-models')).toEqual({ name: 'gemini-2.5-pro', prefix: 'vertex_ai' });
    expect(litellmModelName('bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0', 'bedrock')).toEqual({ name: 'us-east-1/anthropic.claude-3-haiku-20240307-v1:0', prefix: 'bedrock' });
    expect(litellmModelName('openrouter/anthropic/claude-3.5-sonnet', 'openrouter')).toEqual({ name: 'anthropic/claude-3.5-sonnet', prefix: 'openrouter' });
    expect(litellmModelName('azure/gpt-4o', 'azure_text')).toEqual({ name: 'gpt-4o', prefix: 'azure' });
    expect(litellmModelName('1024-x-1024/dall-e-2', 'openai')).toEqual({ name: '1024-x-1024/dall-e-2', prefix: null });
    expect(litellmModelName('fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct', 'fireworks_ai')).toEqual({ name: 'accounts/fireworks/models/llama-v3p1-8b-instruct', prefix: 'fireworks_ai' });
  });
});

describe("LiteLLM's model keys as names", () => {
  const models = parsed.providers.flatMap((p) => p.result.models!);
  const index: ResolveIndex = {
    models: models.map((m) => m.id).sort(),
    aliases: models.flatMap((m) => (m.aliases ?? []).map((a) => ({ alias: a.alias, model: m.id, validFrom: null, validTo: null }))),
  };
  it('every key read resolves to the model it was read as, with its provider and without', () => {
    const keys = Object.keys(JSON.parse(readFileSync(fixture.inputFile, 'utf8')) as object);
    let n = 0;
    for (const p of parsed.providers)
      for (const m of p.result.models!)
        for (const key of [m.name, ...(m.aliases ?? []).map((a) => a.alias.slice(p.provider.id.length + 1))]) {
          if (!keys.some((k) => k.toLowerCase() === key)) continue;
          n++;
          const r = resolveName(index, key, { provider: p.provider.id, at: Date.parse(fixture.meta.date) });
          expect('model' in r ? r.model : r, `${key} with provider=${p.provider.id}`).toBe(m.id);
        }
    expect(n).toBeGreaterThanOrEqual(20);
    for (const [name, model] of [
      ['gemini/gemini-2.5-pro', 'google/gemini-2.5-pro'],
      ['deepseek/deepseek-chat', 'deepseek/deepseek-chat'],
      ['xai/grok-4', 'xai/grok-4'],
    ]) {
      const r = resolveName(index, name, { at: Date.parse(fixture.meta.date) });
      expect('model' in r ? r.model : r, name).toBe(model);
    }
  });
});
