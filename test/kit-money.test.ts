// The one money reader: exact decimals, one ambiguity guard, "0 must be stated as free", and
// plausibility bounds that refuse what cannot be a price (issue 16 item 5).
import { describe, expect, it } from 'vitest';
import { LayoutChangedError } from '../src/errors.ts';
import { ImplausiblePriceError, assertPlausible, parseApiDecimal, parseDisplayedNumber, readMoneyCell } from '../scrapers/_kit/money.ts';
import { implausibility } from '../src/scrape/plausibility.ts';

describe('readMoneyCell reads one price per cell', () => {
  it('in $, ¥, 元 and bare numbers, normalised', () => {
    expect(readMoneyCell('$0.435', 't')).toEqual({ currency: 'USD', amount: '0.435' });
    expect(readMoneyCell('\\$3 / MTok', 't')).toEqual({ currency: 'USD', amount: '3', per: 'mtok' });
    expect(readMoneyCell('$1.6 / MTok', 't')).toEqual({ currency: 'USD', amount: '1.6', per: 'mtok' });
    expect(readMoneyCell('¥1', 't')).toEqual({ currency: 'CNY', amount: '1' });
    expect(readMoneyCell('1元', 't')).toEqual({ currency: 'CNY', amount: '1' });
    expect(readMoneyCell('￥4.00', 't')).toEqual({ currency: 'CNY', amount: '4' });
    expect(readMoneyCell('0.003625', 't', { currency: 'USD', bare: true })).toEqual({ currency: 'USD', amount: '0.003625' });
    expect(readMoneyCell('$0.0035 per image', 't')).toEqual({ currency: 'USD', amount: '0.0035', per: 'image' });
    expect(readMoneyCell('-', 't')).toBeNull();
  });

  it('"free" is 0 stated as free; a bare 0 is refused', () => {
    expect(readMoneyCell('Free', 't', { currency: 'USD' })).toEqual({ currency: 'USD', amount: '0', free: true });
    expect(readMoneyCell('免费', 't', { currency: 'CNY' })).toEqual({ currency: 'CNY', amount: '0', free: true });
    expect(() => readMoneyCell('$0', 't')).toThrow(/price 0 is not stated as free/);
    expect(() => readMoneyCell('$0.00 / MTok', 't')).toThrow(/price 0 is not stated as free/);
  });

  it('two different amounts where one was expected are refused, not silently picked', () => {
    expect(() => readMoneyCell('$1.25 $2.50', 't')).toThrow(/two different amounts in one cell/);
    expect(() => readMoneyCell('$1 or ¥7', 't')).toThrow(/two different amounts/);
    expect(() => readMoneyCell('from $1.25', 't')).toThrow(/text before the amount/);
  });

  it('a price in another currency than the page is refused', () => {
    expect(() => readMoneyCell('$1', 't', { currency: 'CNY' })).toThrow(/is in USD but the page is in CNY/);
    expect(() => readMoneyCell('€0.25 / MTok', 't', { currency: 'USD' })).toThrow(/no price/);
  });

  it('number formats it refuses to guess', () => {
    expect(() => parseDisplayedNumber('1,099.00', 't')).toThrow(/separator/);
    expect(() => parseDisplayedNumber('3.350', 't')).toThrow(/ambiguous/);
    expect(parseDisplayedNumber('3.350', 't', { dotIsDecimal: true })).toBe('3.35');
    expect(parseDisplayedNumber('0.435', 't')).toBe('0.435');
  });
});

describe('plausibility bounds', () => {
  it('refuses a $ followed by 400 nines before any arithmetic', () => {
    expect(() => readMoneyCell(`$${'9'.repeat(400)}`, 't')).toThrow(ImplausiblePriceError);
    expect(() => parseApiDecimal('9'.repeat(400), 't')).toThrow(ImplausiblePriceError);
  });

  it('refuses 1e86, 1e-195 and 1e26 per 1M tokens, and $1M per token', () => {
    expect(implausibility('1' + '0'.repeat(86), 'USD', '1M tokens')).toMatch(/above the plausible maximum/);
    expect(implausibility(`0.${'0'.repeat(194)}1`, 'USD', '1M tokens')).toMatch(/below the plausible minimum/);
    expect(implausibility('1' + '0'.repeat(26), 'USD', '1M tokens')).toMatch(/above/);
    expect(implausibility('1000000000000', 'USD', '1M tokens')).toMatch(/above/); // "prompt":"1000000" per token
    expect(() => assertPlausible('1e86', 'USD', '1M tokens', 't')).toThrow(ImplausiblePriceError);
  });

  it('a negative price is refused and never means "removed"', () => {
    expect(() => parseApiDecimal('-1', 'x pricing.prompt')).toThrow(/negative price "-1" refused .*never means "removed"/);
    expect(implausibility('-0.5', 'USD', '1M tokens')).toMatch(/negative/);
  });

  it('accepts real prices at both ends, in USD and CNY, and per-unit prices', () => {
    expect(implausibility('0.0028', 'USD', '1M tokens')).toBeUndefined();
    expect(implausibility('0.000001', 'USD', '1M tokens')).toBeUndefined();
    expect(implausibility('10000', 'USD', '1M tokens')).toBeUndefined();
    expect(implausibility('0.02', 'CNY', '1M tokens')).toBeUndefined();
    expect(implausibility('0.0035', 'USD', 'image')).toBeUndefined();
    expect(implausibility('0', 'USD', '1 request', { free: true })).toBeUndefined();
    expect(implausibility('0', 'USD', '1 request')).toMatch(/not stated as free/);
  });

  it('bounds are configurable', () => {
    expect(implausibility('20000', 'USD', '1M tokens', { bounds: { 'USD tokens': { min: '0.000001', max: '100000' }, 'USD other': { min: '0', max: '1' } } })).toBeUndefined();
  });

  it('an implausible amount is a LayoutChangedError, so optional() records its row as unread', () => {
    expect(new ImplausiblePriceError('x')).toBeInstanceOf(LayoutChangedError);
  });
});
