// Money has one representation in every answer: an exact decimal string (schema `Money`), the same
// as the dataset and `parse`. A JSON number (a double) cannot carry a large quote total.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, request, startSeededServer, type SeededServer } from './helpers/server.ts';
import { Decimal } from '../src/decimal.ts';

const PRO = 'deepseek/deepseek-v4-pro';
const MONEY = /^(0|[1-9]\d*)(\.\d*[1-9])?$/; // canonical: no exponent, no trailing zeros

let s: SeededServer;
beforeAll(async () => {
  // The real DeepSeek dataset file alone (fast to seed).
  s = await startSeededServer({ withoutData: true, extraDatasets: { 'deepseek.json': readFileSync(join(DATA_DIR, 'deepseek.json'), 'utf8') } });
}, 120_000);
afterAll(() => s?.close());

/** Every value under a money key of a JSON answer, with its path. */
const MONEY_KEYS = new Set(['amount', 'listAmount', 'before', 'after', 'listBefore', 'listAfter', 'total', 'cost', 'unitPrice', 'originalAmount', 'rate', 'fee', 'credits', 'creditsPerToken', 'creditsPerRequest', 'planCredits', 'effectivePricePer1M', 'paygPricePer1M', 'planPricePer1M', 'effectivePricePer1MInFeeCurrency', 'impliedRate', 'referenceRate']);
function moneyValues(v: unknown, path = '$', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(v)) v.forEach((x, i) => moneyValues(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (MONEY_KEYS.has(k) && x !== null && typeof x !== 'object') out.push([`${path}.${k}`, x]);
      else moneyValues(x, `${path}.${k}`, out);
    }
  return out;
}

describe('money is an exact decimal string', () => {
  it('a quote total of 17 significant digits keeps every one (a double would not)', async () => {
    // 999,983 cache-hit tokens a request (the window allows 1M), 999,999,937 requests, at 0.025 元
    // per 1M (DeepSeek's page, V4-Pro cache hit on 2026-06-01).
    const usage = { inputTokens: 999_983, cacheReadTokens: 999_983, outputTokens: 0 };
    const r = await request(s.url, '/v1/quote', { json: { models: [PRO], at: '2026-06-01T00:00:00Z', currency: 'CNY', requests: 999_999_937, usage } });
    expect(r.status).toBe(200);
    const q = r.body.quotes[0];
    const exact = new Decimal(999_983).times(999_999_937).times('0.025').div(1_000_000).toFixed();
    expect(exact).toBe('24999573.425026775');
    expect(q.total).toBe(exact);
    expect(q.lines.find((l: any) => l.component === 'cache_read')).toMatchObject({ unitPrice: '0.025', cost: exact });
    // As a JSON number the same total would read 24999573.425026774.
    expect(String(Number(q.total))).not.toBe(q.total);
  });

  it('every amount of prices, history, diff, changes and quotes is a canonical decimal string', async () => {
    const answers = await Promise.all([
      request(s.url, `/v1/prices?model=${PRO}&at=2026-05-01T00:00:00Z`),
      request(s.url, `/v1/history?model=${PRO}`),
      request(s.url, '/v1/diff?from=2026-04-20T00:00:00Z&to=2026-09-01T00:00:00Z&provider=deepseek'),
      request(s.url, '/v1/changes?provider=deepseek&limit=200'),
      request(s.url, '/v1/quote', { json: { models: [PRO], at: '2026-08-20T03:00:00Z', usage: { inputTokens: 1000, cacheReadTokens: 400, outputTokens: 77 } } }),
    ]);
    let seen = 0;
    for (const a of answers) {
      expect(a.status).toBe(200);
      for (const [path, v] of moneyValues(a.body)) {
        expect(typeof v, path).toBe('string');
        expect(v, path).toMatch(MONEY);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(100);
  });

  it('the OpenAPI document says so: money properties are the Money schema, a string', async () => {
    const doc = (await request(s.url, '/openapi.json')).body;
    expect(doc.info.version).toBe('2026-12-02');
    expect(doc.components.schemas.Money).toMatchObject({ type: 'string' });
    const refs = (schema: any): boolean =>
      !!schema && (schema.$ref === '#/components/schemas/Money' || (schema.type === 'string' && typeof schema.pattern === 'string') || (schema.anyOf ?? schema.oneOf ?? []).some(refs));
    const offenders: string[] = [];
    let checked = 0;
    const walk = (node: any, path: string) => {
      if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${path}[${i}]`));
      if (!node || typeof node !== 'object') return;
      if (node.properties)
        for (const [k, p] of Object.entries<any>(node.properties)) {
          if (MONEY_KEYS.has(k) && !(k === 'rate' && p.type === 'integer')) {
            checked++;
            if (!refs(p)) offenders.push(`${path}.${k}`);
          }
        }
      for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    };
    walk(doc, '$');
    expect(offenders).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });
});
