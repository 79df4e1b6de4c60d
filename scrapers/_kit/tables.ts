// The one table reader of every scraper: Markdown pipe tables, HTML tables with rowspan/colspan
// (resolved into a rectangular grid) and pandoc text grids (fixed-width columns whose spans were
// lost). Pure functions of the text.
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { LayoutChangedError } from '../../src/errors.ts';

// ---------------------------------------------------------------------------------------------
// Markdown pipe tables

/** "| a | b \| c |" → ["a", "b \| c"]: outer pipes dropped, escaped pipes kept in their cell. */
export function splitPipeRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return body.split(/(?<!\\)\|/).map((c) => c.trim());
}

const SEPARATOR_CELL = /^:?-{3,}:?$/;
export function isSeparatorRow(cells: string[]): boolean {
  return cells.length > 0 && cells.every((c) => SEPARATOR_CELL.test(c));
}

export interface PipeTable {
  /** Header cells as printed (Markdown kept). */
  header: string[];
  /** Body rows (separator row excluded), cells as printed. */
  rows: string[][];
  /** Index of the header line in the lines given. */
  line: number;
}

/**
 * Every run of consecutive lines starting with "|" in `lines`, as a table: the first line is the
 * header, a separator row ("| --- |") is skipped wherever it stands. `requireSeparator`: only runs
 * whose second line is a separator are tables (GitHub's rule).
 */
export function pipeTables(lines: string[], opts: { requireSeparator?: boolean } = {}): PipeTable[] {
  const out: PipeTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim().startsWith('|')) continue;
    const start = i;
    const run: string[][] = [];
    while (i < lines.length && lines[i].trim().startsWith('|')) run.push(splitPipeRow(lines[i++]));
    i--;
    if (opts.requireSeparator && !(run.length > 1 && isSeparatorRow(run[1]))) continue;
    out.push({ header: run[0], rows: run.slice(1).filter((r) => !isSeparatorRow(r)), line: start });
  }
  return out;
}

/** HTML tables → the same pipe lines (one blank line after each table); spans are not resolved. */
export function htmlTablesToPipeLines($: CheerioAPI, tables: Element[]): string[] {
  const out: string[] = [];
  for (const table of tables) {
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
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Span-resolved grids (HTML and pandoc text tables)

export interface GridCell {
  /** Stable id of the source cell; equal ids in two slots mean one spanning cell. */
  id: number;
  /** Text without footnote markers, <br> as a space, whitespace collapsed. */
  text: string;
  /** Footnote markers found in <sup> ("3" for "<sup>(3)</sup>", "*" for "<sup>*</sup>"). */
  refs: string[];
}

export type Grid = GridCell[][];

/** Footnote marker text → key: "(3)" → "3", "3" → "3", "*" → "*". */
export function footnoteKey(raw: string): string | undefined {
  const t = raw.replace(/\s+/g, '');
  const m = /^\(?(\d+|\*+)\)?$/.exec(t);
  return m ? (m[1].startsWith('*') ? '*' : m[1]) : undefined;
}

function cellOf($: CheerioAPI, el: Element, id: number): GridCell {
  const cell = $(el).clone();
  const refs: string[] = [];
  cell.find('sup').each((_, sup) => {
    const key = footnoteKey($(sup).text());
    if (key) refs.push(key);
    $(sup).remove();
  });
  cell.find('br').replaceWith(' ');
  const text = cell.text().replace(/\s+/g, ' ').trim();
  return { id, text, refs };
}

/** An HTML table with spans resolved; throws when rows end up with different widths (cut-off or malformed). */
export function htmlTableToGrid($: CheerioAPI, table: Element): Grid {
  const grid: (GridCell | undefined)[][] = [];
  let nextId = 0;
  $(table)
    .find('tr')
    .each((r, tr) => {
      grid[r] ??= [];
      let c = 0;
      $(tr)
        .children('td, th')
        .each((_, td) => {
          while (grid[r][c]) c++;
          const rowspan = Math.min(1000, Math.max(1, Number.parseInt($(td).attr('rowspan') ?? '1', 10) || 1));
          const colspan = Math.min(1000, Math.max(1, Number.parseInt($(td).attr('colspan') ?? '1', 10) || 1));
          const cell = cellOf($, td, nextId++);
          for (let dr = 0; dr < rowspan; dr++) {
            grid[r + dr] ??= [];
            for (let dc = 0; dc < colspan; dc++) grid[r + dr][c + dc] = cell;
          }
          c += colspan;
        });
    });
  const width = Math.max(0, ...grid.map((row) => row.length));
  grid.forEach((row, r) => {
    for (let c = 0; c < width; c++)
      if (!row[c]) throw new LayoutChangedError(`table row ${r + 1} has ${row.filter(Boolean).length} of ${width} cells (cut off or malformed)`);
  });
  return grid as Grid;
}

// Pandoc "multiline" tables: rows between dashed borders, separated by blank lines; each character
// belongs to the column whose border dash run starts at or before it. East Asian wide characters
// take two columns.
const BORDER = /^\s*-{3,}(\s+-{3,})+\s*$/;
const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;

function displayWidth(ch: string): number {
  return WIDE.test(ch) || (ch.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
}

/** Pandoc Markdown inline → text: links keep their text, attributes and hard-break backslashes go. */
function pandocInline(s: string): string {
  return s
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\\$/gm, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export function hasTextGrid(text: string): boolean {
  return text.split('\n').some((l) => BORDER.test(l));
}

/** Every pandoc multiline table in the text, as rows of cell texts (empty cells kept as ""). */
export function textGrids(text: string): string[][][] {
  const lines = text.split('\n');
  const out: string[][][] = [];
  for (let start = 0; start < lines.length; start++) {
    if (!BORDER.test(lines[start])) continue;
    const end = lines.findIndex((l, i) => i > start && BORDER.test(l));
    if (end < 0) throw new LayoutChangedError('text table is cut off: no closing dashed border');
    out.push(readTextRows(lines.slice(start + 1, end), columnStarts(lines[start])));
    start = end;
  }
  return out;
}

function columnStarts(border: string): number[] {
  const starts: number[] = [];
  for (const m of border.matchAll(/-+/g)) starts.push(m.index ?? 0);
  return starts;
}

function readTextRows(lines: string[], starts: number[]): string[][] {
  const rows: string[][] = [];
  let current: string[][] | undefined;
  const flush = (): void => {
    if (current) rows.push(current.map((parts) => pandocInline(parts.join('\n'))));
    current = undefined;
  };
  for (const line of lines) {
    if (line.trim() === '') {
      flush();
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
  flush();
  return rows;
}

/**
 * A text grid whose spans were lost, restored into a Grid by two rules: in the label columns
 * (before `labelCols`), an empty first cell continues the label above (a lost rowspan) and an
 * empty later label cell continues the one to its left (a lost colspan); in the value columns, an
 * empty cell continues the one to its left (a lost colspan).
 */
export function restoreSpans(raw: string[][], labelCols: number): Grid {
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

export interface HeadedPipeTable {
  /** The ATX headings above the table by level: `byLevel[1]` is the "##" heading in force. */
  byLevel: (string | undefined)[];
  /** The headings in force, outermost first. */
  headings: string[];
  header: string[];
  rows: string[][];
}

/** Every pipe table of a Markdown text with the headings it stands under (no separator required). */
export function pipeTablesUnderHeadings(text: string): HeadedPipeTable[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const byLevel: (string | undefined)[] = [];
  const headingsAt: (string | undefined)[][] = [];
  lines.forEach((line, i) => {
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      byLevel.length = h[1].length - 1;
      byLevel[h[1].length - 1] = h[2].trim();
    }
    headingsAt[i] = [...byLevel];
  });
  return pipeTables(lines).map((t) => {
    const at = headingsAt[t.line];
    return { byLevel: at, headings: at.filter((x): x is string => Boolean(x)), header: t.header, rows: t.rows };
  });
}
