// Money is exact: no float ever touches an amount.
import { describe, expect, it } from 'vitest';
import { Decimal, changePercent, normalizeAmount } from '../src/decimal.ts';
import { costOf, selectRow, inHours, type PricedRow } from '../src/pricing.ts';

describe('exact decimals', () => {
  it('0.0145 × 0.25 is 0.003625, not 0.0036250000000000003', () => {
    expect(new Decimal('0.0145').times('0.25').toFixed()).toBe('0.003625');
    // Floats go wrong on sums like these; decimals do not.
    expect(3 * 0.0145).not.toBe(0.0435);
    expect(new Decimal(3).times('0.0145').toFixed()).toBe('0.0435');
  });
  it('normalises published amounts', () => {
    expect(normalizeAmount('1.60')).toBe('1.6');
    expect(normalizeAmount('0.0000001')).toBe('0.0000001');
    expect(normalizeAmount('12')).toBe('12');
  });
  it('changePct has two decimals and is null without a base', () => {
    expect(changePercent('0.2', '0.0036')).toBe(-98.2);
    expect(changePercent('1.74', '0.435')).toBe(-75);
    expect(changePercent(null, '1')).toBeNull();
    expect(changePercent('0', '1')).toBeNull();
  });
  it('cost of tokens at a per-1M price is exact', () => {
    const row: PricedRow = { component: 'cache_read', currency: 'CNY', unit: '1M tokens', conditions: {}, amount: '0.025' };
    expect(costOf(800_000, row).toFixed()).toBe('0.02');
    expect(costOf(1, { ...row, amount: '0.003625' }).toFixed()).toBe('0.000000003625');
  });
});

describe('row selection', () => {
  const rows: PricedRow[] = [
    { component: 'input', currency: 'USD', unit: '1M tokens', conditions: {}, amount: '1' },
    { component: 'input', currency: 'USD', unit: '1M tokens', conditions: { contextAbove: 200000 }, amount: '2' },
    { component: 'input', currency: 'USD', unit: '1M tokens', conditions: { serviceTier: 'batch' }, amount: '0.5' },
  ];
  const req = { at: 0, inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };
  it('a tier applies when the input exceeds its threshold, not at it', () => {
    expect(selectRow(rows, 'input', { ...req, inputTokens: 200000 })!.amount).toBe('1');
    expect(selectRow(rows, 'input', { ...req, inputTokens: 200001 })!.amount).toBe('2');
  });
  it('service tier must match', () => {
    expect(selectRow(rows, 'input', { ...req, serviceTier: 'batch' })!.amount).toBe('0.5');
    expect(selectRow(rows, 'input', { ...req, serviceTier: 'flex' })).toBeNull();
  });
  it('hours windows are read in their own time zone and may wrap midnight', () => {
    const w = { tz: 'Asia/Shanghai', ranges: [['22:00', '06:00']] as [string, string][] };
    expect(inHours(w, Date.parse('2026-08-17T15:00:00Z'))).toBe(true); // 23:00 in Beijing
    expect(inHours(w, Date.parse('2026-08-17T03:00:00Z'))).toBe(false); // 11:00 in Beijing
  });
});
