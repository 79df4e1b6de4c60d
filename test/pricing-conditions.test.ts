// Pricing semantics of conditions: weekday windows (ISO days of the local day a range starts on),
// ranges wrapping midnight, DST zones, inclusive context bounds and tiers by total context.
// Pure unit tests, then one quote through POST /v1/quote on a constructed model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inHours, selectRow, type PricedRow, type RequestShape } from '../src/pricing.ts';
import { contextBoundLabel, weekdaysLabel } from '../src/conditions.ts';
import { conditionsLabel } from '../src/cli/format.ts';
import { conditionParts, conditionsShort } from '../api/web/assets/format.js';
import type { Conditions, HoursWindow } from '../src/model.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const at = (iso: string) => Date.parse(iso);

describe('hours windows', () => {
  // DeepSeek's later English page: peak 01:00–04:00 and 06:00–10:00 UTC, Monday–Friday.
  const weekdaysPeak: HoursWindow = { tz: 'UTC', ranges: [['01:00', '04:00'], ['06:00', '10:00']], days: [1, 2, 3, 4, 5], label: 'peak' };

  it('a Monday–Friday window applies on Friday and not on Saturday', () => {
    expect(inHours(weekdaysPeak, at('2026-08-21T02:00:00Z'))).toBe(true); // Friday
    expect(inHours(weekdaysPeak, at('2026-08-22T02:00:00Z'))).toBe(false); // Saturday
    expect(inHours(weekdaysPeak, at('2026-08-23T07:00:00Z'))).toBe(false); // Sunday
    expect(inHours(weekdaysPeak, at('2026-08-24T07:00:00Z'))).toBe(true); // Monday
    expect(inHours({ ...weekdaysPeak, days: undefined }, at('2026-08-22T02:00:00Z'))).toBe(true); // no days: every day
  });

  it('the weekday is the local one: 01:00 Monday in Beijing is still Sunday in UTC', () => {
    const beijing: HoursWindow = { tz: 'Asia/Shanghai', ranges: [['00:00', '09:00']], days: [1] };
    expect(inHours(beijing, at('2026-08-23T17:00:00Z'))).toBe(true); // Mon 01:00 +08:00
    expect(inHours(beijing, at('2026-08-23T15:00:00Z'))).toBe(false); // Sun 23:00 +08:00
  });

  it('a range wrapping midnight belongs to the day it starts on', () => {
    const fridayNight: HoursWindow = { tz: 'UTC', ranges: [['22:00', '06:00']], days: [5] };
    expect(inHours(fridayNight, at('2026-08-21T23:00:00Z'))).toBe(true); // Fri 23:00
    expect(inHours(fridayNight, at('2026-08-22T03:00:00Z'))).toBe(true); // Sat 03:00, started Friday
    expect(inHours(fridayNight, at('2026-08-22T06:00:00Z'))).toBe(false); // end is exclusive
    expect(inHours(fridayNight, at('2026-08-21T03:00:00Z'))).toBe(false); // Fri 03:00 started Thursday
    expect(inHours(fridayNight, at('2026-08-22T23:00:00Z'))).toBe(false); // Sat 23:00
  });

  it('reads a DST zone across the March change (America/Los_Angeles, 09:00–17:00)', () => {
    const office: HoursWindow = { tz: 'America/Los_Angeles', ranges: [['09:00', '17:00']], days: [1, 2, 3, 4, 5] };
    expect(inHours(office, at('2026-03-06T17:30:00Z'))).toBe(true); // Fri 09:30 PST (UTC−8)
    expect(inHours(office, at('2026-03-06T16:30:00Z'))).toBe(false); // Fri 08:30 PST
    expect(inHours(office, at('2026-03-09T16:30:00Z'))).toBe(true); // Mon 09:30 PDT (UTC−7), after 2026-03-08
    expect(inHours(office, at('2026-03-09T00:30:00Z'))).toBe(false); // Sun 17:30 PDT
  });
});

describe('context bounds', () => {
  const row = (conditions: Conditions, amount: string): PricedRow => ({ component: 'input', currency: 'USD', unit: '1M tokens', conditions, amount });
  const req = (inputTokens: number, outputTokens = 0): RequestShape => ({ at: at('2026-08-01T00:00:00Z'), inputTokens, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens });

  it('exactly 272,000 tokens is long context on an inclusive 272K bound, short on an exclusive one', () => {
    const inclusive = [row({}, '1.25'), row({ contextAbove: 272_000, contextInclusive: true }, '2.5')];
    expect(selectRow(inclusive, 'input', req(272_000))!.amount).toBe('2.5');
    expect(selectRow(inclusive, 'input', req(271_999))!.amount).toBe('1.25');
    const exclusive = [row({}, '1.25'), row({ contextAbove: 272_000 }, '2.5')];
    expect(selectRow(exclusive, 'input', req(272_000))!.amount).toBe('1.25');
    expect(selectRow(exclusive, 'input', req(272_001))!.amount).toBe('2.5');
  });

  it('a tier by total context counts input and output tokens', () => {
    const rows = [row({}, '2'), row({ contextAbove: 8192, contextMeasure: 'total' }, '5'), row({ contextAbove: 32768, contextMeasure: 'total' }, '10')];
    expect(selectRow(rows, 'input', req(6_000, 4_000))!.amount).toBe('5'); // 10,000 total
    expect(selectRow(rows, 'input', req(6_000, 2_000))!.amount).toBe('2'); // 8,000 total
    expect(selectRow(rows, 'input', req(30_000, 3_000))!.amount).toBe('10');
    const byInput = [row({}, '2'), row({ contextAbove: 8192 }, '5')];
    expect(selectRow(byInput, 'input', req(6_000, 4_000))!.amount).toBe('2');
  });
});

describe('conditions in words', () => {
  const peak: Conditions = { hours: { tz: 'UTC', ranges: [['01:00', '04:00']], days: [1, 2, 3, 4, 5], label: 'peak' } };
  it('names weekdays and the bound’s inclusivity and measure in the CLI, Slack helpers and the web page', () => {
    expect(weekdaysLabel([1, 2, 3, 4, 5])).toBe('Mon–Fri');
    expect(weekdaysLabel([6, 7])).toBe('Sat, Sun');
    expect(weekdaysLabel([1, 3, 4, 5, 7])).toBe('Mon, Wed–Fri, Sun');
    expect(weekdaysLabel([1, 2, 3, 4, 5, 6, 7])).toBeNull();
    expect(contextBoundLabel({ contextAbove: 272_000, contextInclusive: true })).toBe('≥ 272,000 tokens');
    expect(contextBoundLabel({ contextAbove: 8192, contextMeasure: 'total' })).toBe('> 8,192 total tokens');
    expect(conditionsLabel(peak)).toBe('peak 01:00–04:00 UTC Mon–Fri');
    expect(conditionsLabel({ contextAbove: 272_000, contextInclusive: true })).toBe('≥272,000 tokens');
    expect(conditionsLabel({ contextAbove: 200_000 })).toBe('>200,000 tokens');
    expect(conditionParts(peak)).toEqual(['peak 01:00–04:00 (UTC, Mon–Fri)']);
    expect(conditionParts({ contextAbove: 8192, contextMeasure: 'total' })).toEqual(['prompt + output > 8,192 tokens']);
    expect(conditionsShort({ contextAbove: 272_000, contextInclusive: true })).toBe('≥ 272K');
  });
});

/*
 * CONSTRUCTED test data, not a real model: Moonshot's kimi-latest CNY prices as its pricing page
 * of 2025-12-19 shows them (/work/shared/fixtures/pages/moonshot/moonshot-zh-chat-2025-12-19-petehsu.md:
 * "≤ 8,192 tokens" ¥2 / ¥10, "8,192 < 长度 ≤ 32,768" ¥5 / ¥20, "32,768 < 长度 ≤ 131,072" ¥10 / ¥30 per 1M
 * input / output tokens, tiers chosen by the request's context length), copied onto a test model with
 * contextMeasure "total" so that quoting by total context is tested on its own.
 */
const SOURCE = {
  url: 'https://platform.moonshot.cn/docs/pricing/chat',
  note: 'CONSTRUCTED for tests: kimi-latest figures of the 2025-12-19 page on a test model, tiers by total context.',
};
const kimiFact = (component: string, amount: string, contextAbove?: number) => ({
  model: 'constructed-test/kimi-latest-total-context',
  component,
  currency: 'CNY',
  unit: '1M tokens',
  conditions: contextAbove ? { contextAbove, contextMeasure: 'total' } : {},
  amount,
  kind: 'list',
  validFrom: '2025-12-19T00:00:00Z',
  validTo: null,
  recordedAt: '2025-12-19T00:00:00Z',
  sources: [SOURCE],
  confidence: 'low',
});
const CONSTRUCTED = {
  provider: { id: 'constructed-test', name: 'Constructed test provider (not real)', url: 'https://platform.moonshot.cn' },
  models: [{ id: 'constructed-test/kimi-latest-total-context', provider: 'constructed-test', name: 'Constructed kimi-latest by total context (test only)' }],
  plans: [],
  facts: [
    kimiFact('input', '2'),
    kimiFact('input', '5', 8192),
    kimiFact('input', '10', 32768),
    kimiFact('output', '10'),
    kimiFact('output', '20', 8192),
    kimiFact('output', '30', 32768),
  ],
  planTerms: [],
  planRates: [],
};

describe('POST /v1/quote with a tier by total context (constructed model)', () => {
  let s: SeededServer;
  beforeAll(async () => {
    s = await startSeededServer({ withoutData: true, extraDatasets: { 'constructed-test.json': CONSTRUCTED } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('6,000 input + 4,000 output tokens (10,000 in all) are priced in the 8K–32K tier: ¥0.11', async () => {
    const r = await request(s.url, '/v1/quote', {
      json: { models: ['constructed-test/kimi-latest-total-context'], at: '2026-01-01T00:00:00Z', usage: { inputTokens: 6_000, outputTokens: 4_000 } },
    });
    expect(r.status).toBe(200);
    const q = r.body.quotes[0];
    expect(q.currency).toBe('CNY');
    // 6,000 × 5 / 1M + 4,000 × 20 / 1M = 0.03 + 0.08
    expect(q.total).toBe('0.11');
    expect(q.lines.find((l: any) => l.component === 'input')).toMatchObject({ unitPrice: '5', conditions: { contextAbove: 8192, contextMeasure: 'total' } });
    // 6,000 + 2,000 = 8,000 stays in the base tier: 0.012 + 0.02
    const small = await request(s.url, '/v1/quote', {
      json: { models: ['constructed-test/kimi-latest-total-context'], at: '2026-01-01T00:00:00Z', usage: { inputTokens: 6_000, outputTokens: 2_000 } },
    });
    expect(small.body.quotes[0].total).toBe('0.032');
  });
});
