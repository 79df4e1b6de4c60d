// An HTML table resolved into a rectangular grid: a cell with rowspan/colspan occupies every slot it
// covers (the same GridCell object in each), so a transposed table can be read by row and column.
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { LayoutChangedError } from '../errors.ts';

export interface GridCell {
  /** Stable id of the source <td>/<th>; equal ids in two slots mean one spanning cell. */
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

/** Resolve spans; throws LayoutChangedError when rows end up with different widths (cut-off or malformed table). */
export function tableToGrid($: CheerioAPI, table: Element): Grid {
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
          const rowspan = Math.max(1, Number.parseInt($(td).attr('rowspan') ?? '1', 10) || 1);
          const colspan = Math.max(1, Number.parseInt($(td).attr('colspan') ?? '1', 10) || 1);
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
