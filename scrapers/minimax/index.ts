// MiniMax: pay-as-you-go pricing docs in English, https://platform.minimax.io/docs/pricing/pay-as-you-go,
// fetched as the docs site's Markdown export (the same URL + ".md"; USD). Read:
// - "## Text": | Model | Input | Output | Prompt caching Read | Prompt caching Write |, cells like
//   "\$0.3 / M tokens" → input / output / cache_read / cache_write per 1M tokens;
// - "## Audio", T2A rows: "• speech-2.6-turbo <br />• speech-02-turbo | \$60/M characters" → each
//   model's `input_characters` per 1M characters;
// - "## Image": "image-01 | \$0.0035 per image" → `output_image` per image.
// Not read: voice cloning / design (per voice, not per model), video (per clip by resolution and
// length) and music (per piece).
import { LayoutChangedError } from '../../src/errors.ts';
import type { Observation, ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { assertPlausible, readMoneyCell } from '../_kit/money.ts';
import { pipeTablesUnderHeadings } from '../_kit/tables.ts';

interface Table {
  section: string;
  header: string[];
  rows: string[][];
}

/** The page's pipe tables, each with its "##" section (lowercased) and lowercased header. */
function tables(text: string): Table[] {
  return pipeTablesUnderHeadings(text).map((t) => ({ section: (t.byLevel[1] ?? '').toLowerCase(), header: t.header.map((c) => c.toLowerCase()), rows: t.rows }));
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

/** "\$0.3 / M tokens" → {amount "0.3", per "m tokens"}; "\$60/M characters"; "\$0.0035 per image". */
function money(raw: string, where: string): { amount: string; per: string } {
  // The page prints fractional cents ("$0.0035") and never a thousands separator in a price.
  const m = readMoneyCell(raw, `minimax: ${where}`, { currency: 'USD', dotIsDecimal: true });
  if (!m || m.free || !m.per) throw new LayoutChangedError(`minimax: ${where}: "${raw}" is not a USD price per unit`);
  assertPlausible(m.amount, 'USD', /^m tokens$/.test(m.per) ? '1M tokens' : m.per, `minimax: ${where}`);
  return { amount: m.amount, per: m.per };
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
  const coverage = new CoverageBuilder([{ currency: 'USD' }]);
  const seen = new Set<string>();
  const push = (o: Observation) => {
    const key = `${o.model}|${o.component}|${JSON.stringify(o.conditions)}`;
    if (seen.has(key)) throw new LayoutChangedError(`minimax: ${o.model} ${o.component} listed twice`);
    seen.add(key);
    observations.push(o);
  };

  /** One table row: read whole or unread (its prices stay unknown, not removed). */
  const row = (section: string, cells: string[], read: (out: (o: Observation) => void) => void): void => {
    const got = coverage.optional(`${section} row "${cells[0] ?? ''}"`.slice(0, 100), () => {
      const mine: Observation[] = [];
      read((o) => mine.push(o));
      return mine;
    });
    coverage.row(got !== undefined);
    for (const o of got ?? []) push(o);
  };

  const textTables = all.filter((t) => t.section === 'text' && t.header[0] === 'model' && t.header.includes('input'));
  if (textTables.length !== 1) throw new LayoutChangedError(`minimax: expected one text price table, found ${textTables.length}`);
  for (const t of textTables) {
    const columns = t.header.map((h, i) => (i === 0 ? 'model' : TEXT_COLUMNS[h]));
    t.header.forEach((h, i) => {
      if (!columns[i]) throw new LayoutChangedError(`minimax: unknown text price column "${h}"`);
    });
    for (const cells of t.rows)
      row('text', cells, (out) => {
        if (cells.length !== columns.length) throw new LayoutChangedError(`minimax: text row "${cells.join(' | ')}" has ${cells.length} cells`);
        for (const name of modelNames(cells[0], 'text')) {
          columns.forEach((component, i) => {
            if (i === 0) return;
            if (cells[i] === '' || cells[i] === '-') return;
            const { amount, per } = money(cells[i], `${name} ${t.header[i]}`);
            if (!/^m tokens$/.test(per)) throw new LayoutChangedError(`minimax: ${name} ${t.header[i]}: unit "${per}" is not "M tokens"`);
            out({ model: `minimax/${name.toLowerCase()}`, component, currency: 'USD', unit: '1M tokens', conditions: {}, amount, kind: 'list' });
          });
        }
      });
  }

  for (const t of all.filter((t) => t.section === 'audio' && t.header.join('|') === 'api|model|price')) {
    for (const cells of t.rows) {
      if (cells[0].replace(/\*\*/g, '').trim() !== 'T2A') continue; // voice cloning / design: per voice
      row('audio', cells, (out) => {
        const { amount, per } = money(cells[2], `T2A ${cells[1]}`);
        if (!/^m characters$/.test(per)) throw new LayoutChangedError(`minimax: T2A price "${cells[2]}" is not per M characters`);
        for (const name of modelNames(cells[1], 'audio'))
          out({ model: `minimax/${name.toLowerCase()}`, component: 'input_characters', currency: 'USD', unit: '1M characters', conditions: {}, amount, kind: 'list' });
      });
    }
  }

  for (const t of all.filter((t) => t.section === 'image' && t.header.join('|') === 'model|price')) {
    for (const cells of t.rows)
      row('image', cells, (out) => {
        const { amount, per } = money(cells[1], `image ${cells[0]}`);
        if (per !== 'image') throw new LayoutChangedError(`minimax: image price "${cells[1]}" is not per image`);
        for (const name of modelNames(cells[0], 'image'))
          out({ model: `minimax/${name.toLowerCase()}`, component: 'output_image', currency: 'USD', unit: 'image', conditions: {}, amount, kind: 'list' });
      });
  }

  return { provider: 'minimax', coverage: coverage.build(), observations };
}

const scraper: Scraper = {
  id: 'minimax',
  name: 'MiniMax',
  homepage: 'https://www.minimax.io',
  // No date is read from this page; UTC if one ever is (the page states no zone).
  pages: [{ url: 'https://platform.minimax.io/docs/pricing/pay-as-you-go.md', currency: 'USD', lang: 'en', zone: 'UTC' }],
  kind: 'static',
  parse: parseMiniMax,
  // 2025-12-19: 8 text prices, 4 T2A, 1 image.
  minRows: 8,
  changeThreshold: 0.5,
};

export default scraper;
