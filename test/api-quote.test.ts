// POST /v1/quote over real HTTP: the worked example of the issue, context tiers, time-of-day
// windows, usage logs, currencies and token plans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';
import { Decimal } from '../src/decimal.ts';

/*
 * CONSTRUCTED test data, not a real model: a provider "constructed-test" whose one model carries
 * DeepSeek-V4-Pro's peak / off-peak CNY prices as shown on DeepSeek's Chinese pricing page of
 * 2026-08-17 (/work/shared/fixtures/pages/deepseek/deepseek-zh-2026-08-17-modelscn-fixture-trimmed.html):
 * cache hit 0.15 / 0.30, cache miss 4.5 / 9.0, output 13.5 / 27.0 元 per 1M tokens (off-peak / peak),
 * peak = Beijing 09:00–12:00 and 14:00–18:00. It exists so that window selection is tested on its
 * own, whatever data/ holds.
 */
const TZ = 'Asia/Shanghai';
const PEAK = { tz: TZ, ranges: [['09:00', '12:00'], ['14:00', '18:00']], label: 'peak' };
const OFF_PEAK = { tz: TZ, ranges: [['00:00', '09:00'], ['12:00', '14:00'], ['18:00', '24:00']], label: 'off-peak' };
const SOURCE = {
  url: 'https://api-docs.deepseek.com/zh-cn/quick_start/pricing',
  title: '模型 & 价格 | DeepSeek API Docs',
  note: 'CONSTRUCTED for tests: DeepSeek-V4-Pro figures of the 2026-08-17 page copied onto a test model.',
};
const fact = (component: string, hours: object, amount: string) => ({
  model: 'constructed-test/peak-offpeak',
  component,
  currency: 'CNY',
  unit: '1M tokens',
  conditions: { hours },
  amount,
  kind: 'list',
  validFrom: '2026-08-16T16:00:00Z',
  validTo: null,
  recordedAt: '2026-08-17T00:00:00Z',
  sources: [SOURCE],
  confidence: 'low',
});
const CONSTRUCTED = {
  provider: { id: 'constructed-test', name: 'Constructed test provider (not real)', url: 'https://api-docs.deepseek.com' },
  models: [{ id: 'constructed-test/peak-offpeak', provider: 'constructed-test', name: 'Constructed peak/off-peak model (test only)' }],
  plans: [],
  facts: [
    fact('input', OFF_PEAK, '4.5'),
    fact('input', PEAK, '9.0'),
    fact('cache_read', OFF_PEAK, '0.15'),
    fact('cache_read', PEAK, '0.30'),
    fact('output', OFF_PEAK, '13.5'),
    fact('output', PEAK, '27.0'),
  ],
  planTerms: [],
  planRates: [],
};

let s: SeededServer;
beforeAll(async () => {
  s = await startSeededServer({ extraDatasets: { 'constructed-test.json': CONSTRUCTED } });
});
afterAll(async () => {
  await s?.close();
});

const quote = (body: unknown) => request(s.url, '/v1/quote', { json: body });
const WORKLOAD = { requests: 10, usage: { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 } };
const EXPECTED_LINES = [
  { component: 'input', tokens: 200_000, unitPrice: '3', cost: '0.6' },
  { component: 'cache_read', tokens: 800_000, unitPrice: '0.025', cost: '0.02' },
  { component: 'output', tokens: 200_000, unitPrice: '6', cost: '1.2' },
];

describe('POST /v1/quote', () => {
  it('costs 10 requests of 100,000 input (80,000 cached) and 20,000 output tokens at 1.82 yuan on both models', async () => {
    const r = await quote({ models: ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro'], at: '2026-06-01T00:00:00Z', currency: 'CNY', ...WORKLOAD });
    expect(r.status).toBe(200);
    expect(r.body.at).toBe('2026-06-01T00:00:00.000Z');
    expect(r.body.quotes.map((q: any) => q.model)).toEqual(['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro']);
    for (const q of r.body.quotes) {
      expect(q.currency).toBe('CNY');
      expect(q.total).toBe('1.82');
      expect(q.lines.map(({ component, tokens, unitPrice, cost }: any) => ({ component, tokens, unitPrice, cost }))).toEqual(EXPECTED_LINES);
    }
  });

  it('picks the >256K tier by input tokens (MiMo-V2.5-Pro in USD before the cut)', async () => {
    const big = await quote({ models: ['xiaomi/mimo-v2.5-pro'], at: '2026-05-20T00:00:00Z', currency: 'USD', usage: { inputTokens: 300_000, outputTokens: 1_000 } });
    expect(big.status).toBe(200);
    const lines = big.body.quotes[0].lines;
    expect(lines.find((l: any) => l.component === 'input')).toMatchObject({ unitPrice: '2', conditions: { contextAbove: 256000 }, cost: '0.6' });
    expect(lines.find((l: any) => l.component === 'output')).toMatchObject({ unitPrice: '6', conditions: { contextAbove: 256000 } });
    const small = await quote({ models: ['xiaomi/mimo-v2.5-pro'], at: '2026-05-20T00:00:00Z', currency: 'USD', usage: { inputTokens: 200_000, outputTokens: 1_000 } });
    const input = small.body.quotes[0].lines.find((l: any) => l.component === 'input');
    expect(input.unitPrice).toBe('1');
    expect(input.conditions).toBeUndefined();
  });

  it('picks the time-of-day window by each request’s instant (constructed model)', async () => {
    const usage = { inputTokens: 1_000_000, cacheReadTokens: 0, outputTokens: 1_000_000 };
    // 10:00 Beijing = 02:00Z: peak. 13:00 Beijing = 05:00Z: off-peak.
    const peak = await quote({ models: ['constructed-test/peak-offpeak'], at: '2026-08-20T02:00:00Z', usage });
    expect(peak.status).toBe(200);
    expect(peak.body.quotes[0]).toMatchObject({ currency: 'CNY', total: '36' });
    expect(peak.body.quotes[0].lines[0].conditions.hours.label).toBe('peak');
    const off = await quote({ models: ['constructed-test/peak-offpeak'], at: '2026-08-20T05:00:00Z', usage });
    expect(off.body.quotes[0].total).toBe('18');
    expect(off.body.quotes[0].lines[0].conditions.hours.label).toBe('off-peak');
    // A usage log spanning both windows: one line per window and component.
    const log = await quote({
      models: ['constructed-test/peak-offpeak'],
      usage: [
        { at: '2026-08-20T02:00:00Z', inputTokens: 100_000, cacheReadTokens: 50_000, outputTokens: 10_000 },
        { at: '2026-08-20T11:30:00Z', inputTokens: 100_000, cacheReadTokens: 50_000, outputTokens: 10_000 }, // 19:30 Beijing
      ],
    });
    expect(log.status).toBe(200);
    const q = log.body.quotes[0];
    // Peak: 50,000×9 + 50,000×0.30 + 10,000×27 = 0.45 + 0.015 + 0.27; off-peak: half of it.
    expect(q.total).toBe('1.1025');
    expect(q.lines).toHaveLength(6);
  });

  it('answers 422 naming the currencies a model has', async () => {
    const r = await quote({ models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', currency: 'EUR', usage: { inputTokens: 10, outputTokens: 10 } });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body).toMatchObject({ status: 422, field: 'currency' });
    expect(r.body.detail).toMatch(/CNY, USD/);
  });

  it('quotes a token plan in credits with the requests it covers', async () => {
    const r = await quote({ models: ['xiaomi/mimo-v2.5-pro'], at: '2026-06-01T00:00:00Z', currency: 'CNY', plan: 'xiaomi/token-plan-lite', ...WORKLOAD });
    expect(r.status).toBe(200);
    const plan = r.body.quotes[0].plan;
    expect(plan.plan).toBe('xiaomi/token-plan-lite');
    expect(new Decimal(plan.credits).gt(0)).toBe(true);
    expect(plan.creditsPerRequest).toBe(new Decimal(plan.credits).div(10).toDecimalPlaces(6).toFixed());
    expect(plan.requestsCovered).toBe(new Decimal(plan.planCredits).div(plan.creditsPerRequest).floor().toNumber());
    expect(plan.feeCurrency).toBe('CNY');
    expect(plan.effectivePricePer1M).toMatch(/^\d+(\.\d+)?$/);
  });

  it('validates the body: cache tokens above input, negative or fractional counts, unknown fields', async () => {
    const base = { models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z' };
    const cases: Array<[unknown, string]> = [
      [{ ...base, usage: { inputTokens: 10, cacheReadTokens: 20, outputTokens: 1 } }, 'usage.cacheReadTokens'],
      [{ ...base, usage: { inputTokens: -1, outputTokens: 1 } }, 'usage.inputTokens'],
      [{ ...base, usage: { inputTokens: 1.5, outputTokens: 1 } }, 'usage.inputTokens'],
      [{ ...base, usage: { inputTokens: 1, outputTokens: 1 }, colour: 'red' }, 'colour'],
      [{ ...base, at: '2026-13-01T00:00:00Z', usage: { inputTokens: 1, outputTokens: 1 } }, 'at'],
    ];
    for (const [body, field] of cases) {
      const r = await quote(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.field).toBe(field);
    }
  });

  it('rejects a request larger than the model’s context window with a 422', async () => {
    const r = await quote({ models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', usage: { inputTokens: 1_000_000, outputTokens: 1 } });
    expect(r.status).toBe(422);
    expect(r.body.field).toBe('usage');
  });
});
