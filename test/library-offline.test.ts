// The library from source: answers offline from the bundled snapshot (data/), refuses bad bodies
// as the API does, and refresh() replaces the snapshot with a running API's /v1/dataset.json,
// conditionally on its ETag; a refresh that fails leaves the answers as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { history, priceAt, quote, refresh } from '../src/index.ts';
import { BadInputError } from '../src/errors.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const AS_OF = '2026-12-01T00:00:00Z';

/*
 * CONSTRUCTED test data, not a real model: one model carrying DeepSeek-V4-Pro's off-peak CNY input
 * and output prices of the 2026-08-17 Chinese page (4.5 / 13.5 元 per 1M tokens), so that a quote
 * can only succeed once refresh() has loaded the server's dataset.
 */
const SOURCE = { url: 'https://api-docs.deepseek.com/zh-cn/quick_start/pricing', note: 'CONSTRUCTED for tests: V4-Pro off-peak figures of 2026-08-17 on a test model.' };
const fact = (component: string, amount: string) => ({
  model: 'constructed-lib/flat', component, currency: 'CNY', unit: '1M tokens', conditions: {}, amount, kind: 'list',
  validFrom: '2026-08-16T16:00:00Z', validTo: null, recordedAt: '2026-08-17T00:00:00Z', sources: [SOURCE], confidence: 'low',
});
const CONSTRUCTED = {
  provider: { id: 'constructed-lib', name: 'Constructed library test provider (not real)', url: 'https://api-docs.deepseek.com' },
  models: [{ id: 'constructed-lib/flat', provider: 'constructed-lib', name: 'Constructed flat model (test only)' }],
  plans: [], facts: [fact('input', '4.5'), fact('output', '13.5')], planTerms: [], planRates: [],
};
const flatQuote = () => quote({ models: ['constructed-lib/flat'], at: '2026-09-01T00:00:00Z', asOf: AS_OF, usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } });

describe('offline answers from the bundled snapshot', () => {
  it('prices V4-Pro during the promotion: promo over list, exact amounts', async () => {
    const t0 = performance.now();
    const sheet = await priceAt('deepseek/deepseek-v4-pro', '2026-05-01T00:00:00Z', { asOf: AS_OF, currency: 'USD' });
    console.log(`library first call (seeding the in-memory database from data/): ${Math.round(performance.now() - t0)} ms`);
    const input = sheet.prices.find((p) => p.component === 'input' && Object.keys(p.conditions).length === 0);
    expect(input).toMatchObject({ amount: '0.435', kind: 'promo', listAmount: '1.74' });
  });

  it('the history of V4-Pro in May holds the promotion and its sources', async () => {
    const h = await history('deepseek/deepseek-v4-pro', { from: '2026-05-01', to: '2026-05-02', asOf: AS_OF, currency: 'USD' });
    expect(h.facts.some((f) => f.kind === 'promo' && f.component === 'input' && f.amount === '0.435')).toBe(true);
    for (const f of h.facts) expect(f.sources.length).toBeGreaterThan(0);
  });

  it('refuses a bad quote body naming the field, and an unknown model with 404', async () => {
    const bad = quote({ models: ['deepseek/deepseek-v4-pro'], usage: { inputTokens: 10, cacheReadTokens: 20, outputTokens: 1 } });
    await expect(bad).rejects.toBeInstanceOf(BadInputError);
    await expect(bad).rejects.toMatchObject({ field: 'usage.cacheReadTokens' });
    await expect(quote({ models: ['nobody/nothing'], usage: { inputTokens: 1, outputTokens: 1 } })).rejects.toMatchObject({ status: 404 });
    await expect(priceAt('deepseek/deepseek-v4-pro', 'yesterday')).rejects.toMatchObject({ field: 'at' });
  });

  it('does not know the constructed model before a refresh', async () => {
    await expect(flatQuote()).rejects.toMatchObject({ status: 404 });
  });
});

describe('refresh({ url }) from a running API', () => {
  let s: SeededServer;
  beforeAll(async () => {
    s = await startSeededServer({ extraDatasets: { 'constructed-lib.json': CONSTRUCTED } });
    // The server runs in this process: build its cached dataset document now, so that refresh()
    // below measures the library, not the first build of 1.7 MB of JSON on a busy machine.
    expect((await request(s.url, '/v1/dataset.json')).status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('loads /v1/dataset.json, then answers 304 by ETag and keeps the dataset', async () => {
    const first = await refresh({ url: s.url });
    expect(first.updated).toBe(true);
    expect(first.etag).toMatch(/^"/);
    expect(first.providers).toBeGreaterThan(1);
    expect((await flatQuote()).quotes[0]).toMatchObject({ currency: 'CNY', total: '18' });
    const second = await refresh({ url: `${s.url}/v1/dataset.json` });
    expect(second).toMatchObject({ updated: false, etag: first.etag });
    expect((await flatQuote()).quotes[0].total).toBe('18');
  });

  it('a failed refresh (not a dataset, a server error, nobody listening) leaves the answers as they were', async () => {
    await expect(refresh({ url: `${s.url}/v1/providers.json` })).rejects.toThrow();
    await expect(refresh({ url: `${s.url}/healthz.json` })).rejects.toThrow();
    await expect(refresh({ url: 'http://127.0.0.1:9/' })).rejects.toThrow(/cannot fetch/);
    await expect(refresh({ url: 'not a url' })).rejects.toBeInstanceOf(BadInputError);
    expect((await flatQuote()).quotes[0].total).toBe('18');
  });
});
