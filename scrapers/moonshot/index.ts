// Moonshot (Kimi): the Chinese pricing docs, https://platform.moonshot.cn/docs/pricing/chat, in CNY
// ("￥4.00" per "1M tokens"). Three kinds of table, told apart by their columns:
// - kimi-k2 models: cache-hit input | cache-miss input | output | context length;
// - kimi-latest: one row per request-context range ("≤ 8,192 tokens", "8,192 < 长度 ≤ 32,768
//   tokens", …); the page bills each range as its own model, so each lower bound becomes
//   contextAbove (the row applies when the request's context exceeds it), measured as the page
//   measures it: 请求上下文长度 is the request's total context (input + output), contextMeasure 'total';
// - moonshot-v1: input | output | context length (no cache prices).
// Context lengths ("262,144 tokens") go into `models[].contextWindow`.
// The /v1/models API response has no prices; it is not used (its ids are of a later date).
// The archived copy is a Markdown conversion; the live page is HTML: its <table>s are turned into
// the same pipe rows (a rowspan model cell then also leaves its follow-up rows one cell short).
import * as cheerio from 'cheerio';
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, Observation, ObservedModel, ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper, ScraperPage } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';
import { contextConditions, lowerBound } from '../_kit/context.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { assertPlausible, parseTokenCount, readMoneyCell } from '../_kit/money.ts';
import { htmlTablesToPipeLines, isSeparatorRow, splitPipeRow } from '../_kit/tables.ts';

const PAGES: (ScraperPage & { currency: 'CNY' | 'USD' })[] = [{ url: 'https://platform.moonshot.cn/docs/pricing/chat', currency: 'CNY', lang: 'zh', zone: 'Asia/Shanghai' }];

type Field = 'model' | 'range' | 'unit' | 'cache_read' | 'input' | 'output' | 'context';

/** Column headers as the Chinese page prints them (whitespace removed). */
const HEADERS: [RegExp, Field][] = [
  [/^模型$/, 'model'],
  [/^请求上下文长度范围/, 'range'],
  [/^计费单位$/, 'unit'],
  [/^输入价格[（(]缓存命中[)）]$/, 'cache_read'],
  [/^输入价格[（(]缓存未命中[)）]$/, 'input'],
  [/^输入价格$/, 'input'],
  [/^输出价格$/, 'output'],
  [/^模型上下文长度$/, 'context'],
];

// Badges the page renders into the model cell (推荐 = "recommended").
const BADGES = /(推荐|新|热门|Recommended|New)$/;


function expectedCurrency(url: string): 'CNY' | 'USD' {
  const host = (() => {
    try {
      return new URL(url).hostname;
    } catch {
      throw new LayoutChangedError(`moonshot: not a URL: ${url}`);
    }
  })();
  if (host.endsWith('moonshot.cn')) return 'CNY';
  if (host.endsWith('moonshot.ai')) return 'USD';
  throw new LayoutChangedError(`moonshot: unexpected page ${url}`);
}

function money(raw: string, currency: 'CNY' | 'USD', where: string): string | null {
  const m = readMoneyCell(raw, `moonshot: ${where}`, { currency });
  if (!m) return null;
  if (m.free || m.per) throw new LayoutChangedError(`moonshot: ${where}: "${raw}" is not a price`);
  assertPlausible(m.amount, currency, '1M tokens', `moonshot: ${where}`);
  return m.amount;
}

/** "≤ 8,192 tokens" → no lower bound; "8,192 < 长度 ≤ 32,768 tokens" → above 8192 (exclusive). */
function rangeConditions(raw: string, where: string): Conditions {
  const cell = raw.replace(/\s+/g, ' ').trim();
  if (/^(≤|<=)\s*[\d,]+\s*tokens$/i.test(cell)) return {};
  const bound = /^[\d,]+\s*<\s*(长度|length)\s*(≤|<=)\s*[\d,]+\s*tokens$/i.test(cell) ? lowerBound(cell, `moonshot: ${where}`) : undefined;
  if (!bound) throw new LayoutChangedError(`moonshot: ${where}: "${raw}" is not a context range`);
  // 请求上下文长度: the request's whole context, input and output together.
  return contextConditions(bound, 'total');
}

export function parseMoonshot(html: string, ctx: ParseContext): ParseResult {
  const isHtml = /^\s*</.test(html);
  assertRealPage(html, isHtml ? 'html' : 'markdown');
  const text = isHtml ? (($) => htmlTablesToPipeLines($, $('table').toArray()).join('\n'))(cheerio.load(html)) : html;
  const currency = expectedCurrency(ctx.url);
  if (currency === 'CNY' && !/模型推理价格|计费单位/.test(html)) throw new LayoutChangedError('moonshot: not the Chinese pricing page (no 计费单位 column)');

  const observations: Observation[] = [];
  const coverage = new CoverageBuilder([{ currency }]);
  const models = new Map<string, ObservedModel>();
  const seen = new Set<string>();
  let fields: Field[] | undefined;
  let lastModel: string | undefined;

  for (const line of text.split(/\r?\n/)) {
    if (!line.trim().startsWith('|')) {
      fields = undefined;
      continue;
    }
    const cells = splitPipeRow(line);
    if (!fields) {
      fields = cells.map((c) => {
        const h = c.replace(/\s+/g, '');
        const hit = HEADERS.find(([re]) => re.test(h));
        if (!hit) throw new LayoutChangedError(`moonshot: unknown column "${c}"`);
        return hit[1];
      });
      for (const need of ['model', 'unit', 'input', 'output'] as Field[])
        if (!fields.includes(need)) throw new LayoutChangedError(`moonshot: a price table lacks the ${need} column`);
      lastModel = undefined;
      continue;
    }
    if (isSeparatorRow(cells)) continue;
    const header = fields;

    // A rowspan flattened by the conversion: the model cell is missing on follow-up range rows.
    let row = cells;
    if (cells.length === header.length - 1 && header[0] === 'model' && header[1] === 'range' && lastModel) row = [lastModel, ...cells];
    const get = (f: Field) => row[header.indexOf(f)];
    const name = (get('model') ?? '').replace(/\*\*/g, '').replace(BADGES, '').trim();
    if (/^[a-z0-9][a-z0-9._-]*$/i.test(name)) lastModel = name;
    const id = `moonshot/${name.toLowerCase()}`;
    // One row = one model (and context range): a row that cannot be read is unread for that model.
    const read = coverage.optional(
      `price row "${cells.join(' | ').slice(0, 80)}"`,
      () => {
        if (row.length !== header.length) throw new LayoutChangedError(`moonshot: row "${line.trim()}" has ${cells.length} cells, the header ${header.length}`);
        if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new LayoutChangedError(`moonshot: "${get('model')}" is not a model name`);
        if (get('unit').replace(/\s+/g, '') !== '1Mtokens') throw new LayoutChangedError(`moonshot: ${name}: unit "${get('unit')}" is not 1M tokens`);
        const conditions: Conditions = header.includes('range') ? rangeConditions(get('range'), name) : {};
        const out: Observation[] = [];
        for (const component of ['cache_read', 'input', 'output'] as const) {
          if (!header.includes(component)) continue;
          const amount = money(get(component), currency, `${name} ${component}`);
          if (amount === null) continue;
          const key = `${id}|${component}|${JSON.stringify(conditions)}`;
          if (seen.has(key)) throw new LayoutChangedError(`moonshot: ${name} ${component} listed twice`);
          out.push({ model: id, component, currency, unit: '1M tokens', conditions, amount, kind: 'list' });
        }
        const contextWindow = header.includes('context') ? parseTokenCount(get('context'), `moonshot: ${name} context length`) : undefined;
        return { out, contextWindow };
      },
      { scope: /^[a-z0-9][a-z0-9._-]*$/i.test(name) ? [{ model: id }] : undefined },
    );
    coverage.row(read !== undefined);
    if (!read) continue;
    for (const o of read.out) seen.add(`${o.model}|${o.component}|${JSON.stringify(o.conditions)}`);
    observations.push(...read.out);
    if (!models.has(id)) models.set(id, { id, name });
    if (read.contextWindow) models.get(id)!.contextWindow = read.contextWindow;
  }

  if (coverage.rowsOnPage === 0) throw new LayoutChangedError('moonshot: no price table found');
  const result: ParseResult = { provider: 'moonshot', coverage: coverage.build(), observations, models: [...models.values()] };
  const ranged = [...new Set(observations.filter((o) => o.conditions.contextAbove).map((o) => o.model))];
  if (ranged.length)
    result.notes = [`${ranged.join(', ')}: billed by the request's context length (请求上下文长度, input and output together): each range's lower bound is stored as contextAbove with contextMeasure "total".`];
  return result;
}

const scraper: Scraper = {
  id: 'moonshot',
  name: 'Moonshot AI (Kimi)',
  homepage: 'https://platform.moonshot.cn',
  pages: PAGES.map(({ url, currency, lang, zone }) => ({ url, currency, lang, zone })),
  kind: 'static',
  parse: parseMoonshot,
  // 2025-12-19: 36 observations over 12 models.
  minRows: 20,
  changeThreshold: 0.5,
};

export default scraper;
