// models.dev (https://models.dev/api.json, repo anomalyco/models.dev, MIT): per provider a
// `models` map whose `cost` block gives USD per 1M tokens (input, output, cache_read, cache_write,
// reasoning, input_audio, output_audio), context tiers (`cost.tiers[].tier.size`) and a fast mode
// (`experimental.modes.fast.cost`). The same data lives in the repo as a TOML tree
// (`providers/<id>/provider.toml`, `providers/<id>/models/**/<model>.toml`); `treeToApiJson` builds
// the api.json shape from it, so history is read by the same parse.
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, Observation, ObservedModel, ParseResult, Provider } from '../../src/model.ts';
import { ModelId } from '../../src/model.ts';
import type { ParseContext } from '../../src/scrape/contract.ts';
import { catalogModelId, type Catalog, type CatalogParse, type CatalogProviderResult } from '../../src/catalog/contract.ts';
import { exactAmount, exactInt, isNegative, parseCatalogJson, isObj, type CatalogObject, parseToml, stringifyJsonExact } from '../../src/catalog/exact.ts';
import { isZero } from '../_kit/money.ts';
import { modelsDevProvider } from './mapping.ts';

export const MODELS_DEV_URL = 'https://models.dev/api.json';

/** cost key → component (per 1M tokens, USD). */
const COST_KEYS: Record<string, string> = {
  input: 'input',
  output: 'output',
  cache_read: 'cache_read',
  cache_write: 'cache_write',
  reasoning: 'internal_reasoning',
  input_audio: 'input_audio',
  output_audio: 'output_audio',
};
/** Keys of a cost block that are structure, not prices. */
const COST_STRUCTURE = new Set(['tiers', 'context_over_200k', 'tier']);

type Obj = CatalogObject;

export function parseModelsDev(text: string, _ctx?: ParseContext): CatalogParse {
  const body = parseCatalogJson(text, 'models.dev');
  if (!isObj(body)) throw new LayoutChangedError('models.dev: expected an object of providers');
  const notes: string[] = [];
  const byProvider = new Map<string, CatalogProviderResult>();
  let zeros = 0;
  const unknownKeys = new Map<string, number>();
  for (const [pid, p] of Object.entries(body).sort(([a], [b]) => a.localeCompare(b))) {
    if (!isObj(p) || !isObj(p.models)) throw new LayoutChangedError(`models.dev: provider ${pid} has no "models" object`);
    const tt = modelsDevProvider(pid);
    const observations: Observation[] = [];
    const models: ObservedModel[] = [];
    const upstream: Record<string, string> = {};
    for (const [mid, m] of Object.entries(p.models).sort(([a], [b]) => a.localeCompare(b))) {
      if (!isObj(m)) throw new LayoutChangedError(`models.dev: ${pid}/${mid} is not an object`);
      const id = catalogModelId(tt, typeof m.id === 'string' ? m.id : mid);
      if (!ModelId.safeParse(id).success) {
        notes.push(`skipped ${pid}/${mid}: not a model id`);
        continue;
      }
      const model: ObservedModel = { id, name: typeof m.name === 'string' && m.name.trim() ? m.name.trim() : mid };
      const limit = isObj(m.limit) ? m.limit : {};
      const ctxw = exactInt(limit.context);
      const maxOut = exactInt(limit.output);
      if (ctxw) model.contextWindow = ctxw;
      if (maxOut) model.maxOutput = maxOut;
      if (typeof m.base_model === 'string' && m.base_model.includes('/')) {
        const [bp, ...rest] = m.base_model.split('/');
        const up = catalogModelId(modelsDevProvider(bp), rest.join('/'));
        if (up !== id && ModelId.safeParse(up).success) upstream[id] = up;
      }
      const where = `${pid}/${mid}`;
      const add = (cost: Obj, conditions: Conditions, at: string) => {
        for (const [k, v] of Object.entries(cost)) {
          if (COST_STRUCTURE.has(k)) continue;
          const component = COST_KEYS[k];
          if (!component) {
            unknownKeys.set(k, (unknownKeys.get(k) ?? 0) + 1);
            continue;
          }
          if (isNegative(v)) {
            notes.push(`${at}.${k} is negative, not read`);
            continue;
          }
          const amount = exactAmount(v, `${at}.${k}`);
          // models.dev writes 0 both for free and for not known (local runtimes, plans): not read.
          if (isZero(amount)) {
            zeros++;
            continue;
          }
          observations.push({ model: id, component, currency: 'USD', unit: '1M tokens', conditions, amount, kind: 'list' });
        }
      };
      if (isObj(m.cost)) {
        add(m.cost, {}, `${where} cost`);
        const tiers = Array.isArray(m.cost.tiers) ? m.cost.tiers : [];
        tiers.forEach((t, i) => {
          if (!isObj(t) || !isObj(t.tier)) throw new LayoutChangedError(`${where} cost.tiers[${i}] has no tier`);
          if (t.tier.type !== undefined && t.tier.type !== 'context') throw new LayoutChangedError(`${where} cost.tiers[${i}]: unknown tier type ${String(t.tier.type)}`);
          const size = exactInt(t.tier.size);
          if (!size) throw new LayoutChangedError(`${where} cost.tiers[${i}]: no tier size`);
          add(t, { contextAbove: size }, `${where} cost.tiers[${i}]`);
        });
        // The legacy field repeats the first tier above 200K; read it only when there are no tiers.
        if (tiers.length === 0 && isObj(m.cost.context_over_200k)) add(m.cost.context_over_200k, { contextAbove: 200000 }, `${where} cost.context_over_200k`);
      }
      const fast = isObj(m.experimental) && isObj(m.experimental.modes) && isObj(m.experimental.modes.fast) ? m.experimental.modes.fast : null;
      if (fast && isObj(fast.cost)) {
        const body = isObj(fast.provider) && isObj(fast.provider.body) ? fast.provider.body : {};
        add(fast.cost, body.service_tier === 'priority' ? { serviceTier: 'priority' } : { variant: 'fast-mode' }, `${where} experimental.modes.fast.cost`);
      }
      models.push(model);
    }
    const provider: Provider = { id: tt, name: typeof p.name === 'string' && p.name.trim() ? p.name.trim() : pid, url: typeof p.doc === 'string' && /^https?:\/\//.test(p.doc) ? p.doc : `https://models.dev/?provider=${encodeURIComponent(pid)}` };
    const result: ParseResult = {
      provider: tt,
      coverage: { read: models.map((m) => ({ model: m.id })), unread: [] },
      observations,
      models,
    };
    if (byProvider.has(tt)) throw new LayoutChangedError(`models.dev: two catalog providers map to ${tt}`);
    byProvider.set(tt, { catalogProvider: pid, provider, result, ...(Object.keys(upstream).length ? { upstream } : {}) });
  }
  if (zeros) notes.push(`${zeros} prices of 0 not read (models.dev writes 0 for free and for unknown alike)`);
  for (const [k, n] of [...unknownKeys].sort()) notes.push(`unknown cost key "${k}" on ${n} entries, not read`);
  return { catalog: 'models.dev', providers: [...byProvider.values()], notes };
}

/**
 * The api.json shape from the repository's TOML tree at one commit: `files` maps repo paths
 * (`providers/<id>/provider.toml`, `providers/<id>/models/<model>.toml`) to their text. Numbers keep
 * their literal text in the JSON written.
 */
export function treeToApiJson(files: Map<string, string>): string {
  const out: Obj = {};
  for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const m = /^providers\/([^/]+)\/(provider\.toml|models\/(.+)\.toml)$/.exec(path);
    if (!m) continue;
    const pid = m[1];
    const p = (out[pid] ??= { id: pid, models: {} }) as Obj;
    const parsed = parseToml(text, path);
    if (m[2] === 'provider.toml') Object.assign(p, parsed, { id: pid, models: p.models });
    else (p.models as Obj)[m[3]] = { ...parsed, id: m[3] };
  }
  for (const [pid, p] of Object.entries(out)) if (!('name' in (p as Obj))) delete out[pid]; // a models folder without provider.toml is not a provider yet
  return stringifyJsonExact(out);
}

const catalog: Catalog = {
  id: 'models.dev',
  name: 'models.dev',
  homepage: 'https://models.dev',
  urls: [MODELS_DEV_URL],
  repo: 'anomalyco/models.dev',
  licence: 'MIT',
  parse: parseModelsDev,
  minRows: 2000,
  history: {
    paths: ['providers'],
    files: (read) => [{ url: MODELS_DEV_URL, path: 'providers', text: treeToApiJson(read.tree('providers', (p) => p.endsWith('.toml'))) }],
  },
};

export default catalog;
