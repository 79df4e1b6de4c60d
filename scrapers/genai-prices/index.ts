// pydantic/genai-prices (https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json,
// MIT): an array of providers, each with `models[]` whose `prices` is one price set or a list of
// them under constraints — `start_date` (the set applies from that UTC date on; the earlier set
// until then) or `start_time`/`end_time` (a UTC time-of-day window). A price is a number (USD per
// 1M tokens, `*_mtok`; per 1K requests, `requests_kcount`) or `{base, tiers:[{start, price}]}`
// where crossing `start` input tokens moves the whole request to the tier price (contextAbove).
// `match` rules (equals / starts_with / contains / …) say which API model names a model answers
// for: `equals` values become aliases; the rest feed the resolver's prefix rule.
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, Observation, ObservedModel, ParseResult, Provider } from '../../src/model.ts';
import { ModelId } from '../../src/model.ts';
import type { ParseContext } from '../../src/scrape/contract.ts';
import { catalogModelId, type Catalog, type CatalogParse, type CatalogProviderResult } from '../../src/catalog/contract.ts';
import { ExactNumber, exactAmount, exactInt, isNegative, parseCatalogJson, isObj, catalogDay, type CatalogObject } from '../../src/catalog/exact.ts';
import { isZero } from '../_kit/money.ts';
import { genaiPricesProvider } from './mapping.ts';

export const GENAI_PRICES_URL = 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json';

const PRICE_KEYS: Record<string, { component: string; unit: string }> = {
  input_mtok: { component: 'input', unit: '1M tokens' },
  output_mtok: { component: 'output', unit: '1M tokens' },
  cache_read_mtok: { component: 'cache_read', unit: '1M tokens' },
  cache_write_mtok: { component: 'cache_write', unit: '1M tokens' },
  input_audio_mtok: { component: 'input_audio', unit: '1M tokens' },
  output_audio_mtok: { component: 'output_audio', unit: '1M tokens' },
  cache_audio_read_mtok: { component: 'cache_read_audio', unit: '1M tokens' },
  requests_kcount: { component: 'request', unit: '1K requests' },
};

type Obj = CatalogObject;

/** `equals` values anywhere in a match rule: names the model answers for exactly. */
export function equalsNames(match: unknown): string[] {
  if (!isObj(match)) return [];
  const out: string[] = [];
  if (typeof match.equals === 'string') out.push(match.equals);
  for (const k of ['or', 'and']) if (Array.isArray(match[k])) for (const m of match[k] as unknown[]) out.push(...equalsNames(m));
  return out;
}

function hhmm(t: unknown, where: string): string {
  const m = typeof t === 'string' ? /^(\d{2}):(\d{2})(:00)?Z?$/.exec(t) : null;
  if (!m) throw new LayoutChangedError(`${where}: time ${JSON.stringify(t)} is not HH:MM[:00]Z`);
  return `${m[1]}:${m[2]}`;
}

export function parseGenaiPrices(text: string, _ctx?: ParseContext): CatalogParse {
  const body = parseCatalogJson(text, 'genai-prices');
  if (!Array.isArray(body)) throw new LayoutChangedError('genai-prices: expected an array of providers');
  const notes: string[] = [];
  let zeros = 0;
  const unknownKeys = new Map<string, number>();
  const out = new Map<string, CatalogProviderResult>();
  for (const [pi, p] of body.entries()) {
    if (!isObj(p) || typeof p.id !== 'string' || !Array.isArray(p.models)) throw new LayoutChangedError(`genai-prices: providers[${pi}] has no id or models`);
    const tt = genaiPricesProvider(p.id);
    const observations: Observation[] = [];
    const models: ObservedModel[] = [];
    for (const [mi, m] of (p.models as unknown[]).entries()) {
      if (!isObj(m) || typeof m.id !== 'string') throw new LayoutChangedError(`genai-prices: ${p.id}.models[${mi}] has no id`);
      const id = catalogModelId(tt, m.id);
      if (!ModelId.safeParse(id).success) {
        notes.push(`skipped ${p.id}/${m.id}: not a model id`);
        continue;
      }
      const where = `${p.id}/${m.id}`;
      const model: ObservedModel = { id, name: typeof m.name === 'string' && m.name.trim() ? m.name.trim() : m.id };
      const ctxw = exactInt(m.context_window);
      if (ctxw) model.contextWindow = ctxw;
      const aliases = [...new Set(equalsNames(m.match).map((n) => catalogModelId(tt, n)))].filter((a) => a !== id && ModelId.safeParse(a).success);
      if (aliases.length) model.aliases = aliases.map((alias) => ({ alias, note: 'genai-prices match rule: equals' }));
      models.push(model);

      const sets: Array<{ prices: Obj; constraint: Obj | null }> = Array.isArray(m.prices)
        ? (m.prices as unknown[]).map((s, i) => {
            if (!isObj(s) || !isObj(s.prices)) throw new LayoutChangedError(`${where} prices[${i}] has no prices`);
            return { prices: s.prices, constraint: isObj(s.constraint) ? s.constraint : null };
          })
        : isObj(m.prices)
          ? [{ prices: m.prices, constraint: null }]
          : [];
      // Dated sets split valid time: each set runs from its start_date (the unconstrained one from
      // before any) to the next dated set's start.
      const dated = sets
        .filter((s) => s.constraint && s.constraint.start_date !== undefined)
        .map((s) => ({ ...s, from: catalogDay(s.constraint!.start_date, `${where} start_date`) ?? '' }))
        .sort((a, b) => a.from.localeCompare(b.from));
      const firstDated = dated[0]?.from;
      const emit = (prices: Obj, extra: Conditions, validFrom: string | undefined, validTo: string | undefined, at: string) => {
        for (const [k, v] of Object.entries(prices)) {
          if (v === null) continue; // older files write null for "no such price"
          const spec = PRICE_KEYS[k];
          if (!spec) {
            unknownKeys.set(k, (unknownKeys.get(k) ?? 0) + 1);
            continue;
          }
          const rows: Array<{ amount: string; conditions: Conditions }> = [];
          if (isObj(v)) {
            if (isNegative(v.base)) {
              notes.push(`${at}.${k}.base is negative (variable), not read`);
              continue;
            }
            rows.push({ amount: exactAmount(v.base, `${at}.${k}.base`), conditions: { ...extra } });
            for (const [ti, t] of ((Array.isArray(v.tiers) ? v.tiers : []) as unknown[]).entries()) {
              if (!isObj(t)) throw new LayoutChangedError(`${at}.${k}.tiers[${ti}] is not an object`);
              const start = exactInt(t.start);
              if (!start) throw new LayoutChangedError(`${at}.${k}.tiers[${ti}] has no start`);
              rows.push({ amount: exactAmount(t.price, `${at}.${k}.tiers[${ti}].price`), conditions: { ...extra, contextAbove: start } });
            }
          } else if (isNegative(v)) {
            notes.push(`${at}.${k}: ${(v as ExactNumber).text} is not a price (variable), not read`);
          } else rows.push({ amount: exactAmount(v, `${at}.${k}`), conditions: { ...extra } });
          for (const r of rows) {
            if (isZero(r.amount)) {
              zeros++;
              continue;
            }
            const o: Observation = { model: id, component: spec.component, currency: 'USD', unit: spec.unit, conditions: r.conditions, amount: r.amount, kind: 'list' };
            if (validFrom) o.validFrom = validFrom;
            if (validTo) o.validTo = validTo;
            observations.push(o);
          }
        }
      };
      sets.forEach((s, si) => {
        const at = `${where} prices[${si}]`;
        const c = s.constraint;
        if (!c) return emit(s.prices, {}, undefined, firstDated, at);
        const keys = Object.keys(c);
        if (c.start_date !== undefined && keys.length === 1) {
          const i = dated.findIndex((d) => d.prices === s.prices);
          return emit(s.prices, {}, dated[i].from, dated[i + 1]?.from, at);
        }
        if (c.start_time !== undefined && c.end_time !== undefined && keys.length === 2)
          return emit(s.prices, { hours: { tz: 'UTC', ranges: [[hhmm(c.start_time, at), hhmm(c.end_time, at)]] } }, undefined, undefined, at);
        notes.push(`${where}: constraint ${JSON.stringify(Object.keys(c))} not read`);
      });
    }
    const urls = Array.isArray(p.pricing_urls) ? (p.pricing_urls as unknown[]).filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u)) : [];
    const provider: Provider = { id: tt, name: typeof p.name === 'string' ? p.name : p.id, url: urls[0] ? new URL(urls[0]).origin : `https://github.com/pydantic/genai-prices` };
    if (urls.length) provider.pricingPages = urls;
    const result: ParseResult = { provider: tt, coverage: { read: models.map((x) => ({ model: x.id })), unread: [] }, observations, models };
    if (out.has(tt)) throw new LayoutChangedError(`genai-prices: two catalog providers map to ${tt}`);
    out.set(tt, { catalogProvider: p.id, provider, result });
  }
  if (zeros) notes.push(`${zeros} prices of 0 not read`);
  for (const [k, n] of [...unknownKeys].sort()) notes.push(`unknown price key "${k}" on ${n} entries, not read`);
  return { catalog: 'genai-prices', providers: [...out.values()].sort((a, b) => a.provider.id.localeCompare(b.provider.id)), notes };
}

const catalog: Catalog = {
  id: 'genai-prices',
  name: 'genai-prices (Pydantic)',
  homepage: 'https://github.com/pydantic/genai-prices',
  urls: [GENAI_PRICES_URL],
  repo: 'pydantic/genai-prices',
  licence: 'MIT',
  parse: parseGenaiPrices,
  minRows: 1000,
  history: {
    paths: ['prices/data.json'],
    files: (read) => {
      const text = read.show('prices/data.json');
      return text === null ? [] : [{ url: GENAI_PRICES_URL, path: 'prices/data.json', text }];
    },
  },
};

export default catalog;
