// simonw/llm-prices (https://raw.githubusercontent.com/simonw/llm-prices/main/data/<vendor>.json):
// one file per vendor `{vendor, models:[{id, name, price_history:[{input, output, input_cached,
// from_date, to_date}]}]}`, USD per 1M tokens. A history entry with dates is valid from from_date
// (00:00 UTC) to to_date; null dates are open. The parse takes one vendor file or an array of them.
import { LayoutChangedError } from '../../src/errors.ts';
import type { Observation, ObservedModel, ParseResult, Provider } from '../../src/model.ts';
import { ModelId } from '../../src/model.ts';
import type { ParseContext } from '../../src/scrape/contract.ts';
import { catalogModelId, type Catalog, type CatalogParse, type CatalogProviderResult } from '../../src/catalog/contract.ts';
import { exactAmount, parseCatalogJson, isObj, catalogDay, type CatalogObject } from '../../src/catalog/exact.ts';
import { isZero } from '../_kit/money.ts';
import { llmPricesContextTier, llmPricesProvider } from './mapping.ts';

export const LLM_PRICES_VENDOR_FILES = ['amazon', 'anthropic', 'deepseek', 'google', 'meta-ai', 'minimax', 'mistral', 'moonshot-ai', 'openai', 'qwen', 'xai'];
export const llmPricesUrl = (vendor: string) => `https://raw.githubusercontent.com/simonw/llm-prices/main/data/${vendor}.json`;

const KEYS: Record<string, string> = { input: 'input', output: 'output', input_cached: 'cache_read' };

type Obj = CatalogObject;

export function parseLlmPrices(text: string, _ctx?: ParseContext): CatalogParse {
  const body = parseCatalogJson(text, 'llm-prices');
  const files = Array.isArray(body) ? body : [body];
  const out = new Map<string, CatalogProviderResult>();
  const notes: string[] = [];
  for (const [fi, f] of files.entries()) {
    if (!isObj(f) || typeof f.vendor !== 'string' || !Array.isArray(f.models)) throw new LayoutChangedError(`llm-prices: file ${fi} has no vendor or models`);
    const tt = llmPricesProvider(f.vendor);
    const observations: Observation[] = [];
    const models: ObservedModel[] = [];
    for (const [mi, m] of (f.models as unknown[]).entries()) {
      if (!isObj(m) || typeof m.id !== 'string' || !Array.isArray(m.price_history)) throw new LayoutChangedError(`llm-prices: ${f.vendor}.models[${mi}] has no id or price_history`);
      const id = catalogModelId(tt, m.id);
      if (!ModelId.safeParse(id).success) {
        notes.push(`skipped ${f.vendor}/${m.id}: not a model id`);
        continue;
      }
      models.push({ id, name: typeof m.name === 'string' && m.name.trim() ? m.name.trim() : m.id });
      for (const [hi, h] of (m.price_history as unknown[]).entries()) {
        const where = `${f.vendor}/${m.id} price_history[${hi}]`;
        if (!isObj(h)) throw new LayoutChangedError(`${where} is not an object`);
        const from = catalogDay(h.from_date, `${where}.from_date`);
        const to = catalogDay(h.to_date, `${where}.to_date`);
        if (from && to && to <= from) throw new LayoutChangedError(`${where}: to_date before from_date`);
        for (const [k, component] of Object.entries(KEYS)) {
          if (h[k] === null || h[k] === undefined) continue;
          const amount = exactAmount(h[k], `${where}.${k}`);
          if (isZero(amount)) continue;
          const o: Observation = { model: id, component, currency: 'USD', unit: '1M tokens', conditions: {}, amount, kind: 'list' };
          if (from) o.validFrom = from;
          if (to) o.validTo = to;
          observations.push(o);
        }
      }
    }
    const provider: Provider = { id: tt, name: f.vendor, url: `https://www.llm-prices.com/#${encodeURIComponent(f.vendor)}` };
    const result: ParseResult = { provider: tt, coverage: { read: models.map((x) => ({ model: x.id })), unread: [] }, observations, models };
    if (out.has(tt)) throw new LayoutChangedError(`llm-prices: two vendors map to ${tt}`);
    out.set(tt, { catalogProvider: f.vendor, provider, result });
  }
  return { catalog: 'llm-prices', providers: [...out.values()].sort((a, b) => a.provider.id.localeCompare(b.provider.id)), notes };
}

const catalog: Catalog = {
  id: 'llm-prices',
  name: 'llm-prices (Simon Willison)',
  homepage: 'https://www.llm-prices.com',
  urls: LLM_PRICES_VENDOR_FILES.map(llmPricesUrl),
  repo: 'simonw/llm-prices',
  licence: 'no licence file in the repository (facts only are taken)',
  parse: parseLlmPrices,
  minRows: 5,
  identity: { contextTier: llmPricesContextTier },
  history: {
    paths: ['data'],
    files: (read) =>
      [...read.tree('data', (p) => /^data\/[^/]+\.json$/.test(p))].map(([path, text]) => ({ url: llmPricesUrl(path.slice(5, -5)), path, text })),
  },
};

export default catalog;
