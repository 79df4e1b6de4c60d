// Google Gemini API: https://ai.google.dev/gemini-api/docs/pricing, also served as Markdown at
// …/pricing.md.txt. One section per model: a heading ("## Gemini 2.5 Pro"), a line of model codes
// (*`gemini-2.5-pro`*), a description, then one table per tab (Standard / Batch / Flex / Priority)
// with the columns "| | Free Tier | Paid Tier, per 1M tokens in USD |". Only the paid column is read
// (the free tier is a rate-limited trial, not a price).
//
// In a paid cell: "$1.25, prompts <= 200k tokens $2.50, prompts > 200k tokens" → two prices, the
// second with contextAbove 200000; "(text / image / video)" vs "(audio)" → `input` vs
// `input_audio`; "$4.50 / 1,000,000 tokens per hour (storage price)" → `cache_storage`, unit
// "1M tokens per hour". Per-image / per-second prices and tool quotas are not read.
//
// Archived text conversions lost most headings, model-code lines and tab labels (the 2025-10-15
// copy keeps them only for "Veo 3" and "Gemini 2.5 Computer Use Preview"). For those copies:
// - a section is identified by its description sentence, which Google's own docs pair with a model
//   code (DESCRIPTIONS below, with where each pairing is published);
// - its tables, without tab labels, are in the page's tab order: one table = Standard, two =
//   Standard then Batch (the second must have no free tier, as Batch never has one).
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions, Observation, ParseResult, ServiceTier } from '../../src/model.ts';
import type { ParseContext, Scraper } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';
import { lowerBound } from '../_kit/context.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { assertPlausible, parseMoney } from '../_kit/money.ts';
import { isSeparatorRow, splitPipeRow } from '../_kit/tables.ts';

const PAID_TOKENS = /^paid tier, per 1m tokens in usd$/i;
const TIER_LABELS: Record<string, ServiceTier | 'standard'> = { standard: 'standard', batch: 'batch', flex: 'flex', priority: 'priority' };

/**
 * Description sentence → model code, for copies whose headings and code lines were lost. Each
 * pairing is Google's: the same sentence stands under the code in a copy of this page dated
 * "Last updated 2025-10-02 UTC" (headings intact), and for most also in the model enum of Google's
 * Interactions API reference (https://ai.google.dev/api/interactions-api). A sentence the page uses
 * for two models lists both codes in page order (the n-th section with it is the n-th code).
 * `null`: the pairing changed around the copy's date, so the section is not attributed.
 */
const DESCRIPTIONS: [string, (string | null)[]][] = [
  ['Our state-of-the-art multipurpose model, which excels at coding and complex reasoning tasks.', ['gemini-2.5-pro']],
  ['Our first hybrid reasoning model which supports a 1M token context window and has thinking budgets.', ['gemini-2.5-flash']],
  ['The latest model based on the 2.5 Flash model.', ['gemini-2.5-flash-preview-09-2025']],
  // Gemini 2.5 Flash-Lite and, further down the page, Gemini 2.0 Flash-Lite share this sentence.
  ['Our smallest and most cost effective model, built for at scale usage.', ['gemini-2.5-flash-lite', 'gemini-2.0-flash-lite']],
  ['The latest model based on Gemini 2.5 Flash lite optimized for cost-efficiency, high throughput and high quality.', ['gemini-2.5-flash-lite-preview-09-2025']],
  // Named gemini-2.5-flash-preview-native-audio-dialog on 2025-10-02, while the page announced a new
  // native audio model (gemini-2.5-flash-native-audio-preview-09-2025): which one is meant is unknown.
  ['Our native audio models optimized for higher quality audio outputs', [null]],
  ['Our native image generation model, optimized for speed, flexibility, and contextual understanding.', ['gemini-2.5-flash-image']],
  ['Our 2.5 Flash text-to-speech audio model', ['gemini-2.5-flash-preview-tts']],
  ['Our 2.5 Pro text-to-speech audio model', ['gemini-2.5-pro-preview-tts']],
  ['Our most balanced multimodal model with great performance across all tasks', ['gemini-2.0-flash']],
  ['Our newest embeddings model', ['gemini-embedding-001']],
  ['Gemini Robotics-ER, short for Gemini Robotics-Embodied Reasoning', ['gemini-robotics-er-1.5-preview']],
];

interface Table {
  header: string[];
  rows: string[][];
  /** Tab label stated right before the table, if any. */
  tier?: ServiceTier | 'standard';
}

interface Section {
  heading?: string;
  codes: string[];
  paragraphs: string[];
  tables: Table[];
}

const isFootnote = (p: string) => /^\[\*+\]/.test(p);
const stripMd = (s: string) => s.replace(/<br\s*\/?>/gi, ' ').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\*\*/g, '').replace(/\s+/g, ' ').trim();

/** Splits the page into model sections (see the header comment for how lost headings are handled). */
function sections(text: string): Section[] {
  const lines = text.split(/\r?\n/);
  const out: Section[] = [];
  let cur: Section | undefined;
  let para: string[] = [];
  let tableLines: string[] | undefined;
  let pendingTier: ServiceTier | 'standard' | undefined;

  const start = (heading?: string) => {
    cur = { heading, codes: [], paragraphs: [], tables: [] };
    out.push(cur);
  };
  const flushPara = () => {
    if (!para.length) return;
    const p = para.join(' ').trim();
    para = [];
    if (!p) return;
    // Without headings, the first description after a section's tables starts the next section.
    if (!cur || (cur.tables.length > 0 && !isFootnote(p))) start();
    cur!.paragraphs.push(p);
  };
  const flushTable = () => {
    if (!tableLines) return;
    const rows = tableLines.map(splitPipeRow).filter((r) => !isSeparatorRow(r));
    tableLines = undefined;
    if (!cur) start();
    cur!.tables.push({ header: rows[0].map(stripMd), rows: rows.slice(1).map((r) => r.map(stripMd)), tier: pendingTier });
    pendingTier = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('|')) {
      flushPara();
      (tableLines ??= []).push(line);
      continue;
    }
    flushTable();
    const next = lines[i + 1]?.trim() ?? '';
    const atx = /^(#{1,6})\s+(.*)$/.exec(line);
    const setext = line && /^-{3,}$|^={3,}$/.test(next) && !line.startsWith('|');
    if (atx || setext) {
      flushPara();
      const title = stripMd(atx ? atx[2] : line);
      if (setext) i++;
      const tier = TIER_LABELS[title.toLowerCase()];
      if (tier) pendingTier = tier; // "### Standard" / "### Batch"
      else start(title);
      continue;
    }
    if (line === '') {
      flushPara();
      continue;
    }
    // A bare tab label line ("Standard") or the tab strip of a text conversion.
    const tier = TIER_LABELS[line.toLowerCase()];
    if (tier) {
      flushPara();
      pendingTier = tier;
      continue;
    }
    // The model-code line: *`gemini-2.5-pro`* or _`veo-3.0-generate-001`, `veo-3.0-fast-generate-001`_.
    const codeLine = /^[_*]*(\[?`[^`]+`(\]\([^)]*\))?[,\s]*)+[_*]*$/.test(line);
    if (codeLine) {
      flushPara();
      if (!cur || cur.tables.length > 0) start();
      cur!.codes.push(...[...line.matchAll(/`([^`]+)`/g)].map((m) => m[1].trim()));
      continue;
    }
    para.push(line);
  }
  flushTable();
  flushPara();
  return out;
}

interface Price {
  component: string;
  amount: string;
  unit: string;
  contextAbove?: number;
  free?: true;
}

/** The paid cell of one row → prices (empty for "Not available"). */
function paidPrices(label: string, cell: string, where: string): Price[] {
  const base =
    /^input price/i.test(label) ? 'input'
    : /^output price/i.test(label) ? 'output'
    : /^context caching price$/i.test(label) ? 'cache_read'
    : /^context caching \(storage\)$/i.test(label) ? 'cache_storage'
    : undefined;
  if (!base) return []; // grounding, Live API, tuning, image generation, data use: not token prices
  if (/^not available$/i.test(cell) || cell === '') return [];
  if (/^free of charge$/i.test(cell)) return [{ component: base, amount: '0', unit: base === 'cache_storage' ? '1M tokens per hour' : '1M tokens', free: true }];

  const pieces = cell.split(/(?=\\?\$\s*\d)/).map((p) => p.trim()).filter(Boolean);
  if (!pieces.length || !/^\\?\$/.test(pieces[0])) throw new LayoutChangedError(`google: ${where}: cannot read "${cell}"`);
  const out: Price[] = [];
  for (const piece of pieces) {
    const m = /^(\\?\$\s*\d+(?:\.\d+)?)\s*(.*)$/.exec(piece);
    if (!m) throw new LayoutChangedError(`google: ${where}: cannot read "${piece}"`);
    // The page prints fractional cents ("$0.0375") and never a thousands separator in a price.
    const amount = parseMoney(m[1], `google: ${where}`, { dotIsDecimal: true }).amount;
    let rest = m[2].replace(/^[,;]\s*/, '').trim();
    let component = base;
    let unit = '1M tokens';
    let contextAbove: number | undefined;

    if (/per image|per second|per 1,000 requests/i.test(rest)) continue; // not a token price
    if (/^\/\s*1,000,000 tokens per hour/i.test(rest)) {
      component = 'cache_storage';
      unit = '1M tokens per hour';
      rest = rest.replace(/^\/\s*1,000,000 tokens per hour\s*(\(storage price\))?/i, '').trim();
    } else if (/^\/\s*1,000,000 tokens\b/i.test(rest)) {
      rest = rest.replace(/^\/\s*1,000,000 tokens\s*/i, '').trim();
    }
    const tierMatch = /^prompts\s*(<=|>)\s*(\d+k)(?:\s+tokens?)?\s*/i.exec(rest);
    if (tierMatch) {
      if (tierMatch[1] === '>') contextAbove = lowerBound(`>${tierMatch[2]}`, `google: ${where}`)!.contextAbove;
      rest = rest.slice(tierMatch[0].length).trim();
    }
    const modality = /^\(([^)]*)\)\s*/.exec(rest);
    if (modality) {
      const kinds = modality[1].split('/').map((k) => k.trim().toLowerCase());
      // Text (with image/video) is the base price; audio (or audio/video) is its own component.
      if (kinds.includes('audio')) component = `${component}_audio`;
      else if (!kinds.every((k) => ['text', 'image', 'video'].includes(k))) throw new LayoutChangedError(`google: ${where}: unknown modality "(${modality[1]})"`);
      rest = rest.slice(modality[0].length).trim();
    }
    rest = rest.replace(/^\*+$/, '');
    if (rest !== '') throw new LayoutChangedError(`google: ${where}: unrecognised qualifier "${rest}" in "${cell}"`);
    assertPlausible(amount, 'USD', unit, `google: ${where}`);
    out.push({ component, amount, unit, contextAbove });
  }
  return out;
}

/** Assigns tab tiers to a section's token tables (labels if the page has them, else page order). */
function tiersOf(tables: Table[], where: string): (ServiceTier | 'standard')[] {
  if (tables.every((t) => t.tier)) return tables.map((t) => t.tier!);
  if (tables.some((t) => t.tier)) throw new LayoutChangedError(`google: ${where}: some tables have a tab label, some not`);
  if (tables.length === 1) return ['standard'];
  if (tables.length === 2) {
    const second = tables[1];
    const freeCol = second.header.findIndex((h) => /^free tier$/i.test(h));
    const noFreeTier = freeCol >= 0 && second.rows.every((r) => /^not available$/i.test(r[freeCol] ?? '') || /^used to improve/i.test(r[0]));
    if (!noFreeTier) throw new LayoutChangedError(`google: ${where}: the second unlabelled table has a free tier, so it is not the Batch tab`);
    return ['standard', 'batch'];
  }
  throw new LayoutChangedError(`google: ${where}: ${tables.length} unlabelled tables, cannot tell the tabs apart`);
}

export function parseGoogle(text: string, _ctx: ParseContext): ParseResult {
  assertRealPage(text, 'markdown');
  if (!/Paid Tier, per 1M tokens in USD/i.test(text)) throw new LayoutChangedError('google: no "Paid Tier, per 1M tokens in USD" table (page changed, or not the English pricing page)');

  const observations: Observation[] = [];
  const notes: string[] = [];
  const coverage = new CoverageBuilder([{ currency: 'USD' }]);
  const seen = new Map<string, string>();
  const descriptionUses = new Map<string, number>();
  const identified: string[] = [];

  for (const section of sections(text)) {
    const tokenTables = section.tables.filter((t) => t.header.some((h) => PAID_TOKENS.test(h)));
    const where = section.codes[0] ?? section.paragraphs.find((p) => DESCRIPTIONS.some(([d]) => p.startsWith(d)))?.slice(0, 50) ?? section.heading ?? 'a section';

    // Which model(s): the code line, else the description sentence. A section whose code line names
    // several models prices them all alike (its rows do not tell them apart).
    let codes: string[] | null | undefined = section.codes.length ? section.codes : undefined;
    let byDescription = false;
    if (!codes) {
      const description = section.paragraphs.find((p) => DESCRIPTIONS.some(([d]) => p.startsWith(d)));
      const entry = description ? DESCRIPTIONS.find(([d]) => description.startsWith(d)) : undefined;
      if (entry) {
        const n = descriptionUses.get(entry[0]) ?? 0;
        descriptionUses.set(entry[0], n + 1);
        if (n >= entry[1].length) throw new LayoutChangedError(`google: description "${entry[0]}" appears more often than known`);
        const code = entry[1][n];
        codes = code === null ? null : [code];
        byDescription = code !== null;
      }
    }
    if (!tokenTables.length) continue;

    // One model section at a time: a section that cannot be read is unread for its models only.
    const rowCount = tokenTables.reduce((n, t) => n + t.rows.length, 0);
    const sectionPrices = coverage.optional(
      `model section ${where}`,
      () => {
        const tiers = tiersOf(tokenTables, where);
        const out: Omit<Observation, 'model'>[] = [];
        tokenTables.forEach((table, ti) => {
          const paidCol = table.header.findIndex((h) => PAID_TOKENS.test(h));
          for (const row of table.rows) {
            if (row.length !== table.header.length) throw new LayoutChangedError(`google: ${where}: row "${row.join(' | ')}" has ${row.length} cells, the header ${table.header.length}`);
            for (const p of paidPrices(row[0], row[paidCol], `${where}, ${row[0]}`)) {
              const conditions: Conditions = {};
              if (p.contextAbove) conditions.contextAbove = p.contextAbove;
              if (tiers[ti] !== 'standard') conditions.serviceTier = tiers[ti] as ServiceTier;
              const price: Omit<Observation, 'model'> = { component: p.component, currency: 'USD', unit: p.unit, conditions, amount: p.amount, kind: 'list' };
              if (p.free) price.free = true;
              out.push(price);
            }
          }
        });
        return out;
      },
      { scope: codes ? codes.map((c) => ({ model: `google/${c}` })) : undefined, rows: rowCount },
    );
    if (!sectionPrices) continue;
    if (codes !== null) coverage.rows(rowCount, codes === undefined ? 0 : rowCount);
    if (!sectionPrices.length) continue; // e.g. Gemma: free tier only

    if (codes === null) {
      coverage.unread(`model section ${where}`, 'its model code is lost in this copy and its description named different models around this date');
      coverage.rows(rowCount, 0);
      notes.push(`Section "${where}…" not read: its model code is lost in this copy and its description named different models around this date.`);
      continue;
    }
    if (codes === undefined) {
      // Prices whose model cannot be told: unknown which, so this copy removes nothing.
      coverage.unread(`model section ${where}`, `section "${where}" has token prices but no model code and an unknown description`);
      continue;
    }
    for (const code of codes) if (!/^[a-z0-9][a-z0-9._-]*$/.test(code)) throw new LayoutChangedError(`google: "${code}" is not a model code`);
    if (byDescription) identified.push(...codes);
    if (codes.length > 1) notes.push(`One section prices ${codes.join(', ')} together; each gets its prices.`);
    for (const code of codes) {
      for (const price of sectionPrices) {
        const obs: Observation = { model: `google/${code}`, ...price };
        const key = `${obs.model}|${obs.component}|${JSON.stringify(obs.conditions)}`;
        const before = seen.get(key);
        if (before !== undefined && before !== obs.amount) throw new LayoutChangedError(`google: ${obs.model} ${obs.component} ${JSON.stringify(obs.conditions)} priced twice: ${before} and ${obs.amount}`);
        if (before !== undefined) continue;
        seen.set(key, obs.amount);
        observations.push(obs);
      }
    }
  }

  if (coverage.rowsOnPage === 0) throw new LayoutChangedError('google: no token prices found');
  if (identified.length)
    notes.unshift(`Model headings are missing in this copy; identified by their description sentence (as Google pairs them): ${identified.join(', ')}. Tables without tab labels read in tab order (Standard, Batch).`);
  const result: ParseResult = { provider: 'google', coverage: coverage.build(), observations };
  if (notes.length) result.notes = notes;
  return result;
}

const scraper: Scraper = {
  id: 'google',
  name: 'Google (Gemini API)',
  homepage: 'https://ai.google.dev',
  // No date is read from this page; its "Last updated" line is in UTC.
  pages: [{ url: 'https://ai.google.dev/gemini-api/docs/pricing.md.txt', currency: 'USD', lang: 'en', zone: 'UTC' }],
  kind: 'static',
  parse: parseGoogle,
  // The 2025-10-15 copy yields ~100 observations; far fewer means most sections were lost.
  minRows: 40,
  changeThreshold: 0.5,
};

export default scraper;
