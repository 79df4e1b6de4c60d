// The one table reader (pipe, HTML with spans, pandoc text grids), context bounds as stated, and
// the coverage builder with optional().
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { BadInputError, LayoutChangedError } from '../src/errors.ts';
import { Conditions, Coverage } from '../src/model.ts';
import { contextConditions, lowerBound, tierAboveUpperBound } from '../scrapers/_kit/context.ts';
import { CoverageBuilder } from '../scrapers/_kit/coverage.ts';
import { htmlTableToGrid, pipeTables, pipeTablesUnderHeadings, restoreSpans, splitPipeRow, textGrids } from '../scrapers/_kit/tables.ts';

describe('tables', () => {
  it('pipe rows keep escaped pipes; separators are skipped', () => {
    expect(splitPipeRow('| a | b \\| c |')).toEqual(['a', 'b \\| c']);
    const t = pipeTables(['intro', '| Model | Input |', '| --- | ---: |', '| x | $1 |', '', '| y |'], { requireSeparator: true });
    expect(t).toEqual([{ header: ['Model', 'Input'], rows: [['x', '$1']], line: 1 }]);
  });

  it('pipe tables know the headings they stand under', () => {
    const t = pipeTablesUnderHeadings('# Price\n## China (CNY)\n| Model | Input |\n| --- | --- |\n| a | ¥1 |\n## Overseas (USD)\n### Text\n| Model | Input |\n| b | $1 |');
    expect(t.map((x) => [x.headings, x.byLevel[1], x.rows])).toEqual([
      [['Price', 'China (CNY)'], 'China (CNY)', [['a', '¥1']]],
      [['Price', 'Overseas (USD)', 'Text'], 'Overseas (USD)', [['b', '$1']]],
    ]);
  });

  it('HTML rowspan/colspan fill every slot they cover; a short row is refused', () => {
    const $ = cheerio.load('<table><tr><td colspan="2">MODEL</td><td>a</td></tr><tr><td rowspan="2">P<sup>(1)</sup></td><td>in</td><td>$1</td></tr><tr><td>out</td><td>$2</td></tr></table>');
    const grid = htmlTableToGrid($, $('table')[0]);
    expect(grid.map((r) => r.map((c) => c.text))).toEqual([
      ['MODEL', 'MODEL', 'a'],
      ['P', 'in', '$1'],
      ['P', 'out', '$2'],
    ]);
    expect(grid[1][0].refs).toEqual(['1']);
    expect(grid[1][0].id).toBe(grid[2][0].id);
    const $2 = cheerio.load('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>');
    expect(() => htmlTableToGrid($2, $2('table')[0])).toThrow(/row 2 has 1 of 2 cells/);
  });

  it('pandoc text grids by column position, wide characters counted twice, spans restored', () => {
    const text = ['----- ------ ------', '模型  x      y', '', '价格  $1', '----- ------ ------'].join('\n');
    const [rows] = textGrids(text);
    expect(rows).toEqual([
      ['模型', 'x', 'y'],
      ['价格', '$1', ''],
    ]);
    expect(restoreSpans(rows, 1).map((r) => r.map((c) => c.text))).toEqual([
      ['模型', 'x', 'y'],
      ['价格', '$1', '$1'],
    ]);
  });
});

describe('context bounds as the page states them', () => {
  it('"<272K context length" puts the long tier at ≥ 272,000 (inclusive)', () => {
    const b = tierAboveUpperBound('<272K', 't')!;
    expect(b).toEqual({ contextAbove: 272000, inclusive: true });
    const c = Conditions.parse(contextConditions(b));
    expect(c).toEqual({ contextAbove: 272000, contextInclusive: true });
  });

  it('"≥272K", "200K and above" inclusive; ">200K" exclusive; "≤ 200K" short tier → long above, exclusive', () => {
    expect(lowerBound('≥272K', 't')).toEqual({ contextAbove: 272000, inclusive: true });
    expect(lowerBound('200K and above', 't')).toEqual({ contextAbove: 200000, inclusive: true });
    expect(lowerBound('> 200K input tokens', 't')).toEqual({ contextAbove: 200000, inclusive: false });
    expect(lowerBound('8,192 < 长度 ≤ 32,768 tokens', 't')).toEqual({ contextAbove: 8192, inclusive: false });
    expect(tierAboveUpperBound('≤ 200K', 't')).toEqual({ contextAbove: 200000, inclusive: false });
    expect(lowerBound('any length', 't')).toBeUndefined();
  });

  it('total context (Moonshot 请求上下文长度) is stated as contextMeasure total', () => {
    expect(Conditions.parse(contextConditions({ contextAbove: 8192, inclusive: false }, 'total'))).toEqual({ contextAbove: 8192, contextMeasure: 'total' });
  });
});

describe('coverage', () => {
  it('optional() records a section that throws LayoutChangedError as unread and goes on', () => {
    const cov = new CoverageBuilder([{ currency: 'USD' }]);
    const a = cov.optional('A', () => {
      cov.row(true);
      return 1;
    });
    const b = cov.optional(
      'B',
      () => {
        cov.row(true);
        throw new LayoutChangedError('the sentence changed');
      },
      { scope: [{ model: 'x/y' }] },
    );
    expect([a, b]).toEqual([1, undefined]);
    const built = Coverage.parse(cov.build());
    expect(built).toEqual({ read: [{ currency: 'USD' }], unread: [{ section: 'B', reason: 'the sentence changed', scope: [{ model: 'x/y' }] }], rowsOnPage: 2, rowsRead: 1 });
  });

  it('a bug or a bad request is not swallowed', () => {
    const cov = new CoverageBuilder();
    expect(() => cov.optional('A', () => (null as unknown as { x: number }).x)).toThrow(TypeError);
    expect(() => cov.optional('A', () => { throw new BadInputError('unknown page'); })).toThrow(BadInputError);
  });
});
