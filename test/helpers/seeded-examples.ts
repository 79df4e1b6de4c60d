// The seeded examples of test/api-quote.test.ts and test/cli-seeded-prices.test.ts that run on
// data/ (the constructed peak/off-peak model lives only in that test), as library calls and the
// HTTP requests that must give the same answers. Every case states its knowledge time, so the
// library and the server answer the same question whatever the clock says.
const AS_OF = '2026-12-01T00:00:00Z';
const WORKLOAD = { requests: 10, usage: { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 } };

export type Example =
  | { kind: 'quote'; name: string; body: Record<string, unknown> }
  | { kind: 'price'; name: string; model: string; at: string; asOf: string; currency?: string };

export const SEEDED_EXAMPLES: Example[] = [
  { kind: 'quote', name: '1.82 yuan on both models', body: { models: ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro'], at: '2026-06-01T00:00:00Z', asOf: AS_OF, currency: 'CNY', ...WORKLOAD } },
  { kind: 'quote', name: 'the DeepSeek example alone', body: { models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', asOf: AS_OF, currency: 'CNY', ...WORKLOAD } },
  { kind: 'quote', name: 'MiMo >256K tier', body: { models: ['xiaomi/mimo-v2.5-pro'], at: '2026-05-20T00:00:00Z', asOf: AS_OF, currency: 'USD', usage: { inputTokens: 300_000, outputTokens: 1_000 } } },
  { kind: 'quote', name: 'MiMo under the tier', body: { models: ['xiaomi/mimo-v2.5-pro'], at: '2026-05-20T00:00:00Z', asOf: AS_OF, currency: 'USD', usage: { inputTokens: 200_000, outputTokens: 1_000 } } },
  { kind: 'quote', name: 'EUR is refused naming the currencies', body: { models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', asOf: AS_OF, currency: 'EUR', usage: { inputTokens: 10, outputTokens: 10 } } },
  { kind: 'quote', name: 'a token plan in credits', body: { models: ['xiaomi/mimo-v2.5-pro'], at: '2026-06-01T00:00:00Z', asOf: AS_OF, currency: 'CNY', plan: 'xiaomi/token-plan-lite', ...WORKLOAD } },
  { kind: 'quote', name: 'larger than the context window', body: { models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', asOf: AS_OF, usage: { inputTokens: 1_000_000, outputTokens: 1 } } },
  { kind: 'price', name: 'V4-Pro USD during the promotion', model: 'deepseek/deepseek-v4-pro', at: '2026-05-01T00:00:00Z', asOf: AS_OF, currency: 'USD' },
  { kind: 'price', name: 'V4-Pro CNY during the promotion', model: 'deepseek/deepseek-v4-pro', at: '2026-05-01T00:00:00Z', asOf: AS_OF, currency: 'CNY' },
  { kind: 'price', name: 'V4-Pro after the promotion became the list price', model: 'deepseek/deepseek-v4-pro', at: '2026-06-01T00:00:00Z', asOf: AS_OF },
  { kind: 'price', name: 'V4-Flash before the cache cut', model: 'deepseek/deepseek-v4-flash', at: '2026-04-25T00:00:00Z', asOf: AS_OF, currency: 'USD' },
  { kind: 'price', name: 'V4-Flash after the cache cut', model: 'deepseek/deepseek-v4-flash', at: '2026-05-01T00:00:00Z', asOf: AS_OF, currency: 'USD' },
  { kind: 'price', name: 'June as known on 2026-05-21', model: 'deepseek/deepseek-v4-pro', at: '2026-06-01T00:00:00Z', asOf: '2026-05-21T00:00:00Z', currency: 'USD' },
  { kind: 'price', name: 'June as known on 2026-05-23', model: 'deepseek/deepseek-v4-pro', at: '2026-06-01T00:00:00Z', asOf: '2026-05-23T00:00:00Z', currency: 'USD' },
  { kind: 'price', name: 'the promotion as known on 2026-04-30', model: 'deepseek/deepseek-v4-pro', at: '2026-05-10T00:00:00Z', asOf: '2026-04-30T00:00:00Z', currency: 'USD' },
  { kind: 'price', name: 'the promotion as known now', model: 'deepseek/deepseek-v4-pro', at: '2026-05-10T00:00:00Z', asOf: AS_OF, currency: 'USD' },
  { kind: 'price', name: 'MiMo-V2.5-Pro after the cut', model: 'xiaomi/mimo-v2.5-pro', at: '2026-05-28T00:00:00Z', asOf: AS_OF },
  { kind: 'price', name: 'MiMo-V2.5 CNY after the cut', model: 'xiaomi/mimo-v2.5', at: '2026-05-28T00:00:00Z', asOf: AS_OF, currency: 'CNY' },
];

/** The HTTP request that asks the API the same question. */
export function apiRequest(e: Example): { path: string; json?: unknown } {
  if (e.kind === 'quote') return { path: '/v1/quote', json: e.body };
  const q = new URLSearchParams({ model: e.model, at: e.at, asOf: e.asOf, ...(e.currency ? { currency: e.currency } : {}) });
  return { path: `/v1/prices?${q}` };
}

/** What a library answer looks like next to the API's: the body, or the problem's status and detail. */
export type Outcome = { ok: unknown } | { error: { status: number; detail: string } };
