// Plans compare in one currency: Xiaomi's Token Plan Lite (39 元 a month for 4.1 billion credits,
// MiMo-V2.5-Pro at 300 / 2.5 / 600 credits per input / cache-hit / output token, data/xiaomi.json)
// beside pay-as-you-go, over real HTTP, on 2026-07-06 (an ECB publication we hold).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/decimal.ts';
import { request, type SeededServer } from './helpers/server.ts';
import { startServerWithRates } from './helpers/fx.ts';

const AT = '2026-07-06T12:00:00Z';
const CNY_USD = '0.1471517152'; // 1.1415 / 7.7573, the ECB's 2026-07-06 publication

let s: SeededServer;
beforeAll(async () => {
  s = await startServerWithRates();
}, 60_000);
afterAll(() => s?.close());

describe('the quote\'s plan section', () => {
  it('puts the plan\'s price per 1M tokens in the quote currency, with the rate shown', async () => {
    const r = await request(s.url, '/v1/quote', {
      json: { models: ['xiaomi/mimo-v2.5-pro'], at: AT, currency: 'USD', plan: 'xiaomi/token-plan-lite', requests: 10, usage: { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 } },
    });
    expect(r.status).toBe(200);
    const q = r.body.quotes[0];
    const plan = q.plan;
    expect(q.currency).toBe('USD');
    expect(plan.currency).toBe('USD');
    expect(plan.feeCurrency).toBe('CNY');
    // Credits: 10 × (20,000 × 300 + 80,000 × 2.5 + 20,000 × 600) = 182,000,000; the fee spread over
    // them per 1M tokens: 39 × 182e6 / 4.1e9 / 1.2e6 × 1e6 = 1.442683 元.
    expect(plan.credits).toBe('182000000');
    expect(plan.effectivePricePer1MInFeeCurrency).toBe('1.442683');
    expect(plan.feeConversion).toMatchObject({ convertedFrom: 'CNY', originalAmount: '1.442683', rate: CNY_USD, rateDate: '2026-07-06' });
    expect(plan.feeConversion.rateSource.url).toBe('https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml');
    expect(plan.effectivePricePer1M).toBe(new Decimal('1.442683').times(CNY_USD).toSignificantDigits(10).toFixed());
    // Pay-as-you-go from Xiaomi's own USD list: 0.26388 $ for 1.2M tokens.
    expect(plan.paygPricePer1M).toBe('0.2199');
    expect(new Decimal(plan.effectivePricePer1M).lt(plan.paygPricePer1M)).toBe(true);
  });

  it('in the fee currency nothing is converted', async () => {
    const r = await request(s.url, '/v1/quote', {
      json: { models: ['xiaomi/mimo-v2.5-pro'], at: AT, currency: 'CNY', plan: 'xiaomi/token-plan-lite', requests: 10, usage: { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 } },
    });
    const plan = r.body.quotes[0].plan;
    expect(plan).toMatchObject({ currency: 'CNY', effectivePricePer1M: '1.442683' });
    expect(plan.feeConversion).toBeUndefined();
  });
});

describe('GET /v1/plans', () => {
  it('gives each credit rate\'s cost per 1M tokens on the plan beside pay-as-you-go, in the fee currency', async () => {
    const r = await request(s.url, `/v1/plans?plan=xiaomi/token-plan-lite&at=${AT}`);
    expect(r.status).toBe(200);
    const rates = r.body.data[0].rates.filter((x: any) => x.model === 'xiaomi/mimo-v2.5-pro');
    const input = rates.find((x: any) => x.component === 'input');
    // 39 / 4.1e9 × 300 × 1e6 = 2.853658537 元 on the plan vs 3 元 pay-as-you-go.
    expect(input).toMatchObject({ currency: 'CNY', planPricePer1M: '2.853658537', paygPricePer1M: '3' });
    expect(input.paygConversion).toBeUndefined();
  });

  it('with currency=USD, both sides in USD and each conversion shown', async () => {
    const r = await request(s.url, `/v1/plans?plan=xiaomi/token-plan-lite&at=${AT}&currency=USD`);
    const input = r.body.data[0].rates.find((x: any) => x.model === 'xiaomi/mimo-v2.5-pro' && x.component === 'input');
    expect(input.currency).toBe('USD');
    expect(input.planConversion).toMatchObject({ convertedFrom: 'CNY', rate: CNY_USD, rateDate: '2026-07-06', originalAmount: '2.853658537' });
    expect(input.planPricePer1M).toBe(new Decimal('2.853658537').times(CNY_USD).toSignificantDigits(10).toFixed());
    // Xiaomi publishes USD: its own list, not a conversion.
    expect(input.paygPricePer1M).toBe('0.435');
    expect(input.paygConversion).toBeUndefined();
    // A day without a rate: the plan side is null and says why; never a mixed-currency pair.
    const gap = await request(s.url, '/v1/plans?plan=xiaomi/token-plan-lite&at=2026-08-18T00:00:00Z&currency=USD');
    const g = gap.body.data[0].rates.find((x: any) => x.model === 'xiaomi/mimo-v2.5-pro' && x.component === 'input');
    expect(g.planPricePer1M).toBeNull();
    expect(g.note).toMatch(/no ECB reference rate CNY→USD for 2026-08-18/);
  });
});

describe('tokentrail quote --plan --currency', () => {
  it('prints the plan and pay-as-you-go in one currency, with the rate of the day', async () => {
    const { runCli, tempDb } = await import('./helpers/cli.ts');
    const db = tempDb();
    expect((await runCli(['import'], { db })).code).toBe(0);
    const r = await runCli(
      ['quote', '--model', 'xiaomi/mimo-v2.5-pro', '--at', AT, '--input', '100000', '--cache-read', '80000', '--output', '20000', '--requests', '10', '--currency', 'USD', '--plan', 'xiaomi/token-plan-lite'],
      { db },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0\.2122932779 USD per 1M tokens on the plan vs 0\.2199 USD pay-as-you-go \(plan: 1\.442683 CNY at 0\.1471517152, ECB reference rate of 2026-07-06\)/);
  }, 90_000);
});
