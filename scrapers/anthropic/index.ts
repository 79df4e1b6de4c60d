// Anthropic: https://platform.claude.com/docs/en/about-claude/pricing, read as the site's Markdown
// export (served at the same URL + ".md"). Sections used: "Model pricing" (base, 5m/1h cache
// writes, cache hits, output), "Batch processing", "Long context pricing", "Fast mode pricing" and
// "Data residency pricing". All prices are "$X / MTok" in USD. The model table is the page's core
// (without it the page is refused); every other section, and every row, is read through `optional`
// (scrapers/_kit/coverage.ts): a reworded sentence or a section pricing one row twice costs that
// section only, recorded in the result's coverage. Dates in row labels state no zone: they are
// read in the page's declared zone, UTC.
//
// Model ids follow the documented display-name rule (DESIGN §3, Anthropic's API alias form):
// "Claude Opus 4.6" → anthropic/claude-opus-4-6 — lowercase, spaces and dots become dashes;
// Claude 3.x keeps its API order: "Claude Sonnet 3.7" → anthropic/claude-3-7-sonnet.
import { BadInputError, LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, CoverageScope, Observation, ObservedModel, ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';
import { lowerBound } from '../_kit/context.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { assertPlausible, multiply, parseDisplayedNumber, readMoneyCell } from '../_kit/money.ts';
import { dayEnd, dayStart, parseEnglishDate } from '../_kit/time.ts';
import { type MdTable, type Section, inlineText, notesIn, paragraphsIn, sections, stripFrontMatter, tablesIn } from '../_kit/markdown.ts';

const PAGE_URL = 'https://platform.claude.com/docs/en/about-claude/pricing';
const UNIT = '1M tokens';
/** The page states no zone for its dates. */
const PAGE_ZONE = 'UTC';

type BaseComponent = { component: 'input' | 'cache_write' | 'cache_read' | 'output'; cacheTtl?: '5m' | '1h' };

/** Model table columns, matched on the header text. */
const MODEL_TABLE_COLUMNS: { header: RegExp; label: string; as: BaseComponent }[] = [
  { header: /^Base Input Tokens$/i, label: 'Base Input Tokens', as: { component: 'input' } },
  { header: /^5m Cache Writes$/i, label: '5m Cache Writes', as: { component: 'cache_write', cacheTtl: '5m' } },
  { header: /^1h Cache Writes$/i, label: '1h Cache Writes', as: { component: 'cache_write', cacheTtl: '1h' } },
  { header: /^Cache Hits( & Refreshes)?$/i, label: 'Cache Hits & Refreshes', as: { component: 'cache_read' } },
  { header: /^Output Tokens$/i, label: 'Output Tokens', as: { component: 'output' } },
];

/** A model row label: display name, optional status "(deprecated)", optional date qualifier. */
interface ModelLabel {
  name: string;
  id: string;
  status?: string;
  validFrom?: string;
  validTo?: string;
  /** The qualifier as printed, e.g. "through August 31, 2026". */
  qualifier?: string;
}

/** One row of the model table: the label and its five prices. */
interface BaseRow {
  label: ModelLabel;
  prices: { as: BaseComponent; amount: string }[];
}

export function modelIdFor(displayName: string): string {
  // Claude 3.x models put the version first in their API names (claude-3-7-sonnet, claude-3-haiku);
  // from Claude 4 on the family comes first (claude-opus-4-6). Follow the API's own alias form.
  const legacy = /^claude\s+(opus|sonnet|haiku)\s+(3(?:\.\d+)?)$/i.exec(displayName.trim());
  if (legacy) return `anthropic/claude-${legacy[2].replace('.', '-')}-${legacy[1].toLowerCase()}`;
  return `anthropic/${displayName.toLowerCase().replace(/[ .]+/g, '-')}`;
}

export function parseAnthropic(text: string, ctx: ParseContext): ParseResult {
  const url = ctx.url.replace(/[?#].*$/, '').replace(/\.md$/, '').replace(/\/+$/, '');
  if (url !== PAGE_URL) throw new BadInputError(`anthropic: unknown page ${ctx.url}; known: ${PAGE_URL}`);
  assertRealPage(text, 'markdown');
  const body = stripFrontMatter(text);
  const all = sections(body);

  const stated = /All prices are in ([A-Z]{3})\b/.exec(body);
  if (stated && stated[1] !== 'USD') throw new LayoutChangedError(`the page says all prices are in ${stated[1]}, expected USD`);
  const modelSection = all.find((s) => /^Model pricing$/i.test(s.title));
  if (!modelSection) {
    const firstHeading = all.find((s) => s.level > 0)?.title ?? '';
    if (/[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(firstHeading)) throw new LayoutChangedError(`the page is not in English ("${firstHeading}") but ${PAGE_URL} is the English page`);
    throw new LayoutChangedError('no "Model pricing" section');
  }

  const notes: string[] = [];
  const coverage = new CoverageBuilder([{ currency: 'USD' }]);
  const baseRows = readModelTable(modelSection, notes, coverage);
  const names = new Map<string, ModelLabel>();
  for (const row of baseRows) names.set(row.label.name, row.label);

  const observations: Observation[] = [];
  const seen = new Set<string>();
  /** One section's rows, added only when the section prices no row twice (else the section is unread). */
  const section = (name: string, scope: CoverageScope[] | undefined, read: (push: (o: Observation) => void) => void): void => {
    const got = coverage.optional(
      name,
      () => {
        const mine: Observation[] = [];
        read((o) => mine.push(o));
        const keys = new Set<string>();
        for (const o of mine) {
          const key = seriesKey(o);
          if (seen.has(key) || keys.has(key)) throw new LayoutChangedError(`${o.model} ${o.component} ${JSON.stringify(o.conditions)} is priced twice on the page`);
          keys.add(key);
        }
        return { mine, keys };
      },
      { scope },
    );
    if (!got) return;
    for (const k of got.keys) seen.add(k);
    observations.push(...got.mine);
  };
  section('Model pricing', [{ conditions: {} }, { conditions: { cacheTtl: '5m' } }, { conditions: { cacheTtl: '1h' } }], (push) => {
    for (const row of baseRows)
      for (const p of row.prices) push(observation(row.label, p.as.component, p.amount, withTtl({}, p.as), datedNote(row.label)));
  });

  const batch = findSection(all, /^Batch processing$/i);
  if (batch) section('Batch processing', [{ conditions: { serviceTier: 'batch' } }], (push) => readBatch(batch, names, baseRows, push, coverage));
  else coverage.unread('Batch processing', 'no "Batch processing" section', [{ conditions: { serviceTier: 'batch' } }]);

  const longContext = findSection(all, /^Long context pricing$/i);
  if (longContext) section('Long context pricing', undefined, (push) => readLongContext(longContext, names, push, coverage));

  const fast = findSection(all, /^Fast mode pricing$/i);
  if (fast) section('Fast mode pricing', [{ conditions: { variant: 'fast-mode' } }], (push) => readFastMode(fast, names, push, coverage));

  const residency = findSection(all, /^Data residency pricing$/i);
  if (residency)
    section('Data residency pricing', [{ conditions: { variant: 'us-only' } }, { conditions: { variant: 'us-only', cacheTtl: '5m' } }, { conditions: { variant: 'us-only', cacheTtl: '1h' } }], (push) =>
      readDataResidency(residency, baseRows, push),
    );

  const models: ObservedModel[] = [...names.values()].map((l) => ({ id: l.id, name: l.name }));
  const result: ParseResult = { provider: 'anthropic', coverage: coverage.build(), observations, models };
  for (const n of notesIn(modelSection)) if (/\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}\b/.test(n)) notes.push(n);
  if (notes.length > 0) result.notes = notes;
  return result;
}

function findSection(all: Section[], title: RegExp): Section | undefined {
  return all.find((s) => s.level >= 2 && title.test(s.title));
}

function observation(label: ModelLabel, component: string, amount: string, conditions: Conditions, note?: string): Observation {
  const o: Observation = { model: label.id, component, currency: 'USD', unit: UNIT, conditions, amount, kind: 'list' };
  if (label.validFrom) o.validFrom = label.validFrom;
  if (label.validTo) o.validTo = label.validTo;
  if (note) o.note = note;
  return o;
}

function withTtl(conditions: Conditions, as: BaseComponent): Conditions {
  return as.cacheTtl ? { ...conditions, cacheTtl: as.cacheTtl } : conditions;
}

function datedNote(label: ModelLabel): string | undefined {
  return label.qualifier ? `row label "${label.name} ${label.qualifier}"; the page states no time zone, read in its declared zone ${PAGE_ZONE}` : undefined;
}

function seriesKey(o: Observation): string {
  return JSON.stringify([o.model, o.component, o.conditions, o.kind, o.validFrom, o.validTo]);
}

// ---------------------------------------------------------------------------------------------
// Labels, amounts, model lists

/**
 * "Claude Opus 4.1 ([deprecated](…))", "Claude Sonnet 5 [through August 31, 2026](…)",
 * "Claude Sonnet 5 starting September 1, 2026". "through D" means to the end of that day:
 * validTo is the next midnight UTC; "starting D" gives validFrom D 00:00 UTC.
 */
function readModelLabel(raw: string, where: string): ModelLabel {
  const text = inlineText(raw);
  const m = /^(Claude(?: [A-Z][A-Za-z]*)+ \d+(?:\.\d+)?)(?: \(([^)]+)\))?(?: (through|until|starting|from) ([A-Z][a-z]+ \d{1,2}, \d{4}))?$/.exec(text);
  if (!m) throw new LayoutChangedError(`${where}: unrecognised model label "${text}"`);
  const label: ModelLabel = { name: m[1], id: modelIdFor(m[1]) };
  if (m[2]) label.status = m[2];
  if (m[3]) {
    const day = parseEnglishDate(m[4], where);
    label.qualifier = `${m[3]} ${m[4]}`;
    if (m[3] === 'through' || m[3] === 'until') label.validTo = dayEnd(day, PAGE_ZONE, where);
    else label.validFrom = dayStart(day, PAGE_ZONE, where);
  }
  return label;
}

/** "$12.50 / MTok", "\$3 / MTok", "Input: $6 / MTok" → { amount: "12.5", prefix }. */
function readMTok(raw: string, where: string): { amount: string; prefix?: 'input' | 'output' } {
  const text = inlineText(raw);
  const m = /^(?:(Input|Output):\s*)?(.*)$/i.exec(text)!;
  const money = readMoneyCell(m[2], where, { currency: 'USD' });
  if (!money || money.free || money.per !== 'mtok') throw new LayoutChangedError(`${where}: "${text}" is not a "$X / MTok" price`);
  assertPlausible(money.amount, 'USD', UNIT, where);
  return { amount: money.amount, prefix: m[1] ? (m[1].toLowerCase() as 'input' | 'output') : undefined };
}

/** "Claude Sonnet 4.6 / 4.5 / 4" or "Claude Opus 5 / Claude Opus 4.8" → display names on the model table. */
function expandModelList(raw: string, names: Map<string, ModelLabel>, where: string): string[] {
  let family = '';
  return inlineText(raw)
    .split(/\s*\/\s*/)
    .map((part) => {
      const full = /^(Claude(?: [A-Z][A-Za-z]*)+) (\d+(?:\.\d+)?)$/.exec(part);
      if (full) family = full[1];
      else if (!(/^\d+(?:\.\d+)?$/.test(part) && family)) throw new LayoutChangedError(`${where}: unrecognised model "${part}"`);
      return known(full ? part : `${family} ${part}`, names, where);
    });
}

/** Models named in prose ("When using Claude Sonnet 4 or Sonnet 4.5 …", "Currently supported on Opus 4.6:"). */
function modelsMentioned(text: string, names: Map<string, ModelLabel>, where: string): string[] {
  const families = [...new Set([...names.keys()].map((n) => n.split(' ')[1]))];
  const re = new RegExp(`\\b(?:Claude )?(${families.join('|')}) (\\d+(?:\\.\\d+)?)\\b`, 'g');
  const out = [...new Set([...text.matchAll(re)].map((m) => known(`Claude ${m[1]} ${m[2]}`, names, where)))];
  if (out.length === 0) throw new LayoutChangedError(`${where}: the table has no model column and the text above it names no model`);
  return out;
}

function known(name: string, names: Map<string, ModelLabel>, where: string): string {
  if (!names.has(name)) throw new LayoutChangedError(`${where}: "${name}" is not in the model pricing table`);
  return name;
}

function columnIndex(table: MdTable, header: RegExp): number {
  return table.header.findIndex((h) => header.test(inlineText(h)));
}

// ---------------------------------------------------------------------------------------------
// Sections

function readModelTable(section: Section, notes: string[], coverage: CoverageBuilder): BaseRow[] {
  const table = tablesIn(section).find((t) => /^Model$/i.test(inlineText(t.header[0] ?? '')));
  if (!table) throw new LayoutChangedError('"Model pricing" has no table with a Model column');
  const columns = MODEL_TABLE_COLUMNS.map((c) => {
    const index = columnIndex(table, c.header);
    if (index < 0) throw new LayoutChangedError(`model pricing table has no "${c.label}" column`);
    return { ...c, index };
  });
  if (table.rows.length === 0) throw new LayoutChangedError('model pricing table has no rows');
  const out: BaseRow[] = [];
  table.rows.forEach((cells, r) => {
    // A row whose label is readable but whose prices are not is unread for that model only.
    let label: ModelLabel | undefined;
    const row = coverage.optional(
      `model pricing row ${r + 1}`,
      () => {
        label = readModelLabel(cells[0], `model pricing row ${r + 1}`);
        if (cells.length !== table.header.length) throw new LayoutChangedError(`model pricing table row ${r + 1} (${label.name}) has ${cells.length} of ${table.header.length} cells`);
        return { label, prices: columns.map((c) => ({ as: c.as, amount: readMTok(cells[c.index], `${label!.name} ${c.label}`).amount })) };
      },
      { scope: () => (label ? [{ model: label.id }] : undefined) },
    );
    coverage.row(row !== undefined);
    if (!row) return;
    if (row.label.status) notes.push(`${row.label.name}: marked "${row.label.status}" in the model pricing table`);
    out.push(row);
  });
  if (out.length === 0) throw new LayoutChangedError('no row of the model pricing table could be read');
  return out;
}

function readBatch(section: Section, names: Map<string, ModelLabel>, baseRows: BaseRow[], push: (o: Observation) => void, coverage: CoverageBuilder): void {
  const table = tablesIn(section).find((t) => /^Model$/i.test(inlineText(t.header[0] ?? '')));
  if (!table) throw new LayoutChangedError('"Batch processing" has no table with a Model column');
  const input = columnIndex(table, /^Batch input$/i);
  const output = columnIndex(table, /^Batch output$/i);
  if (input < 0 || output < 0) throw new LayoutChangedError('batch table lacks a "Batch input" or "Batch output" column');
  const seen = new Set<string>();
  table.rows.forEach((cells, r) => {
    let label: ModelLabel | undefined;
    const done = coverage.optional(
      `batch row ${r + 1}`,
      () => {
        label = readModelLabel(cells[0], `batch row ${r + 1}`);
        known(label.name, names, `batch row ${r + 1}`);
        const prices = (['input', 'output'] as const).map((component) => ({ component, amount: readMTok(cells[component === 'input' ? input : output] ?? '', `${label!.name} batch ${component}`).amount }));
        seen.add(`${label.name} ${label.qualifier ?? ''}`);
        for (const p of prices) push(observation(label, p.component, p.amount, { serviceTier: 'batch' }, datedNote(label)));
        return true;
      },
      { scope: () => (label ? [{ model: label.id, conditions: { serviceTier: 'batch' } }] : undefined) },
    );
    coverage.row(done === true);
  });
  // Every model so far has had a batch price; a missing one means a cut-off copy or a new layout:
  // its batch prices are unknown, not removed.
  for (const row of baseRows) {
    const key = `${row.label.name} ${row.label.qualifier ?? ''}`;
    if (!seen.has(key)) coverage.unread(`batch row for ${key.trim()}`, `batch table has no row for ${key.trim()} (cut off?)`, [{ model: row.label.id, conditions: { serviceTier: 'batch' } }]);
  }
}

/**
 * Long-context premium rows, in the three layouts the page has used: a two-column table with the
 * models named in the sentence above it (Jan 2026), a Model column with "Input:"/"Output:" cells
 * and continuation rows (Mar 2026), and a Model column with the component in the header (Mar 2026).
 * Only the "> 200K" columns are read; the "≤ 200K" ones repeat the base price.
 */
function readLongContext(section: Section, names: Map<string, ModelLabel>, push: (o: Observation) => void, coverage: CoverageBuilder): void {
  for (const table of tablesIn(section)) {
    const hasModel = /^Model$/i.test(inlineText(table.header[0] ?? ''));
    const above = table.header.map((h) => {
      const m = /^(>\s*\d+(?:\.\d+)?\s*[KkMm]?) input tokens\s*(Input|Output)?$/i.exec(inlineText(h));
      const bound = m ? lowerBound(m[1], 'long context header') : undefined;
      return m && bound ? { bound, component: m[2]?.toLowerCase() as 'input' | 'output' | undefined } : undefined;
    });
    if (!above.some(Boolean)) throw new LayoutChangedError(`long context table has no "> 200K input tokens" column: ${table.header.map(inlineText).join(' | ')}`);
    let models = hasModel ? [] : modelsMentioned(table.intro, names, 'long context table');
    for (const cells of table.rows) {
      if (hasModel && inlineText(cells[0] ?? '') !== '') models = expandModelList(cells[0], names, 'long context table');
      if (models.length === 0) throw new LayoutChangedError('long context table row has no model');
      above.forEach((col, i) => {
        if (!col) return;
        const where = `long context ${models.join(', ')}`;
        const price = readMTok(cells[i] ?? '', where);
        const component = price.prefix ?? col.component;
        if (!component) throw new LayoutChangedError(`${where}: cell "${cells[i]}" does not say Input or Output`);
        for (const name of models) push(observation(names.get(name)!, component, price.amount, { contextAbove: col.bound.contextAbove }, 'long context: requests over the threshold pay this rate for all their tokens'));
      });
      coverage.row(true);
    }
  }
}

function readFastMode(section: Section, names: Map<string, ModelLabel>, push: (o: Observation) => void, coverage: CoverageBuilder): void {
  const tables = tablesIn(section);
  if (tables.length === 0) throw new LayoutChangedError('"Fast mode pricing" has no table');
  const stated = /premium pricing \((\d+(?:\.\d+)?)x standard rates\)/i.exec(paragraphsIn(section).join(' '));
  const note = `fast mode (research preview): the table's price${stated ? `; the page calls it ${stated[1]}x standard rates` : ''}`;
  for (const table of tables) {
    const hasModel = /^Model$/i.test(inlineText(table.header[0] ?? ''));
    // February 2026: a "Context window" column splits the price at "> 200K input tokens".
    const contextCol = columnIndex(table, /^Context window$/i);
    const input = columnIndex(table, /^Input$/i);
    const output = columnIndex(table, /^Output$/i);
    if (input < 0 || output < 0) throw new LayoutChangedError('fast mode table lacks an Input or Output column');
    for (const cells of table.rows) {
      const models = hasModel ? expandModelList(cells[0], names, 'fast mode table') : modelsMentioned(table.intro, names, 'fast mode table');
      const conditions: Conditions = { variant: 'fast-mode' };
      if (contextCol >= 0) {
        const cell = inlineText(cells[contextCol] ?? '');
        const above = lowerBound(cell, 'fast mode context window');
        if (above) conditions.contextAbove = above.contextAbove;
        else if (!/^(≤|<=)\s*\d+(?:\.\d+)?\s*[KkMm]? input tokens$/.test(cell)) throw new LayoutChangedError(`fast mode table: context window "${cell}" is neither "≤ N" nor "> N input tokens"`);
        if (above?.inclusive) throw new LayoutChangedError(`fast mode table: context window "${cell}" is inclusive, the page's long-context rule is "over"`);
      }
      for (const [component, index] of [['input', input], ['output', output]] as const) {
        const amount = readMTok(cells[index] ?? '', `fast mode ${component}`).amount;
        for (const name of models) push(observation(names.get(name)!, component, amount, { ...conditions }, note));
      }
      coverage.row(true);
    }
  }
}

/** Version of a display name: "Claude Opus 4.6" → [4, 6]. */
function version(name: string): number[] {
  return name.split(' ').pop()!.split('.').map(Number);
}

function atLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < Math.max(v.length, min.length); i++) if ((v[i] ?? 0) !== (min[i] ?? 0)) return (v[i] ?? 0) > (min[i] ?? 0);
  return true;
}

/**
 * "For Claude 4.6 and later models, specifying US-only inference … incurs a 1.1x multiplier on all
 * token pricing categories": every model-table price of the models with that version or later,
 * multiplied exactly. "Claude Opus 4.6 and newer models" (March 2026) is read the same way, by version.
 */
function readDataResidency(section: Section, baseRows: BaseRow[], push: (o: Observation) => void): void {
  const text = paragraphsIn(section).join(' ');
  // "For Claude 4.6 and later models", "For Claude Opus 4.6 and newer models" and (April 2026)
  // "For Claude Opus 4.7, Claude Opus 4.6, and newer models": the lowest version named and later.
  const NAME = 'Claude(?: [A-Z][a-z]+)? \\d+(?:\\.\\d+)?';
  const m = new RegExp(`For ((?:${NAME}, )*${NAME},? and (?:newer|later) models), specifying US-only inference (?:via|through) the inference_geo parameter incurs a (\\d+(?:\\.\\d+)?)x multiplier on all token pricing categories`).exec(text);
  if (!m) throw new LayoutChangedError('"Data residency pricing": the US-only multiplier sentence has changed');
  const multiplier = parseDisplayedNumber(m[2], 'data residency multiplier');
  const named = [...m[1].matchAll(/(\d+(?:\.\d+)?)/g)].map((v) => v[1].split('.').map(Number));
  const lowest = named.reduce((lo, v) => (atLeast(lo, v) ? v : lo));
  const note = `US-only inference (inference_geo "us"): ${multiplier}x the standard price, as the page states for ${m[1]}`;
  for (const row of baseRows) {
    if (!atLeast(version(row.label.name), lowest)) continue;
    for (const p of row.prices) push(observation(row.label, p.as.component, multiply(p.amount, multiplier), withTtl({ variant: 'us-only' }, p.as), note));
  }
}

const scraper: Scraper = {
  id: 'anthropic',
  name: 'Anthropic',
  homepage: 'https://www.anthropic.com',
  // The Markdown export of the page (same content as the server-rendered HTML, far easier to read).
  pages: [{ url: `${PAGE_URL}.md`, currency: 'USD', lang: 'en', zone: PAGE_ZONE }],
  kind: 'static',
  parse: parseAnthropic,
  // The smallest copy (January 2026) yields 74 prices; a page with fewer than 40 has lost a table.
  minRows: 40,
  changeThreshold: 0.5,
};

export default scraper;
