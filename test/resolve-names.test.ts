// Raw model names as APIs return them resolve to the right model: over a thousand real strings —
// genai-prices' own match values and model ids (right = the model resolved is the one genai-prices'
// rules price the name as), and models.dev's Bedrock / Vertex / Azure model ids (right = the host's
// own model with provider=, the upstream model it names otherwise) — at ≥ 98%, every miss answered
// with suggestions. Then the HTTP route: rule, 404 problem with suggestions, raw names in /v1/prices.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveName, suggest, type ResolveIndex } from '../src/resolve/resolve.ts';
import { catalogModelId } from '../src/catalog/contract.ts';
import { SCRAPERS_DIR } from '../src/scrape/fixtures.ts';
import { ProviderDataset } from '../src/model.ts';
import { genaiPricesProvider } from '../scrapers/genai-prices/mapping.ts';
import { modelsDevProvider } from '../scrapers/models-dev/mapping.ts';
import { scrapers } from '../scrapers/registry.ts';
import { DATA_DIR } from './helpers/cli.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

type Rule = Record<string, unknown>;
const matches = (rule: unknown, name: string): boolean => {
  const r = rule as Rule;
  if (!r || typeof r !== 'object') return false;
  if (Array.isArray(r.or)) return r.or.some((x) => matches(x, name));
  if (Array.isArray(r.and)) return r.and.every((x) => matches(x, name));
  if (typeof r.equals === 'string') return name === r.equals.toLowerCase();
  if (typeof r.starts_with === 'string') return name.startsWith(r.starts_with.toLowerCase());
  if (typeof r.ends_with === 'string') return name.endsWith(r.ends_with.toLowerCase());
  if (typeof r.contains === 'string') return name.includes(r.contains.toLowerCase());
  if (typeof r.regex === 'string') return new RegExp(r.regex, 'i').test(name);
  return false;
};

function readJson(dir: string) {
  return JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!), 'utf8'));
}
const genai = readJson(join(SCRAPERS_DIR, 'genai-prices', 'names')) as { providers: Array<{ id: string; models: Array<{ id: string; match: unknown; equals: string[]; startsWith: string[] }> }> };
const hosted = readJson(join(SCRAPERS_DIR, 'models-dev', 'names')) as { names: Array<{ provider: string; name: string; baseModel: string }> };

/** The resolver's index straight from data/ (what a fresh database holds after import). */
function indexFromData(): ResolveIndex {
  const models: string[] = [];
  const aliases: ResolveIndex['aliases'] = [];
  const priced = new Set<string>();
  for (const f of readdirSync(DATA_DIR).filter((n) => n.endsWith('.json'))) {
    const d = ProviderDataset.parse(JSON.parse(readFileSync(join(DATA_DIR, f), 'utf8')));
    for (const m of d.models) {
      models.push(m.id);
      for (const a of m.aliases ?? []) aliases.push({ alias: a.alias, model: m.id, validFrom: a.validFrom ? Date.parse(a.validFrom) : null, validTo: a.validTo ? Date.parse(a.validTo) : null });
    }
    for (const x of d.facts) priced.add(x.model);
  }
  return { models: models.sort(), aliases, priced, official: new Set(scrapers.map((s) => s.id)) };
}

interface Case {
  name: string;
  provider?: string;
  right: (model: string) => boolean;
}

function cases(index: ResolveIndex): Case[] {
  const known = new Set(index.models);
  const out: Case[] = [];
  const seen = new Set<string>();
  for (const p of genai.providers) {
    const tt = genaiPricesProvider(p.id);
    if (!index.models.some((m) => m.startsWith(`${tt}/`))) continue;
    const priceOf = (name: string) => p.models.find((m) => matches(m.match, name.toLowerCase()))?.id ?? null;
    for (const m of p.models) {
      for (const name of [m.id, ...m.equals, ...m.startsWith]) {
        const key = `${tt}\u0000${name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const want = priceOf(name) ?? m.id;
        out.push({
          name,
          provider: tt,
          right: (got) => got.startsWith(`${tt}/`) && (got === catalogModelId(tt, want) || priceOf(got.slice(tt.length + 1)) === want),
        });
      }
    }
  }
  for (const h of hosted.names) {
    const host = modelsDevProvider(h.provider);
    const own = catalogModelId(host, h.name);
    const [bp, ...rest] = h.baseModel.split('/');
    const upstream = catalogModelId(modelsDevProvider(bp), rest.join('/'));
    if (known.has(own)) out.push({ name: h.name, provider: host, right: (got) => got === own });
    if (known.has(upstream)) out.push({ name: h.name, right: (got) => got === upstream || got === own });
  }
  return out;
}

describe('resolving real model names', () => {
  const index = indexFromData();
  const all = cases(index);
  const at = Date.parse('2026-08-01T00:00:00Z');

  it('has at least 200 real names to resolve', () => {
    expect(all.length).toBeGreaterThanOrEqual(200);
  });

  it('resolves at least 98% of them to the right model; every miss gets suggestions', () => {
    const misses: string[] = [];
    for (const c of all) {
      const r = resolveName(index, c.name, { provider: c.provider, at });
      if ('model' in r && c.right(r.model)) continue;
      misses.push(`${c.provider ?? '-'} ${c.name} → ${'model' in r ? `${r.model} (${r.rule})` : `none: ${r.suggestions.join(', ')}`}`);
      if (!('model' in r)) expect(r.suggestions.length).toBeGreaterThan(0);
    }
    const rate = 1 - misses.length / all.length;
    console.info(`resolved ${all.length - misses.length} of ${all.length} real names right (${(rate * 100).toFixed(1)}%); misses:\n${misses.join('\n')}`);
    expect(rate, `${misses.length} of ${all.length} wrong:\n${misses.slice(0, 30).join('\n')}`).toBeGreaterThanOrEqual(0.98);
  });

  it('names the rule that matched', () => {
    const rule = (name: string, provider?: string) => {
      const r = resolveName(index, name, { provider, at });
      return 'model' in r ? [r.model, r.rule] : null;
    };
    expect(rule('models/gemini-2.5-pro')).toEqual(['google/gemini-2.5-pro', 'wrapper']);
    // A Bedrock id is Bedrock's model; asked under the maker, the maker's model it serves.
    expect(rule('anthropic.claude-3-5-sonnet-20240620-v1:0')?.[0]).toBe('amazon-bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(rule('anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic')).toEqual(['anthropic/claude-3-5-sonnet-20240620', 'wrapper']);
    expect(rule('Claude_3.5 Sonnet')).toEqual(['anthropic/claude-3-5-sonnet', 'normalised']);
  });

  // Real catalog ids that were models of their own before the identity rules (src/catalog/identity.ts)
  // and are now aliases of one model: each resolves to it by the alias rule.
  it('collapsed catalog ids resolve to their model by rule alias', () => {
    const collapsed: Array<[string, string]> = [
      ['anthropic/claude-opus-4-6-20260205', 'anthropic/claude-opus-4-6'], // snapshot (LiteLLM)
      ['claude-opus-4-6-20260205', 'anthropic/claude-opus-4-6'],
      ['anthropic/fast/claude-opus-4-6', 'anthropic/claude-opus-4-6'], // variant fast-mode
      ['anthropic/fast/us/claude-opus-4-6', 'anthropic/claude-opus-4-6'], // variant fast-mode-us-only
      ['anthropic/us/claude-sonnet-4-6', 'anthropic/claude-sonnet-4-6'], // variant us-only
      ['anthropic/claude-3.5-sonnet', 'anthropic/claude-3-5-sonnet'], // separator (llm-prices)
      ['anthropic/claude-4-opus-20250514', 'anthropic/claude-opus-4'], // LiteLLM's order + snapshot
      ['anthropic/claude-opus-4-0', 'anthropic/claude-opus-4'], // Anthropic's -0 alias (genai-prices)
      ['anthropic/claude-3-5-haiku-latest', 'anthropic/claude-3-5-haiku'], // latest
      ['anthropic/claude-sonnet-4.5-200k', 'anthropic/claude-sonnet-4-5'], // context tier (llm-prices)
      ['openai/gpt-4o-mini-2024-07-18', 'openai/gpt-4o-mini'],
      ['gpt-5-2025-08-07', 'openai/gpt-5'],
      ['azure/eu/gpt-5.1', 'azure/gpt-5.1'], // variant data-zone-eu
      ['google/gemini-2.5-pro-200k', 'google/gemini-2.5-pro'],
      ['xai/grok-4-latest', 'xai/grok-4'],
    ];
    for (const [name, model] of collapsed) {
      const r = resolveName(index, name, { at });
      expect(r, name).toMatchObject({ model, rule: 'alias' });
      expect(index.models, name).not.toContain(name.includes('/') ? name : model.replace(/\/.*/, `/${name}`));
    }
  });

  it('an unknown name gets up to five suggestions by token overlap and edit distance', () => {
    const r = resolveName(index, 'claude-sonet-4-5-2025092', { at });
    if ('model' in r) expect(r.model.startsWith('anthropic/claude-sonnet-4')).toBe(true);
    const s = suggest(index, 'gpt-4o-mini-2024-07-1x');
    expect(s.length).toBe(5);
    expect(s.some((x) => x.includes('gpt-4o-mini'))).toBe(true);
    const none = resolveName(index, 'totally-unknown-thing-xyz', { at });
    expect('suggestions' in none && none.suggestions.length).toBe(5);
  });
});

describe('GET /v1/models/resolve', () => {
  let s: SeededServer;
  beforeAll(async () => {
    s = await startSeededServer();
  });
  afterAll(async () => s?.close());

  it('answers the model and the rule', async () => {
    const r = await request(s.url, '/v1/models/resolve?name=models/gemini-2.5-pro');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ model: 'google/gemini-2.5-pro', provider: 'google', rule: 'wrapper' });
  });

  it('an unknown name is a 404 problem with up to five suggestions', async () => {
    const r = await request(s.url, '/v1/models/resolve?name=zzq-unknown-model-42x');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body.suggestions.length).toBeGreaterThan(0);
    expect(r.body.suggestions.length).toBeLessThanOrEqual(5);
  });

  it('/v1/prices takes a raw name as APIs return it', async () => {
    const r = await request(s.url, '/v1/prices?model=claude-3-5-sonnet-v2@20241022&at=2026-08-01T00:00:00Z');
    expect(r.status).toBe(200);
    expect(r.body.model).toBe('anthropic/claude-3-5-sonnet-20241022');
    expect(r.body.requested).toBe('claude-3-5-sonnet-v2@20241022');
  });

  it('/v1/prices for a catalog id collapsed into a model answers that model', async () => {
    const r = await request(s.url, '/v1/prices?model=anthropic/claude-opus-4-6-20260205&at=2026-08-01T00:00:00Z');
    expect(r.status).toBe(200);
    expect(r.body.model).toBe('anthropic/claude-opus-4-6');
    expect(r.body.prices.some((p: { conditions: { variant?: string } }) => p.conditions.variant === 'fast-mode')).toBe(true);
  });

  it('GET /v1/disagreements lists values with their sources', async () => {
    const r = await request(s.url, '/v1/disagreements?provider=deepseek&since=2026-08-01T00:00:00Z');
    expect(r.status).toBe(200);
    for (const x of r.body.data) {
      expect(x.values.length).toBeGreaterThanOrEqual(2);
      for (const v of x.values) expect(v.sources.length).toBeGreaterThan(0);
    }
  });
});
