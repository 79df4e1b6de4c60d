// Moonshot (Kimi): the Chinese pricing docs, https://platform.moonshot.cn/docs/pricing/chat, in CNY
// ("￥4.00" per "1M tokens"). Three kinds of table, told apart by their columns:
// - kimi-k2 models: cache-hit input | cache-miss input | output | context length;
// - kimi-latest: one row per request-context range ("≤ 8,192 tokens", "8,192 < 长度 ≤ 32,768
//   tokens", …); the page bills each range as its own model, so each lower bound becomes
//   contextAbove (the row applies when the request's context exceeds it);
// - moonshot-v1: input | output | context length (no cache prices).
// Context lengths ("262,144 tokens") go into `models[].contextWindow`.
// The /v1/models API response has no prices; it is not used (its ids are of a later date).
// The archived copy is a Markdown conversion; the live page is HTML: its <table>s are turned into
// the same pipe rows (a rowspan model cell then also leaves its follow-up rows one cell short).
import * as cheerio from 'cheerio';
import { Decimal } from 'decimal.js';
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, Observation, ObservedModel, ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper, ScraperPage } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';

const PAGES: (ScraperPage & { currency: 'CNY' | 'USD' })[] = [{ url: 'https://platform.moonshot.cn/docs/pricing/chat', currency: 'CNY', lang: 'zh' }];

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

const splitRow = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
const isSeparator = (cells: string[]) => cells.every((c) => /^:?-{3,}:?$/.test(c));

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
  const cell = raw.trim();
  if (cell === '' || cell === '-' || cell === '—') return null;
  const m = /^([￥¥$])\s*(\d+(?:\.\d+)?)$/.exec(cell);
  if (!m) throw new LayoutChangedError(`moonshot: ${where}: "${raw}" is not a price`);
  const found = m[1] === '$' ? 'USD' : 'CNY';
  if (found !== currency) throw new LayoutChangedError(`moonshot: ${where}: price in ${found}, the page should be in ${currency}`);
  const amount = new Decimal(m[2]).toFixed();
  if (new Decimal(amount).isZero()) throw new LayoutChangedError(`moonshot: ${where}: price 0 is not stated as free`);
  return amount;
}

/** "262,144 tokens" → 262144. */
function tokens(raw: string, where: string): number {
  const m = /^(\d{1,3}(?:,\d{3})*|\d+)\s*tokens$/i.exec(raw.trim());
  if (!m) throw new LayoutChangedError(`moonshot: ${where}: "${raw}" is not a token count`);
  return Number(m[1].replace(/,/g, ''));
}

/** "≤ 8,192 tokens" → no lower bound; "8,192 < 长度 ≤ 32,768 tokens" → 8192. */
function rangeLowerBound(raw: string, where: string): number | undefined {
  const cell = raw.replace(/\s+/g, ' ').trim();
  if (/^(≤|<=)\s*[\d,]+\s*tokens$/i.test(cell)) return undefined;
  const m = /^([\d,]+)\s*<\s*(长度|length)\s*(≤|<=)\s*[\d,]+\s*tokens$/i.exec(cell);
  if (!m) throw new LayoutChangedError(`moonshot: ${where}: "${raw}" is not a context range`);
  return Number(m[1].replace(/,/g, ''));
}

/** HTML tables → Markdown pipe rows, one blank line between tables. */
function htmlTablesToPipes(html: string): string {
  const $ = cheerio.load(html);
  const out: string[] = [];
  $('table').each((_, table) => {
    $(table)
      .find('tr')
      .each((i, tr) => {
        const cells = $(tr)
          .children('th, td')
          .toArray()
          .map((c) => $(c).text().replace(/\s+/g, ' ').replace(/\|/g, '/').trim());
        out.push(`| ${cells.join(' | ')} |`);
        if (i === 0) out.push(`| ${cells.map(() => '---').join(' | ')} |`);
      });
    out.push('');
  });
  return out.join('\n');
}

export function parseMoonshot(html: string, ctx: ParseContext): ParseResult {
  const isHtml = /^\s*</.test(html);
  assertRealPage(html, isHtml ? 'html' : 'markdown');
  const text = isHtml ? htmlTablesToPipes(html) : html;
  const currency = expectedCurrency(ctx.url);
  if (currency === 'CNY' && !/模型推理价格|计费单位/.test(html)) throw new LayoutChangedError('moonshot: not the Chinese pricing page (no 计费单位 column)');

  const observations: Observation[] = [];
  const models = new Map<string, ObservedModel>();
  const seen = new Set<string>();
  let fields: Field[] | undefined;
  let lastModel: string | undefined;

  for (const line of text.split(/\r?\n/)) {
    if (!line.trim().startsWith('|')) {
      fields = undefined;
      continue;
    }
    const cells = splitRow(line);
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
    if (isSeparator(cells)) continue;

    // A rowspan flattened by the conversion: the model cell is missing on follow-up range rows.
    let row = cells;
    if (cells.length === fields.length - 1 && fields[0] === 'model' && fields[1] === 'range' && lastModel) row = [lastModel, ...cells];
    if (row.length !== fields.length) throw new LayoutChangedError(`moonshot: row "${line.trim()}" has ${cells.length} cells, the header ${fields.length}`);
    const get = (f: Field) => row[fields!.indexOf(f)];

    const name = get('model').replace(/\*\*/g, '').replace(BADGES, '').trim();
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new LayoutChangedError(`moonshot: "${get('model')}" is not a model name`);
    lastModel = name;
    const id = `moonshot/${name.toLowerCase()}`;
    if (get('unit').replace(/\s+/g, '') !== '1Mtokens') throw new LayoutChangedError(`moonshot: ${name}: unit "${get('unit')}" is not 1M tokens`);

    const conditions: Conditions = {};
    if (fields.includes('range')) {
      const above = rangeLowerBound(get('range'), name);
      if (above !== undefined) conditions.contextAbove = above;
    }
    for (const component of ['cache_read', 'input', 'output'] as const) {
      if (!fields.includes(component)) continue;
      const amount = money(get(component), currency, `${name} ${component}`);
      if (amount === null) continue;
      const key = `${id}|${component}|${JSON.stringify(conditions)}`;
      if (seen.has(key)) throw new LayoutChangedError(`moonshot: ${name} ${component} listed twice`);
      seen.add(key);
      observations.push({ model: id, component, currency, unit: '1M tokens', conditions, amount, kind: 'list' });
    }
    if (!models.has(id)) models.set(id, { id, name });
    if (fields.includes('context')) models.get(id)!.contextWindow = tokens(get('context'), name);
  }

  if (!observations.length) throw new LayoutChangedError('moonshot: no price table found');
  const result: ParseResult = { provider: 'moonshot', observations, models: [...models.values()] };
  const ranged = [...new Set(observations.filter((o) => o.conditions.contextAbove).map((o) => o.model))];
  if (ranged.length)
    result.notes = [`${ranged.join(', ')}: billed by the request's context length (请求上下文长度): each range's lower bound is stored as contextAbove.`];
  return result;
}

const scraper: Scraper = {
  id: 'moonshot',
  name: 'Moonshot AI (Kimi)',
  homepage: 'https://platform.moonshot.cn',
  pages: PAGES.map(({ url, currency, lang }) => ({ url, currency, lang })),
  kind: 'static',
  parse: parseMoonshot,
  // 2025-12-19: 36 observations over 12 models.
  minRows: 20,
  changeThreshold: 0.5,
};

export default scraper;
