// Issue #16 case 1 / #14 item 2: a quote over a usage log is priced in one pass per model and
// yields to the event loop, so a /healthz probe every 10 ms keeps answering while it runs; the
// limiter weighs a quote by its work (models × logged requests).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withProbe } from './helpers/probe.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

// Real models of data/ that have USD prices over 2026.
const MODELS = ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro', 'anthropic/claude-sonnet-4-5'];

/** A usage log of n requests spread over 2026-05-01 .. 2026-09-01, every instant different. */
function usageLog(n: number) {
  const start = Date.parse('2026-05-01T00:00:00Z');
  const span = Date.parse('2026-09-01T00:00:00Z') - start;
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(start + Math.floor((span * ((i * 7919) % n)) / n)).toISOString(),
    inputTokens: 1_000 + ((i * 37) % 50_000),
    cacheReadTokens: (i * 13) % 500,
    outputTokens: 100 + ((i * 17) % 4_000),
  }));
}

let s: SeededServer;
beforeAll(async () => {
  s = await startSeededServer({ app: { cache: false, } });
});
afterAll(async () => {
  await s?.close();
});

describe('heavy quotes', () => {
  it('the limiter weighs a quote by its model × request pairs (one token per 100, burst 300)', async () => {
    const limited = await startSeededServer({ app: { cache: false, rateLimits: { quote: { capacity: 300, refillPerSecond: 1 } } } });
    try {
      const heavy = { models: MODELS, currency: 'USD', usage: usageLog(3_300) }; // 9,900 pairs: 99 tokens
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(limited.url, '/v1/quote', { json: heavy })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await request(limited.url, '/v1/quote', { json: heavy });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // A light quote still fits in what is left.
      const light = await request(limited.url, '/v1/quote', { json: { models: [MODELS[0]], currency: 'USD', usage: { inputTokens: 10, outputTokens: 10 } } });
      expect(light.status, light.text).toBe(200);
    } finally {
      await limited.close();
    }
  }, 60_000);

  it('3 models × 3,300 logged requests: /healthz keeps answering throughout', async () => {
    const body = { models: MODELS, currency: 'USD', usage: usageLog(3_300) };
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const { result, worstMs: worstProbeMs, probes, ms } = await withProbe(s.url, () => request(s.url, '/v1/quote', { json: body }));
    h.disable();
    const stallMs = h.max / 1e6;
    console.log(`[hostile-heavy-quote] 3×3300: quote ${ms.toFixed(0)} ms, ${probes} probes, worst /healthz ${worstProbeMs.toFixed(1)} ms, longest event-loop stall ${stallMs.toFixed(1)} ms`);
    expect(result.status, result.text).toBe(200);
    expect(result.body.quotes).toHaveLength(3);
    // Before the one-pass quote the probe waited the whole quote (4.1 s of 4.1 s): a quote that
    // does not yield fails this. The log's validation yields too now (hostile-quote-validation
    // holds it to 50 ms over the idle latency); the bound here is 400 ms or half the quote's own
    // time on a slower machine (CI runs test files two at a time).
    expect(worstProbeMs).toBeLessThan(Math.max(400, ms / 2));
  }, 60_000);

  it('a 10,000-request usage log on one model: timed, with the longest event-loop stall', async () => {
    const body = { models: [MODELS[0]], currency: 'USD', usage: usageLog(10_000) };
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const { result, worstMs: worstProbeMs, ms } = await withProbe(s.url, () => request(s.url, '/v1/quote', { json: body }));
    h.disable();
    console.log(`[hostile-heavy-quote] 1×10000: quote ${ms.toFixed(0)} ms, worst /healthz ${worstProbeMs.toFixed(1)} ms, longest event-loop stall ${(h.max / 1e6).toFixed(1)} ms`);
    expect(result.status, result.text).toBe(200);
    expect(worstProbeMs).toBeLessThan(Math.max(400, ms / 2));
  }, 60_000);

  it('the one-pass quote equals the sum of one-request quotes (exact decimals)', async () => {
    const log = usageLog(40);
    const whole = await request(s.url, '/v1/quote', { json: { models: MODELS, currency: 'USD', usage: log } });
    expect(whole.status, whole.text).toBe(200);
    for (const [i, model] of MODELS.entries()) {
      let sum = 0n; // in units of 1e-12, as the quote rounds to 12 places
      for (const u of log) {
        const one = await request(s.url, '/v1/quote', { json: { models: [model], currency: 'USD', at: u.at, usage: { ...u, at: undefined } } });
        expect(one.status, one.text).toBe(200);
        sum += BigInt(Math.round(one.body.quotes[0].total * 1e12));
      }
      expect(BigInt(Math.round(whole.body.quotes[i].total * 1e12))).toBe(sum);
    }
  }, 60_000);

  it('more than the documented maximum of model × request pairs is a 422 problem', async () => {
    const r = await request(s.url, '/v1/quote', { json: { models: [...MODELS, 'openai/gpt-5'], currency: 'USD', usage: usageLog(3_000) } });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.field).toBe('usage');
  }, 60_000);
});
