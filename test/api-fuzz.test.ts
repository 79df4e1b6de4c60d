// Thousands of generated bad requests (seeded, so a failure replays) across every route: none may
// yield a 5xx, and every 4xx must be a problem+json whose `status` matches the response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

const BAD_INSTANTS = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-05-01T25:00:00Z',
  '2026-05-01T23:60:00Z',
  '2026-05-01T00:00:00',
  '2026-05-01T00:00:00+25:00',
  '99999-01-01',
  '+099999-01-01T00:00:00Z',
  '0000-01-01',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:59:59+00:00X',
  'now',
  'yesterday',
  '1714521600',
  '1e9',
  'NaN',
  'Infinity',
  '-1',
  '',
  ' ',
  '2026/05/01',
  '01-05-2026',
  '2026-05-01T00:00:00.1234567890123Z',
  '2026-W18-5',
  '２０２６-05-01',
  '2026-05-01\u0000',
  'x'.repeat(500),
];
const VALID_INSTANTS = ['2026-05-01', '2026-06-01T00:00:00Z', '2026-05-23T00:00:00+08:00', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z'];
const INJECTIONS = [
  "' OR 1=1 --",
  "x'); DROP TABLE facts; --",
  '" OR ""="',
  '1; SELECT * FROM meta',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '/etc/passwd',
  'C:\\Windows\\win.ini',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}',
  '${jndi:ldap://x/a}',
  '%00',
  '\u0000',
  '\ud83d\ude00',
  'ｄｅｅｐｓｅｅｋ/ｘ',
  '__proto__',
  'constructor',
  'a'.repeat(5000),
];
const MODELS = ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro', 'deepseek/nope', 'nope/nope', 'DEEPSEEK/DEEPSEEK-V4-PRO', 'deepseek', 'x', '/', 'a//b'];
const PROVIDERS = ['deepseek', 'xiaomi', 'nope', 'DeepSeek', '-x', 'a b'];
const CURRENCIES = ['USD', 'CNY', 'EUR', 'usd', 'US', 'EURO', '123', '$', 'XXX'];
const CURSORS = [
  'not-a-cursor',
  '!!!',
  'e30',
  Buffer.from('[1]').toString('base64url'),
  Buffer.from('["a","b"]').toString('base64url'),
  Buffer.from('[1e400,"k"]').toString('base64url'),
  Buffer.from('[9007199254740993,"k"]').toString('base64url'),
  Buffer.from('{"t":1,"k":"x"}').toString('base64url'),
  Buffer.from('[-1,""]').toString('base64url'),
  'A'.repeat(3000),
  '%ZZ',
];
const LIMITS = ['0', '-1', '1.5', '1e3', '1001', '99999999999999999999', 'abc', '', ' 5', '0x10'];
const TYPES = ['bogus', 'PRICE_CUT', 'price_cut,,nope', ',', 'price cut'];
const BOOLS = ['yes', '1', 'TRUE', '', 'no'];

function pickBad(r: Rng, kind: 'instant' | 'model' | 'provider' | 'currency'): string {
  if (r.chance(0.3)) return r.pick(INJECTIONS);
  if (kind === 'instant') return r.pick(BAD_INSTANTS);
  if (kind === 'model') return r.pick(MODELS);
  if (kind === 'provider') return r.pick(PROVIDERS);
  return r.pick(CURRENCIES);
}

const qs = (params: Array<[string, string]>) => params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** A GET with at least one bad parameter. */
function badGet(r: Rng): string {
  const route = r.pick(['prices', 'prices', 'history', 'diff', 'changes', 'changes', 'changes.atom', 'plans', 'models', 'providers', 'dataset.json', 'dataset.csv']);
  const p: Array<[string, string]> = [];
  const maybe = (k: string, good: () => string, bad: () => string) => {
    if (r.chance(0.5)) p.push([k, r.chance(0.5) ? bad() : good()]);
  };
  const badInstant = () => pickBad(r, 'instant');
  const goodInstant = () => r.pick(VALID_INSTANTS);
  switch (route) {
    case 'prices':
      if (r.chance(0.8)) p.push(['model', r.chance(0.5) ? pickBad(r, 'model') : r.pick(MODELS)]);
      if (r.chance(0.3)) p.push(['provider', pickBad(r, 'provider')]);
      maybe('at', goodInstant, badInstant);
      maybe('asOf', goodInstant, badInstant);
      maybe('currency', () => 'USD', () => pickBad(r, 'currency'));
      break;
    case 'history':
      if (r.chance(0.9)) p.push(['model', r.chance(0.5) ? pickBad(r, 'model') : r.pick(MODELS)]);
      maybe('from', goodInstant, badInstant);
      maybe('to', goodInstant, badInstant);
      maybe('includeSuperseded', () => 'true', () => r.pick(BOOLS));
      maybe('currency', () => 'CNY', () => pickBad(r, 'currency'));
      break;
    case 'diff':
      if (r.chance(0.5)) {
        // from after to
        p.push(['from', '2026-06-01T00:00:00Z'], ['to', '2026-05-01T00:00:00Z']);
      } else {
        maybe('from', goodInstant, badInstant);
        maybe('to', goodInstant, badInstant);
      }
      maybe('model', () => r.pick(MODELS), () => pickBad(r, 'model'));
      maybe('provider', () => 'xiaomi', () => pickBad(r, 'provider'));
      break;
    case 'changes':
    case 'changes.atom':
      maybe('since', goodInstant, badInstant);
      maybe('until', goodInstant, badInstant);
      maybe('type', () => 'price_cut', () => r.pick(TYPES));
      maybe('upcoming', () => 'true', () => r.pick(BOOLS));
      maybe('limit', () => '5', () => r.pick(LIMITS));
      if (route === 'changes') maybe('cursor', () => r.pick(CURSORS), () => r.pick(CURSORS));
      maybe('model', () => r.pick(MODELS), () => pickBad(r, 'model'));
      maybe('asOf', () => '2026-11-01T00:00:00Z', badInstant);
      break;
    case 'plans':
      maybe('provider', () => 'xiaomi', () => pickBad(r, 'provider'));
      maybe('plan', () => 'xiaomi/nope', () => pickBad(r, 'model'));
      maybe('at', goodInstant, badInstant);
      break;
    case 'models':
      maybe('provider', () => 'nope', () => pickBad(r, 'provider'));
      maybe('at', goodInstant, badInstant);
      break;
    default:
      break;
  }
  // Unknown or repeated parameters, so every request is bad somehow.
  if (p.length === 0 || r.chance(0.25)) p.push([r.pick(['foo', 'modle', 'AT', '__proto__', 'limit[]', '<x>', "q'"]), r.pick(INJECTIONS)]);
  if (r.chance(0.1) && p.length) p.push([p[0][0], p[0][1]]);
  return `/v1/${route}?${qs(p)}`;
}

const GOOD_USAGE = { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 };

/** A bad POST /v1/quote: [body text, content type]. */
function badQuote(r: Rng): [string, string] {
  const base: Record<string, unknown> = { models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', usage: { ...GOOD_USAGE } };
  const usage = base.usage as Record<string, unknown>;
  const tokens = () => r.pick<unknown>([-1, -100_000, 1.5, 0.0001, 1e13, 1e300, '100', null, true, [], {}, 'NaN', 'Infinity', Number.MAX_SAFE_INTEGER + 2]);
  const mutations: Array<() => void> = [
    () => (usage.inputTokens = tokens()),
    () => (usage.outputTokens = tokens()),
    () => (usage.cacheReadTokens = tokens()),
    () => (usage.cacheReadTokens = 200_000), // cache tokens > input tokens
    () => ((usage.cacheReadTokens = 60_000), (usage.cacheWriteTokens = 60_000)),
    () => delete usage.inputTokens,
    () => (usage.extra = 1),
    () => (base.models = r.pick<unknown>(['deepseek/deepseek-v4-pro', [], [1], [null], [''], Array(60).fill('deepseek/deepseek-v4-pro'), [pickBad(r, 'model')], null])),
    () => (base.at = pickBad(r, 'instant')),
    () => (base.asOf = pickBad(r, 'instant')),
    () => (base.at = '1971-01-01T00:00:00Z'), // no price then
    () => (base.currency = pickBad(r, 'currency')),
    () => (base.requests = r.pick<unknown>([0, -1, 1.5, 1e10, '10', null])),
    () => (base.serviceTier = r.pick(['gold', 'BATCH', 'batch', ''])),
    () => (base.cacheTtl = r.pick(['2h', '5M', 5, '1h'])),
    () => (base.variant = r.pick(['UPPER', 'fast mode', 'x'.repeat(100), 'fast-mode'])),
    () => (base.plan = r.pick(['nope/x', 'xiaomi/token-plan-lite', pickBad(r, 'model')])),
    () => (base.usage = r.pick<unknown>([[], null, 'lots', 5, [{ inputTokens: 1, outputTokens: 1 }], [{ at: pickBad(r, 'instant'), inputTokens: 1, outputTokens: 1 }]])),
    () => (base.usage = Array.from({ length: 3 }, () => ({ at: r.pick(VALID_INSTANTS), inputTokens: 10, cacheReadTokens: 20, outputTokens: 1 }))),
    () => (base[r.pick(['model', 'Models', 'constructor', '__proto__x', 'unknown'])] = r.pick(INJECTIONS)),
  ];
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) r.pick(mutations)();
  const json = JSON.stringify(base);
  const raw = r.int(20);
  if (raw === 0) return [json.slice(0, r.int(json.length)), 'application/json']; // truncated JSON
  if (raw === 1) return [r.pick(['', 'null', '[]', '"quote"', '42', 'true', '{', '{"models":}', 'Infinity', '{"usage":{"inputTokens":NaN}}']), 'application/json'];
  if (raw === 2) return [json, r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', ''])];
  if (raw === 3) return ['['.repeat(5000) + ']'.repeat(5000), 'application/json'];
  if (raw === 4) return [JSON.stringify({ ...base, padding: 'x'.repeat(256 * 1024 + r.int(300_000)) }), 'application/json']; // over the body limit
  return [json, 'application/json; charset=utf-8'];
}

/** Odd paths and methods. */
function badOther(r: Rng): { path: string; method: string } {
  const path = r.pick([
    '/v1/prices/../../etc/passwd',
    '/v1/%2e%2e/%2e%2e/etc/passwd',
    '/v1/prices%00',
    '/v1/PRICES',
    '/v1//prices',
    '/v1/prices/',
    '/v1/quote/x',
    '/docs/assets/..%2f..%2fpackage.json',
    '/docs/assets/%2e%2e%2fpackage.json',
    '/docs/assets/swagger-ui.css%00',
    '/v1/changes.atom.json',
    '/v1/webhooks',
    `/${encodeURIComponent(r.pick(INJECTIONS))}`,
    '/v1/%E0%A4%A',
    '/%',
  ]);
  const method = r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
  return { path, method };
}

let s: SeededServer;
beforeAll(async () => {
  // Rate limits off: this test is about answers, not throttling (tested in api-http).
  s = await startSeededServer({ app: { rateLimits: { quote: false, writes: false } } });
});
afterAll(async () => {
  await s?.close();
});

describe('generated bad requests', () => {
  it('never answer 5xx; every 4xx is problem+json with a matching status', async () => {
    const r = rng(20260601);
    const N = 2400;
    const failures: string[] = [];
    const counts = new Map<number, number>();
    const cases: Array<() => Promise<void>> = [];
    for (let i = 0; i < N; i++) {
      const roll = r.next();
      let method = 'GET';
      let path: string;
      let body: string | undefined;
      let headers: Record<string, string> = {};
      if (roll < 0.55) path = badGet(r);
      else if (roll < 0.9) {
        method = 'POST';
        path = '/v1/quote';
        const [text, ct] = badQuote(r);
        body = text;
        if (ct) headers = { 'content-type': ct };
      } else {
        const o = badOther(r);
        method = o.method;
        path = o.path;
        if (method !== 'GET') {
          body = r.chance(0.5) ? '{}' : r.pick(INJECTIONS);
          headers = { 'content-type': 'application/json' };
        }
      }
      if (r.chance(0.1)) headers['if-none-match'] = r.pick(['*', 'W/', '"', 'garbage', '"a", W/"b"']);
      if (r.chance(0.1)) headers['accept-encoding'] = r.pick(['gzip;q=abc', '*;q=0', 'br', 'gzip, *;q=0']);
      const label = `#${i} ${method} ${path.slice(0, 200)}${body ? ` body=${body.slice(0, 200)}` : ''}`;
      cases.push(async () => {
        let res;
        try {
          res = await request(s.url, path, { method, body, headers });
        } catch (e) {
          failures.push(`${label}: request failed: ${(e as Error).message}`);
          return;
        }
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${label}: ${res.status} ${res.text.slice(0, 300)}`);
        if (res.status >= 400 && res.status < 500) {
          const ct = res.headers.get('content-type');
          if (ct !== 'application/problem+json') failures.push(`${label}: ${res.status} with content-type ${ct}`);
          else if (res.body?.status !== res.status || typeof res.body?.title !== 'string' || typeof res.body?.type !== 'string')
            failures.push(`${label}: problem body ${res.text.slice(0, 300)}`);
        }
      });
    }
    // A few at a time, like real clients.
    const CONCURRENCY = 8;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) await cases[next++]();
      }),
    );
    const client = [...counts].filter(([st]) => st >= 400 && st < 500).reduce((n, [, c]) => n + c, 0);
    console.info('status counts', Object.fromEntries([...counts].sort((a, b) => a[0] - b[0])));
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
    expect(client).toBeGreaterThanOrEqual(2000);
    // Still healthy and still right afterwards.
    expect((await request(s.url, '/healthz')).status).toBe(200);
    const after = await request(s.url, '/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01T00:00:00Z&currency=USD');
    expect(after.body.prices.find((p: any) => p.component === 'input').amount).toBe('0.435');
  }, 300_000);
});
