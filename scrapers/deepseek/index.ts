// DeepSeek: https://api-docs.deepseek.com/quick_start/pricing (English, USD) and its Chinese twin
// (CNY). One transposed table: models are columns, row labels sit in up to three label columns
// (PRICING → "1M INPUT TOKENS (CACHE HIT)" → "OFF-PEAK"/"PEAK"), joined by rowspan/colspan.
// Footnotes under the table carry dates (promotions, price changes) and peak hours, in the zone
// they state (the Chinese page: Beijing time; the English page: UTC); a bare date or time is read
// in the page's declared zone. Also reads the pandoc Markdown conversion of the Chinese page kept
// by an archive (January 2026). Sections are read through `optional` (scrapers/_kit/coverage.ts):
// a price cell or footnote that cannot be read costs its rows only.
import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { BadInputError, LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, CoverageScope, HoursWindow, Observation, ObservedModel, ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper, ScraperPage } from '../../src/scrape/contract.ts';
import { Decimal, normalizeAmount } from '../../src/decimal.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { type Period, readPeakHours } from '../_kit/hours.ts';
import { applyPercentOff, assertPlausible, compareDecimal, moneyTokens, parseMoney, parseTokenCount, zheToPercentOff } from '../_kit/money.ts';
import { type Grid, type GridCell, footnoteKey, hasTextGrid, htmlTableToGrid, restoreSpans, textGrids } from '../_kit/tables.ts';
import { localToInstant } from '../../src/zones.ts';
import { NUMERIC_DATE_TIME, dayStart, toIso, untilStatedMinute, zoneAround } from '../_kit/time.ts';

/** Each page with its currency, language and zone: bare dates and times on it are read in `zone`. */
const PAGES: (ScraperPage & { currency: 'USD' | 'CNY'; lang: 'en' | 'zh'; zone: string })[] = [
  { url: 'https://api-docs.deepseek.com/quick_start/pricing', currency: 'USD', lang: 'en', zone: 'UTC' },
  { url: 'https://api-docs.deepseek.com/zh-cn/quick_start/pricing', currency: 'CNY', lang: 'zh', zone: 'Asia/Shanghai' },
];

const UNIT = '1M tokens';
const LANG_NAME = { en: 'English (USD)', zh: 'Chinese (CNY)' } as const;

type Page = (typeof PAGES)[number];
/** A footnote saying the price becomes a quarter of the original once the promotion ends. */
const PERMANENT_QUARTER = /adjusted to 1\/4 of the original price|调整为原价的\s*1\s*\/\s*4|原价的四分之一/i;

/** Footnote key ("1", "*") → its texts (several "*" footnotes may exist). */
type Footnotes = Map<string, string[]>;

interface PageTable {
  grid: Grid;
  footnotes: Footnotes;
  /** The <html lang> attribute when the copy has one. */
  htmlLang?: string;
  notes: string[];
}

function pageFor(url: string): Page {
  const clean = url.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const page = PAGES.find((p) => p.url === clean);
  if (!page) throw new BadInputError(`deepseek: unknown page ${url}; known: ${PAGES.map((p) => p.url).join(', ')}`);
  return page;
}

export function parseDeepSeek(text: string, ctx: ParseContext): ParseResult {
  const page = pageFor(ctx.url);
  const table = readPageTable(text);
  return interpret(table, page);
}

// ---------------------------------------------------------------------------------------------
// Reading the page into a grid + footnotes

function readPageTable(text: string): PageTable {
  if (/<table\b/i.test(text) || /^\s*(<!doctype html|<html|<div|<!--)/i.test(text)) {
    assertRealPage(text, 'html');
    if (!/<table\b/i.test(text)) throw new LayoutChangedError('no pricing table on the page');
    return readHtml(text);
  }
  assertRealPage(text, 'markdown');
  if (!hasTextGrid(text)) throw new LayoutChangedError('neither an HTML table nor a pandoc table holds the prices');
  return {
    grid: pandocGrid(text),
    footnotes: new Map(),
    notes: [
      'pandoc copy of the page: cells spanning several model columns lost their colspan; an empty model cell is read as the value to its left (as BASE URL, context length and prices span every model column on the live page)',
    ],
  };
}

function readHtml(html: string): PageTable {
  const $ = cheerio.load(html);
  const table = $('table')
    .toArray()
    .find((t) => /^(MODEL|模型)$/i.test($(t).find('tr').first().children('td, th').first().text().trim()));
  if (!table) throw new LayoutChangedError('no table whose first row is MODEL / 模型');
  return { grid: htmlTableToGrid($, table), footnotes: collectFootnotes($, table), htmlLang: $('html').attr('lang'), notes: [] };
}

/** The paragraphs after the table, up to the next heading or rule: "(n) text" lines and "* text" lines. */
function collectFootnotes($: CheerioAPI, table: Element): Footnotes {
  let node = $(table);
  while (node.length > 0 && node.nextAll().length === 0) node = node.parent();
  const lines: string[] = [];
  node.nextAll().each((_, el) => {
    if (/^(h[1-6]|hr)$/i.test(el.tagName)) return false;
    const copy = $(el).clone();
    copy.find('br').replaceWith('\n');
    lines.push(...copy.text().split('\n'));
    return undefined;
  });
  const notes: Footnotes = new Map();
  let last: { key: string; index: number } | undefined;
  for (const raw of lines) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (line === '') continue;
    const m = /^(\(\d+\)|\*)\s*(.*)$/.exec(line);
    const key = m ? footnoteKey(m[1]) : undefined;
    if (m && key) {
      const list = notes.get(key) ?? [];
      list.push(m[2]);
      notes.set(key, list);
      last = { key, index: list.length - 1 };
    } else if (last) {
      const list = notes.get(last.key)!;
      list[last.index] = `${list[last.index]} ${line}`;
    }
  }
  return notes;
}

/**
 * The pandoc copy's table (the first whose first cell is MODEL/模型), spans restored: on the live
 * page BASE URL, CONTEXT LENGTH and the prices span every model column.
 */
function pandocGrid(text: string): Grid {
  const raw = textGrids(text).find((rows) => rows.length > 0 && /^(MODEL|模型)$/i.test(rows[0][0]));
  if (!raw) throw new LayoutChangedError('no pandoc table with a MODEL row');
  const labelCols = raw[0].findIndex((t, i) => i > 0 && t !== '');
  if (labelCols < 1) throw new LayoutChangedError('pandoc table: the MODEL row names no model');
  return restoreSpans(raw, labelCols);
}

// ---------------------------------------------------------------------------------------------
// Interpreting the grid

type Component = 'input' | 'cache_read' | 'output';

interface PriceRow {
  component: Component;
  period?: Period;
  labelText: string;
  /** Footnote refs of the row's label cells (PRICING, the component, the period). */
  refs: string[];
  cells: GridCell[];
}

interface ModelColumn {
  apiName: string;
  refs: string[];
}

function labelsOf(row: GridCell[], labelCols: number): GridCell[] {
  const seen = new Set<number>();
  return row.slice(0, labelCols).filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
}

function interpret(table: PageTable, page: Page): ParseResult {
  const { grid, footnotes } = table;
  const headerIndex = grid.findIndex((row) => /^(MODEL|模型)$/i.test(row[0].text));
  if (headerIndex < 0) throw new LayoutChangedError('no MODEL / 模型 row in the pricing table');
  const header = grid[headerIndex];

  // Language: the table's own labels, the <html lang>, and (below) every price's currency must agree with the URL.
  const tableLang = /^MODEL$/i.test(header[0].text) ? 'en' : 'zh';
  if (tableLang !== page.lang) throw new LayoutChangedError(`the page is ${LANG_NAME[tableLang]} but ${page.url} is the ${LANG_NAME[page.lang]} page`);
  if (table.htmlLang && !table.htmlLang.toLowerCase().startsWith(page.lang))
    throw new LayoutChangedError(`<html lang="${table.htmlLang}"> but ${page.url} is the ${LANG_NAME[page.lang]} page`);

  let labelCols = 1;
  while (labelCols < header.length && header[labelCols].id === header[0].id) labelCols++;
  const models: ModelColumn[] = [];
  for (let c = labelCols; c < header.length; c++) {
    const cell = header[c];
    if (c > labelCols && cell.id === header[c - 1].id) throw new LayoutChangedError(`MODEL row: "${cell.text}" spans two model columns`);
    if (!/^deepseek-[a-z0-9][a-z0-9.-]*$/i.test(cell.text)) throw new LayoutChangedError(`MODEL row: "${cell.text}" is not an API model name like deepseek-v4-pro`);
    models.push({ apiName: cell.text.toLowerCase(), refs: cell.refs });
  }
  if (models.length === 0) throw new LayoutChangedError('MODEL row names no model');

  const coverage = new CoverageBuilder([{ currency: page.currency }]);
  const contextWindow: (number | undefined)[] = [];
  const maxOutput: (number | undefined)[] = [];
  const priceRows: PriceRow[] = [];
  for (const row of grid.slice(headerIndex + 1)) {
    const labels = labelsOf(row, labelCols);
    const values = row.slice(labelCols);
    const head = labels[0].text.toUpperCase();
    if (/^(CONTEXT LENGTH|上下文长度)$/.test(head))
      coverage.optional('CONTEXT LENGTH row', () => values.forEach((v, j) => (contextWindow[j] = parseTokenCount(v.text, `CONTEXT LENGTH of ${models[j].apiName}`))));
    else if (/^(MAX OUTPUT|输出长度)$/.test(head)) coverage.optional('MAX OUTPUT row', () => values.forEach((v, j) => (maxOutput[j] = readMaxOutput(v.text, models[j].apiName))));
    else if (/^(PRICING|价格)$/.test(head)) priceRows.push(readPriceRow(labels, values));
  }

  for (const component of ['input', 'cache_read', 'output'] as const)
    if (!priceRows.some((r) => r.component === component)) throw new LayoutChangedError(`pricing table has no ${ROW_NAMES[component]} row`);
  const rowKeys = priceRows.map((r) => `${r.component} ${r.period ?? ''}`);
  const repeated = rowKeys.find((k, i) => rowKeys.indexOf(k) !== i);
  if (repeated) throw new LayoutChangedError(`the ${repeated.trim()} price row appears twice`);
  const split = priceRows.filter((r) => r.period).length;
  if (split > 0 && split < priceRows.length) throw new LayoutChangedError('some price rows are split into peak/off-peak and some are not');

  const need = (key: string, what: string): string[] => {
    const found = footnotes.get(key);
    if (!found) throw new LayoutChangedError(`footnote (${key}) referenced by ${what} is missing from the page`);
    return found;
  };
  const componentScope = (rows: PriceRow[]): CoverageScope[] =>
    models.flatMap((m) => [...new Set(rows.map((r) => r.component))].map((component) => ({ model: `deepseek/${m.apiName}`, component, currency: page.currency })));

  // Peak/off-peak rows need the footnote stating the hours; without it those rows are unread (the
  // rest of the page still is).
  let hours: StatedHoursOf | undefined;
  let priceRowsRead = priceRows;
  if (split > 0) {
    hours = coverage.optional(
      'peak/off-peak hours footnote',
      () => {
        const missing = [...new Set(priceRows.flatMap((r) => r.refs))].filter((k) => !footnotes.has(k));
        if (missing.length > 0)
          throw new LayoutChangedError(`price rows are split into peak/off-peak but footnote ${missing.map((k) => `(${k})`).join(' ')}, which should state the hours, is missing from the page`);
        const texts = priceRows.flatMap((r) => r.refs.flatMap((k) => need(k, 'the price rows')));
        const text = texts.find((t) => /\d{1,2}[:：]\d{2}\s*(?:-|–|—|~|～|至|到|to)\s*\d{1,2}[:：]\d{2}/i.test(t));
        if (!text) throw new LayoutChangedError('price rows are split into peak/off-peak but no footnote states the hours');
        return readPeakHours(text, page.zone);
      },
      { scope: componentScope(priceRows), rows: models.length * priceRows.length },
    );
    if (!hours) priceRowsRead = [];
  }

  const noteKeys = new Set<string>();
  const observations: Observation[] = [];
  models.forEach((model, j) => {
    const id = `deepseek/${model.apiName}`;
    for (const row of priceRowsRead) {
      const where = `${model.apiName} ${row.labelText}${row.period ? ` ${row.period}` : ''}`;
      const windows: (HoursWindow | undefined)[] = row.period && hours ? hours[row.period] : [undefined];
      const read = coverage.optional(
        where,
        () => {
          const out: Observation[] = [];
          const rowNotes = row.refs.flatMap((k) => need(k, 'the price rows'));
          const cell = row.cells[j];
          const cellNotes = cell.refs.flatMap((k) => need(k, `the ${where} price`).filter((t) => k !== '*' || t.toLowerCase().includes(model.apiName)));
          const price = readPriceCell(cell, where, page);
          const rowFrom = latest(rowNotes.map((t) => footnoteInstants(t, where, page.zone).from));
          const cellTimes = cellNotes.map((t) => footnoteInstants(t, where, page.zone));
          const cellFrom = latest(cellTimes.map((t) => t.from));
          const cellUntil = cellTimes.map((t) => t.until).find(Boolean);
          const hoursNote = row.period && hours ? hours.notes[row.period] : undefined;
          for (const window of windows) {
            const conditions: Conditions = {};
            if (window) conditions.hours = window;
            const list: Observation = { model: id, component: row.component, currency: page.currency, unit: UNIT, conditions, amount: price.list ?? price.amount, kind: 'list' };
            if (rowFrom) list.validFrom = rowFrom;
            if (!price.promo && cellFrom) list.validFrom = cellFrom;
            if (!price.promo && cellUntil) list.validTo = cellUntil;
            if (hoursNote) list.note = hoursNote;
            if (price.list !== undefined || !price.promo) out.push(list);

            if (price.promo) {
              const promo: Observation = { model: id, component: row.component, currency: page.currency, unit: UNIT, conditions, amount: price.amount, kind: 'promo' };
              if (price.list !== undefined) promo.listAmount = price.list;
              const from = cellFrom ?? rowFrom;
              if (from) promo.validFrom = from;
              if (cellUntil) promo.validTo = cellUntil;
              promo.note = [`${price.promo} as the cell states`, cell.refs.length ? `footnote ${cell.refs.map((k) => `(${k})`).join(' ')}` : '', hoursNote ?? ''].filter(Boolean).join('; ');
              out.push(promo);
              // "…will be officially adjusted to 1/4 of the original price after the promotion ends on
              // …": the page announces that the promotional price becomes the list price at the end.
              const permanent = cellNotes.some((t) => PERMANENT_QUARTER.test(t));
              if (permanent && cellUntil && price.list !== undefined) {
                if (!new Decimal(price.list).div(4).eq(price.amount))
                  throw new LayoutChangedError(`${where}: the footnote makes 1/4 of ${price.list} the new price, but the cell shows ${price.amount}`);
                list.validTo = cellUntil;
                out.push({ ...list, amount: price.amount, validFrom: cellUntil, validTo: undefined, note: 'list price from the end of the promotion: 1/4 of the original price, as the footnote states' });
              }
            }
          }
          row.refs.forEach((k) => noteKeys.add(k));
          cell.refs.forEach((k) => noteKeys.add(k));
          return out;
        },
        { scope: [{ model: id, component: row.component, currency: page.currency }] },
      );
      coverage.row(read !== undefined);
      if (read) observations.push(...read);
    }
  });

  const observedModels: ObservedModel[] = models.map((m, j) => {
    const out: ObservedModel = { id: `deepseek/${m.apiName}`, name: m.apiName };
    if (contextWindow[j]) out.contextWindow = contextWindow[j];
    if (maxOutput[j]) out.maxOutput = maxOutput[j];
    const aliases = m.refs.flatMap((k) => aliasesIn(footnotes.get(k) ?? [], models, m));
    if (aliases.length > 0) out.aliases = aliases;
    m.refs.filter((k) => footnotes.has(k)).forEach((k) => noteKeys.add(k));
    return out;
  });

  const notes = [...table.notes];
  for (const key of [...noteKeys].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) for (const t of footnotes.get(key) ?? []) notes.push(key === '*' ? `* ${t}` : `(${key}) ${t}`);
  const result: ParseResult = { provider: 'deepseek', coverage: coverage.build(), observations, models: observedModels };
  if (notes.length > 0) result.notes = notes;
  return result;
}

type StatedHoursOf = ReturnType<typeof readPeakHours>;

const ROW_NAMES: Record<Component, string> = {
  input: 'CACHE MISS input',
  cache_read: 'CACHE HIT input',
  output: 'OUTPUT',
};

function readPriceRow(labels: GridCell[], cells: GridCell[]): PriceRow {
  const what = labels[1]?.text ?? '';
  const upper = what.toUpperCase();
  if (!/1M|百万/.test(upper)) throw new LayoutChangedError(`price row "${what}" does not say it is per 1M tokens`);
  let component: Component;
  if (/CACHE MISS|缓存未命中/.test(upper)) component = 'input';
  else if (/CACHE HIT|缓存命中/.test(upper)) component = 'cache_read';
  else if (/OUTPUT|输出/.test(upper)) component = 'output';
  else throw new LayoutChangedError(`unknown price row "${what}"`);
  let period: Period | undefined;
  if (labels[2]) {
    const p = labels[2].text.toUpperCase();
    if (/OFF-PEAK|OFF PEAK|空闲|闲时|低谷/.test(p)) period = 'off-peak';
    else if (/PEAK|高峰/.test(p)) period = 'peak';
    else throw new LayoutChangedError(`unknown price sub-row "${labels[2].text}" under "${what}"`);
  }
  return { component, period, labelText: what, refs: [...new Set(labels.flatMap((l) => l.refs))], cells };
}

function readMaxOutput(text: string, model: string): number | undefined {
  const m = /(?:MAXIMUM|MAX|最大)\s*[:：]?\s*(\d+(?:\.\d+)?\s*[KM])/i.exec(text) ?? /^\s*(\d+(?:\.\d+)?\s*[KM])\s*$/i.exec(text);
  return m ? parseTokenCount(m[1], `MAX OUTPUT of ${model}`) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Price cells

interface CellPrice {
  /** The price to pay: the promotional one when the cell shows a promotion. */
  amount: string;
  /** The list price printed beside a promotion, when the cell shows one. */
  list?: string;
  /** The promotion as stated, e.g. "75% off". */
  promo?: string;
}

const DISCOUNT = /(\d+(?:\.\d+)?)\s*%\s*off|(\d+(?:\.\d+)?)\s*折/i;

/**
 * "$0.14" → list. "$0.435 (75% off) $1.74" → promo 0.435 over list 1.74 (the discount must match
 * exactly). "$0.435 (limited-time 75% off)" → promo without a shown list price. Anything else is
 * refused, and so is an amount outside the plausible bounds (scrapers/_kit/money.ts).
 */
function readPriceCell(cell: GridCell, where: string, page: Page): CellPrice {
  const tokens = moneyTokens(cell.text);
  if (tokens.length === 0) throw new LayoutChangedError(`${where}: no price in "${cell.text}"`);
  if (tokens.length > 2) throw new LayoutChangedError(`${where}: more than two prices in "${cell.text}"`);
  const amounts = tokens.map((t) => {
    const money = parseMoney(t, where);
    if (money.currency !== page.currency)
      throw new LayoutChangedError(`${where}: price "${t.trim()}" is in ${money.currency} but ${page.url} is the ${LANG_NAME[page.lang]} page`);
    assertPlausible(money.amount, page.currency, UNIT, where);
    return money.amount;
  });
  const discount = DISCOUNT.exec(cell.text);
  let rest = cell.text;
  for (const t of tokens) rest = rest.replace(t, ' ');
  if (discount) rest = rest.replace(discount[0], ' ');
  rest = rest.replace(/limited[- ]time|限时|优惠|[()（）\s]/gi, '');
  if (rest !== '') throw new LayoutChangedError(`${where}: unrecognised price cell "${cell.text}"`);
  if (!discount) {
    if (tokens.length !== 1) throw new LayoutChangedError(`${where}: two prices without a stated discount in "${cell.text}"`);
    return { amount: amounts[0] };
  }
  const pctOff = discount[1] !== undefined ? normalizeAmount(discount[1]) : zheToPercentOff(discount[2]);
  const promo = discount[1] !== undefined ? `${pctOff}% off` : `${discount[2]}折 (${pctOff}% off)`;
  if (tokens.length === 1) return { amount: amounts[0], promo };
  const [amount, list] = amounts;
  const expected = applyPercentOff(list, pctOff);
  if (compareDecimal(amount, expected) !== 0) throw new LayoutChangedError(`${where}: ${promo} of ${list} is ${expected}, but the cell shows ${amount}`);
  return { amount, list, promo };
}

// ---------------------------------------------------------------------------------------------
// Footnotes: dates

const UNTIL_WORDS = /until|till|through|ends? on|ending|expires?|截止|截至|结束|到期|为止/i;
const FROM_WORDS = /from|takes effect|effective|starting|starts|起|开始/i;

/**
 * Dated statements in a footnote, in the zone each states ("15:59 UTC", "北京时间 …"), else in the
 * page's zone. A stated end minute runs through that minute ("valid until 2026/05/05 15:59 UTC" →
 * 2026-05-05T16:00:00Z); a date without a time starts at that day's local midnight, and "until" a
 * bare date runs through that day.
 */
export function footnoteInstants(text: string, where: string, pageZone: string): { from?: string; until?: string } {
  const out: { from?: string; until?: string } = {};
  for (const m of text.matchAll(NUMERIC_DATE_TIME)) {
    const at = m.index ?? 0;
    const before = text.slice(0, at).split(/[。；;]|\.\s/).pop() ?? '';
    const after = text.slice(at + m[0].length, at + m[0].length + 40);
    const zone = zoneAround(before, after) ?? pageZone;
    const [y, mo, d] = m.slice(1, 4).map(Number);
    const hasTime = m[4] !== undefined;
    const local = { year: y, month: mo, day: d, hour: hasTime ? Number(m[4]) : 0, minute: hasTime ? Number(m[5]) : 0 };
    const context = `${before} ${after}`;
    if (UNTIL_WORDS.test(context)) {
      if (hasTime) out.until ??= untilStatedMinute(local, zone, where);
      else out.until ??= toIso(localToInstant({ year: y, month: mo, day: d, hour: 24, minute: 0 }, zone, where));
    } else if (FROM_WORDS.test(context)) out.from ??= hasTime ? toIso(localToInstant(local, zone, where)) : dayStart(local, zone, where);
  }
  return out;
}

function latest(values: (string | undefined)[]): string | undefined {
  return values.filter((v): v is string => Boolean(v)).sort().pop();
}

/** Other DeepSeek API names a model's footnote maps onto it ("deepseek-chat … correspond to … deepseek-v4-flash"). */
function aliasesIn(texts: string[], models: ModelColumn[], model: ModelColumn): { alias: string; note: string }[] {
  const own = new Set(models.map((m) => m.apiName));
  const out: { alias: string; note: string }[] = [];
  for (const text of texts) {
    if (!text.toLowerCase().includes(model.apiName)) continue;
    for (const name of new Set((text.match(/deepseek-[a-z0-9][a-z0-9.-]*[a-z0-9]/gi) ?? []).map((n) => n.toLowerCase())))
      if (!own.has(name)) out.push({ alias: `deepseek/${name}`, note: text });
  }
  return out;
}

const scraper: Scraper = {
  id: 'deepseek',
  name: 'DeepSeek',
  homepage: 'https://www.deepseek.com',
  pages: PAGES.map(({ url, currency, lang, zone }) => ({ url, currency, lang, zone })),
  kind: 'static',
  parse: parseDeepSeek,
  // Two models × three components is the smallest table DeepSeek has published.
  minRows: 6,
  // Promotions (75% off) and off-peak halving are real moves of this size; larger ones need a second look.
  changeThreshold: 0.5,
};

export default scraper;
