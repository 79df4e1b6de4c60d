// OpenAI: https://platform.openai.com/docs/pricing (today at developers.openai.com), rendered by
// JavaScript: a browser scraper. The full model list appears after "All models"; Batch / Flex /
// Standard / Priority are tabs over one table each.
//
// parse() reads one line layout, that of the archived text conversions of the rendered page:
//   ### Section            (h3; "#### Sub" for h4)
//   Batch                  (a tier label line right before its table)
//   | Model | Input | Cached input | Output |
//   | --- | --- | --- | --- |
//   | gpt-5 | $1.25 | $0.125 | $10.00 |
// What the browser hands over is the rendered HTML of <main>; htmlToLines() turns it into the same
// layout (headings, each tab panel's label, tables as pipe rows), hidden tab panels included, so
// the text fixtures and a live render go through one parser.
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, Observation, ParseResult, ServiceTier } from '../../src/model.ts';
import type { ParseContext, Scraper } from '../../src/scrape/contract.ts';
import { blockedPageReason } from '../../src/scrape/page-guards.ts';
import { type ContextBound, contextConditions, tierAboveUpperBound } from '../_kit/context.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { assertPlausible, readMoneyCell } from '../_kit/money.ts';
import { htmlTablesToPipeLines, isSeparatorRow, splitPipeRow } from '../_kit/tables.ts';

const UNIT = '1M tokens';

/** Sections read, by heading ("h3" or "h3 > h4", lowercase) → suffix of their components. */
const SECTIONS: Record<string, string> = {
  'text tokens': '',
  'image tokens': '_image',
  'audio tokens': '_audio',
  embeddings: '',
  'legacy models': '',
  'transcription and speech generation > text tokens': '',
  'transcription and speech generation > audio tokens': '_audio',
};
// Not read: video (per second), fine-tuning (per fine-tuned model, training per hour), built-in
// tools and AgentKit (per call / per GB), image generation and "other models" (per image / minute).

const TIERS: Record<string, ServiceTier | undefined> = { standard: undefined, batch: 'batch', flex: 'flex', priority: 'priority' };

interface Column {
  component?: string; // undefined = a column we deliberately ignore
  /** "Short context …" / "Long context …" columns. */
  context?: 'short' | 'long';
  /** A column that is itself a tier ("Batch cost"). */
  tier?: ServiceTier;
}

function columnOf(header: string, section: string): Column | 'model' {
  const h = header.trim().toLowerCase().replace(/\s+/g, ' ');
  if (h === 'model') return 'model';
  if (h === 'estimated cost') return {}; // a per-minute estimate, not a list price
  if (h === 'cost') return { component: 'input' }; // embeddings: one input price
  if (h === 'batch cost') return { component: 'input', tier: 'batch' };
  const m = /^(?:(short|long) context )?(input|cached input|cache writes|cached writes|output)$/.exec(h);
  if (!m) throw new LayoutChangedError(`openai: unknown column "${header}" in section "${section}"`);
  const component = { input: 'input', 'cached input': 'cache_read', 'cache writes': 'cache_write', 'cached writes': 'cache_write', output: 'output' }[m[2]]!;
  return { component, context: m[1] as 'short' | 'long' | undefined };
}

/** "$1.60" → "1.6"; "Free" → free; "-" (or empty) → null: no price for that model there. */
function priceCell(raw: string, where: string): { amount: string; free?: true } | null {
  // The page prints fractional cents ("$2.125") and never a thousands separator in a price.
  const money = readMoneyCell(raw, `openai: ${where}`, { currency: 'USD', dotIsDecimal: true });
  if (!money) return null;
  if (money.per) throw new LayoutChangedError(`openai: ${where}: "${raw}" is not a plain dollar price`);
  assertPlausible(money.amount, 'USD', UNIT, `openai: ${where}`, { free: money.free });
  return money.free ? { amount: '0', free: true } : { amount: money.amount };
}

/**
 * "gpt-5.5 (<272K context length)" → name + the long-context bound the cell states: the short
 * columns apply below 272K, so the long ones from 272K on (inclusive).
 */
function modelCell(raw: string, where: string): { id: string; long?: ContextBound } {
  let cell = raw.replace(/\*\*/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim();
  let long: ContextBound | undefined;
  const q = /\s*\(\s*([^()]*?)\s*context length\s*\)\s*$/i.exec(cell);
  if (q) {
    long = tierAboveUpperBound(q[1], `openai: ${where}`);
    if (!long) throw new LayoutChangedError(`openai: ${where}: "${raw}" states a context length that is not an upper bound`);
    cell = cell.slice(0, q.index).trim();
  }
  const name = cell.toLowerCase();
  if (!/^[a-z0-9][a-z0-9._:-]*$/.test(name)) throw new LayoutChangedError(`openai: ${where}: "${raw}" is not an API model name`);
  return { id: `openai/${name}`, long };
}
/** A short label-like line (not a sentence) right before a table names its tab. */
const looksLikeLabel = (line: string) => line.length > 0 && line.length <= 24 && !/[.:!?)\]]$/.test(line) && !line.startsWith('|') && !line.startsWith('#');

export function parseOpenAi(text: string, _ctx: ParseContext): ParseResult {
  if (text.trim() === '') throw new LayoutChangedError('openai: empty page');
  const blocked = blockedPageReason(text);
  if (blocked) throw new LayoutChangedError(`openai: not the pricing page: ${blocked}`);
  const lines = /^\s*</.test(text) ? htmlToLines(text) : text.split(/\r?\n/).map((l) => l.trim());

  const observations: Observation[] = [];
  const seen = new Map<string, string>();
  const notes: string[] = [];
  const coverage = new CoverageBuilder([{ currency: 'USD' }]);
  let h3 = '';
  let h4 = '';
  let tier: ServiceTier | undefined;
  let lastText = ''; // the last non-blank, non-table line
  let table: { columns: (Column | 'model')[]; section: string; suffix: string } | undefined;
  let textTokenRows = 0;

  for (const line of lines) {
    if (!line.startsWith('|')) table = undefined;
    if (line === '') continue;
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      const title = heading[2].trim().toLowerCase();
      if (level <= 3) {
        h3 = level === 3 ? title : '';
        h4 = '';
      } else h4 = title;
      tier = undefined;
      lastText = line;
      continue;
    }
    if (!line.startsWith('|')) {
      const label = line.toLowerCase();
      if (label in TIERS) tier = TIERS[label];
      lastText = line;
      continue;
    }

    const cells = splitPipeRow(line);
    const section = h4 ? `${h3} > ${h4}` : h3;
    if (!table) {
      // A header row. Only sections we know are read; the tab label must be one we know.
      const suffix = SECTIONS[section];
      if (suffix === undefined) {
        table = { columns: [], section, suffix: 'skip' };
        continue;
      }
      if (looksLikeLabel(lastText) && !(lastText.toLowerCase() in TIERS) && !/^#/.test(lastText))
        throw new LayoutChangedError(`openai: unknown tab "${lastText}" before a table in "${section}"`);
      const columns = cells.map((c) => columnOf(c, section));
      if (columns[0] !== 'model') throw new LayoutChangedError(`openai: table in "${section}" does not start with a Model column`);
      if (!columns.some((c) => c !== 'model' && c.component)) throw new LayoutChangedError(`openai: table in "${section}" has no price column`);
      table = { columns, section, suffix };
      continue;
    }
    if (table.suffix === 'skip' || isSeparatorRow(cells)) continue;
    const current = table;
    // One row = one model's prices in this table; a row that cannot be read is unread for that
    // model only, and the cells a tier label governs are unread when the label is gone.
    let model: { id: string; long?: ContextBound } | undefined;
    const rowObs = coverage.optional(
      `${current.section}${tier ? ` (${tier})` : ''} row "${cells[0]}"`,
      () => {
        if (cells.length !== current.columns.length) throw new LayoutChangedError(`openai: row "${line}" in "${current.section}" has ${cells.length} cells, the header ${current.columns.length}`);
        model = modelCell(cells[0], current.section);
        const m = model;
        const out: Observation[] = [];
        let unplacedLong = 0;
        current.columns.forEach((col, i) => {
          if (col === 'model' || !col.component) return;
          const where = `${current.section}, ${m.id}, "${cells[i]}"`;
          const price = priceCell(cells[i], where);
          if (!price) return;
          const conditions: Conditions = {};
          if (col.context === 'long') {
            // The page states the bound in the model cell ("<272K context length"); never guess it.
            if (!m.long) {
              unplacedLong++;
              return;
            }
            Object.assign(conditions, contextConditions(m.long));
          }
          const serviceTier = col.tier ?? tier;
          if (serviceTier) conditions.serviceTier = serviceTier;
          const obs: Observation = { model: m.id, component: col.component + current.suffix, currency: 'USD', unit: UNIT, conditions, amount: price.amount, kind: 'list' };
          if (price.free) obs.free = true;
          out.push(obs);
        });
        if (unplacedLong > 0)
          coverage.unread(
            `${current.section} long-context cells of ${m.id}`,
            `${m.id}: ${unplacedLong} long-context price(s) shown, but the row states no context bound for them (no "(<272K context length)" label)`,
            [{ model: m.id }],
          );
        return out;
      },
      { scope: () => (model ? [{ model: model.id }] : undefined) },
    );
    coverage.row(rowObs !== undefined);
    for (const obs of rowObs ?? []) {
      const key = `${obs.model}|${obs.component}|${JSON.stringify(obs.conditions)}`;
      const before = seen.get(key);
      if (before !== undefined) {
        if (before !== obs.amount) throw new LayoutChangedError(`openai: ${obs.model} ${obs.component} ${JSON.stringify(obs.conditions)} listed twice: ${before} and ${obs.amount}`);
        continue; // the same price shown twice
      }
      seen.set(key, obs.amount);
      observations.push(obs);
    }
    if (current.section === 'text tokens') textTokenRows++;
  }

  // No text-token row at all is a page we do not know; rows that are all unread are a partial page.
  if (textTokenRows === 0) throw new LayoutChangedError('openai: no "Text tokens" price table on the page');
  const result: ParseResult = { provider: 'openai', coverage: coverage.build(), observations };
  if (notes.length) result.notes = notes;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Rendered HTML → the line layout above

const SKIP_TAGS = new Set(['script', 'style', 'template', 'noscript', 'svg', 'button', 'nav', 'head']);

/** Headings, paragraphs, tab-panel labels and tables of the rendered page, in document order. */
export function htmlToLines(html: string): string[] {
  const $ = cheerio.load(html);
  const out: string[] = [];
  const text = (el: AnyNode) => $(el).text().replace(/\s+/g, ' ').trim();

  const tabLabel = (panel: Element): string | undefined => {
    const aria = $(panel).attr('aria-label');
    if (aria) return aria.trim();
    const by = $(panel).attr('aria-labelledby');
    if (by) {
      const tab = $(`#${by.split(/\s+/)[0]}`);
      if (tab.length) return text(tab[0]);
    }
    return undefined;
  };

  const walk = (node: AnyNode): void => {
    if (node.type !== 'tag') return;
    const el = node as Element;
    const tag = el.tagName.toLowerCase();
    if (SKIP_TAGS.has(tag) || $(el).attr('role') === 'tablist') return;
    const h = /^h([1-6])$/.exec(tag);
    if (h) {
      out.push('', `${'#'.repeat(Math.min(Number(h[1]), 4))} ${text(el)}`, '');
      return;
    }
    if (tag === 'table') {
      out.push('', ...htmlTablesToPipeLines($, [el]), '');
      return;
    }
    if (tag === 'p' || tag === 'li') {
      const t = text(el);
      if (t) out.push('', t, '');
      return;
    }
    if ($(el).attr('role') === 'tabpanel') {
      const label = tabLabel(el);
      if (label) out.push('', label, '');
    }
    for (const child of el.children) walk(child);
  };

  const root = $('main').first().length ? $('main').first() : $('body').first();
  for (const node of root.length ? root.toArray() : $.root().children().toArray()) walk(node);
  // Collapse runs of blank lines.
  return out.filter((l, i) => !(l === '' && out[i - 1] === ''));
}

const scraper: Scraper = {
  id: 'openai',
  name: 'OpenAI',
  homepage: 'https://openai.com',
  // No date is read from this page; UTC if one ever is (the page states no zone).
  pages: [{ url: 'https://platform.openai.com/docs/pricing', currency: 'USD', lang: 'en', zone: 'UTC' }],
  kind: 'browser',
  browser: {
    // Price tables are rendered by JavaScript; their presence is the signal.
    waitFor: 'main table',
    // The full list needs "All models"; each tab of the token table renders its panel on first use.
    clicks: ['role=button[name="All models"]', 'role=tab[name="Batch"]', 'role=tab[name="Flex"]', 'role=tab[name="Priority"]', 'role=tab[name="Standard"]'],
    extract: { selector: 'main', as: 'html' },
  },
  parse: parseOpenAi,
  // The 2025 pages give ~370 observations; a page with fewer than 100 lost most of its tables.
  minRows: 100,
  changeThreshold: 0.5,
};

export default scraper;
