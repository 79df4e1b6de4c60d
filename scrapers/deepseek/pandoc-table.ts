// DeepSeek's page as a pandoc Markdown conversion (an archived copy, January 2026): the transposed
// table becomes a headerless pandoc "multiline" table. Pandoc keeps the text but drops rowspan and
// colspan, leaving empty cells; this module reads the columns back and restores the spans with two
// rules (documented in the parse notes):
// - label columns: an empty first label cell continues the label above (a lost rowspan); an empty
//   second label cell continues the label to its left (a lost colspan);
// - model columns: an empty cell continues the cell to its left (a lost colspan: on the live page
//   BASE URL, CONTEXT LENGTH and the prices span every model column).
import { LayoutChangedError } from '../../src/errors.ts';
import type { Grid, GridCell } from '../../src/scrape/html-table.ts';

const BORDER = /^\s*-{3,}(\s+-{3,})+\s*$/;
// East Asian wide and full-width characters take two columns in pandoc's layout.
const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;

function displayWidth(ch: string): number {
  return WIDE.test(ch) || (ch.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
}

/** Markdown inline → text: links keep their text, pandoc attributes and hard-break backslashes go. */
function inlineText(s: string): string {
  return s
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\\$/gm, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export function hasPandocTable(text: string): boolean {
  return text.split('\n').some((l) => BORDER.test(l));
}

/** The first pandoc multiline table whose first column holds a MODEL/模型 row, as a span-resolved grid. */
export function pandocTableToGrid(text: string): Grid {
  const lines = text.split('\n');
  for (let start = 0; start < lines.length; start++) {
    if (!BORDER.test(lines[start])) continue;
    const end = lines.findIndex((l, i) => i > start && BORDER.test(l));
    if (end < 0) throw new LayoutChangedError('pandoc table is cut off: no closing dashed border');
    const raw = readRows(lines.slice(start + 1, end), columnStarts(lines[start]));
    if (raw.length > 0 && /^(MODEL|模型)$/i.test(raw[0][0])) return restoreSpans(raw);
    start = end;
  }
  throw new LayoutChangedError('no pandoc table with a MODEL row');
}

function columnStarts(border: string): number[] {
  const starts: number[] = [];
  for (const m of border.matchAll(/-+/g)) starts.push(m.index ?? 0);
  return starts;
}

/** Rows are separated by blank lines; each character goes to the column whose border starts at or before it. */
function readRows(lines: string[], starts: number[]): string[][] {
  const rows: string[][] = [];
  let current: string[][] | undefined;
  for (const line of lines) {
    if (line.trim() === '') {
      if (current) rows.push(current.map((parts) => inlineText(parts.join('\n'))));
      current = undefined;
      continue;
    }
    current ??= starts.map(() => []);
    const cells = starts.map(() => '');
    let pos = 0;
    for (const ch of line) {
      let col = 0;
      for (let k = 0; k < starts.length; k++) if (pos >= starts[k]) col = k;
      cells[col] += ch;
      pos += displayWidth(ch);
    }
    cells.forEach((c, k) => current![k].push(c.trim()));
  }
  if (current) rows.push(current.map((parts) => inlineText(parts.join('\n'))));
  return rows;
}

function restoreSpans(raw: string[][]): Grid {
  const header = raw[0];
  const labelCols = header.findIndex((t, i) => i > 0 && t !== '');
  if (labelCols < 1) throw new LayoutChangedError('pandoc table: the MODEL row names no model');
  let nextId = 0;
  const grid: Grid = [];
  raw.forEach((row, r) => {
    const out: GridCell[] = [];
    row.forEach((text, c) => {
      if (text !== '') out.push({ id: nextId++, text, refs: [] });
      else if (c === 0 && r > 0) out.push(grid[r - 1][0]);
      else if (c > 0 && c < labelCols) out.push(out[c - 1]);
      else if (c > labelCols) out.push(out[c - 1]);
      else out.push({ id: nextId++, text: '', refs: [] });
    });
    grid.push(out);
  });
  return grid;
}
