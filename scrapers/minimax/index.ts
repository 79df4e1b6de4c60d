// MiniMax: pay-as-you-go pricing docs in English, https://platform.minimax.io/docs/pricing/pay-as-you-go,
// fetched as the docs site's Markdown export (the same URL + ".md"; USD). Read:
// - "## Text": | Model | Input | Output | Prompt caching Read | Prompt caching Write |, cells like
//   "\$0.3 / M tokens" → input / output / cache_read / cache_write per 1M tokens;
// - "## Audio", T2A rows: "• speech-2.6-turbo <br />• speech-02-turbo | \$60/M characters" → each
//   model's `input_characters` per 1M characters;
// - "## Image": "image-01 | \$0.0035 per image" → `output_image` per image.
// Not read: voice cloning / design (per voice, not per model), video (per clip by resolution and
// length) and music (per piece).
import { Decimal } from 'decimal.js';
import { LayoutChangedError } from '../../src/errors.ts';
import type { Observation, ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';

const splitRow = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
const isSeparator = (cells: string[]) => cells.every((c) => /^:?-{3,}:?$/.test(c));

interface Table {
  section: string;
  header: string[];
  rows: string[][];
}

function tables(text: string): Table[] {
  const out: Table[] = [];
  let section = '';
  let cur: Table | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const h = /^##\s+(.*)$/.exec(line);
    if (h) section = h[1].trim().toLowerCase();
    if (!line.startsWith('|')) {
      cur = undefined;
      continue;
    }
    const cells = splitRow(line);
    if (!cur) {
      cur = { section, header: cells.map((c) => c.toLowerCase()), rows: [] };
      out.push(cur);
    } else if (!isSeparator(cells)) cur.rows.push(cells);
  }
  return out;
}

/** "**MiniMax-M2-Stable** <br />High Concurrency, Commercial Use" → "MiniMax-M2-Stable". */
function modelNames(cell: string, where: string): string[] {
  const parts = cell
    .split(/<br\s*\/?>/i)
    .map((p) => p.replace(/\*\*/g, '').replace(/^•\s*/, '').trim())
    .filter(Boolean);
  // A bullet list names several models; otherwise the first line is the model, the rest a remark.
  const names = /•/.test(cell) ? parts : parts.slice(0, 1);
  for (const n of names) if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n)) throw new LayoutChangedError(`minimax: ${where}: "${n}" is not a model name`);
  return names;
}

/** "\$0.3 / M tokens" → {amount "0.3", per "M tokens"}; "\$60/M characters"; "\$0.0035 per image". */
function money(raw: string, where: string): { amount: string; per: string } {
  const m = /^\\?\$\s*(\d+(?:\.\d+)?)\s*(?:\/|per)\s*(.+)$/i.exec(raw.trim());
  if (!m) throw new LayoutChangedError(`minimax: ${where}: "${raw}" is not a USD price`);
  const amount = new Decimal(m[1]).toFixed();
  if (new Decimal(amount).isZero()) throw new LayoutChangedError(`minimax: ${where}: price $0 is not stated as free`);
  return { amount, per: m[2].trim().toLowerCase() };
}

const TEXT_COLUMNS: Record<string, string> = {
  input: 'input',
  output: 'output',
  'prompt caching read': 'cache_read',
  'prompt caching write': 'cache_write',
};

export function parseMiniMax(text: string, _ctx: ParseContext): ParseResult {
  assertRealPage(text, 'markdown');
  if (!/^#\s+Pay as You Go/im.test(text)) throw new LayoutChangedError('minimax: not the English pay-as-you-go page (no "# Pay as You Go" heading)');
  const all = tables(text);
  const observations: Observation[] = [];
  const seen = new Set<string>();
  const push = (o: Observation) => {
    const key = `${o.model}|${o.component}|${JSON.stringify(o.conditions)}`;
    if (seen.has(key)) throw new LayoutChangedError(`minimax: ${o.model} ${o.component} listed twice`);
    seen.add(key);
    observations.push(o);
  };

  const textTables = all.filter((t) => t.section === 'text' && t.header[0] === 'model' && t.header.includes('input'));
  if (textTables.length !== 1) throw new LayoutChangedError(`minimax: expected one text price table, found ${textTables.length}`);
  for (const t of textTables) {
    const columns = t.header.map((h, i) => (i === 0 ? 'model' : TEXT_COLUMNS[h]));
    t.header.forEach((h, i) => {
      if (!columns[i]) throw new LayoutChangedError(`minimax: unknown text price column "${h}"`);
    });
    for (const row of t.rows) {
      if (row.length !== columns.length) throw new LayoutChangedError(`minimax: text row "${row.join(' | ')}" has ${row.length} cells`);
      for (const name of modelNames(row[0], 'text')) {
        columns.forEach((component, i) => {
          if (i === 0) return;
          if (row[i] === '' || row[i] === '-') return;
          const { amount, per } = money(row[i], `${name} ${t.header[i]}`);
          if (!/^m tokens$/.test(per)) throw new LayoutChangedError(`minimax: ${name} ${t.header[i]}: unit "${per}" is not "M tokens"`);
          push({ model: `minimax/${name.toLowerCase()}`, component, currency: 'USD', unit: '1M tokens', conditions: {}, amount, kind: 'list' });
        });
      }
    }
  }

  for (const t of all.filter((t) => t.section === 'audio' && t.header.join('|') === 'api|model|price')) {
    for (const row of t.rows) {
      if (row[0].replace(/\*\*/g, '').trim() !== 'T2A') continue; // voice cloning / design: per voice
      const { amount, per } = money(row[2], `T2A ${row[1]}`);
      if (!/^m characters$/.test(per)) throw new LayoutChangedError(`minimax: T2A price "${row[2]}" is not per M characters`);
      for (const name of modelNames(row[1], 'audio'))
        push({ model: `minimax/${name.toLowerCase()}`, component: 'input_characters', currency: 'USD', unit: '1M characters', conditions: {}, amount, kind: 'list' });
    }
  }

  for (const t of all.filter((t) => t.section === 'image' && t.header.join('|') === 'model|price')) {
    for (const row of t.rows) {
      const { amount, per } = money(row[1], `image ${row[0]}`);
      if (per !== 'image') throw new LayoutChangedError(`minimax: image price "${row[1]}" is not per image`);
      for (const name of modelNames(row[0], 'image'))
        push({ model: `minimax/${name.toLowerCase()}`, component: 'output_image', currency: 'USD', unit: 'image', conditions: {}, amount, kind: 'list' });
    }
  }

  return { provider: 'minimax', observations };
}

const scraper: Scraper = {
  id: 'minimax',
  name: 'MiniMax',
  homepage: 'https://www.minimax.io',
  pages: [{ url: 'https://platform.minimax.io/docs/pricing/pay-as-you-go.md', currency: 'USD', lang: 'en' }],
  kind: 'static',
  parse: parseMiniMax,
  // 2025-12-19: 8 text prices, 4 T2A, 1 image.
  minRows: 8,
  changeThreshold: 0.5,
};

export default scraper;
