// The HTTP surface over real HTTP: dataset downloads (ETag, 304, gzip, CSV), the OpenAPI document
// and /docs, the Atom feed, metrics, problem details for protocol errors, CORS, secure headers,
// rate limits and the admin-token middleware.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { requireAdmin } from '../api/admin.ts';
import { createClient } from '../api/client.ts';
import { onError } from '../api/problem.ts';
import { CSV_COLUMNS } from '../api/dataset.ts';
import { DATA_DIR, request, startSeededServer, type SeededServer } from './helpers/server.ts';
import { parseCsv } from './helpers/csv.ts';

let s: SeededServer;
beforeAll(async () => {
  s = await startSeededServer();
});
afterAll(async () => {
  await s?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => request(s.url, path, { headers });

/** A raw GET (no automatic decompression), for checking the bytes on the wire. */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(base + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}


describe('dataset downloads', () => {
  it('serves the whole dataset as {providers:[…]} with a strong ETag and Cache-Control', async () => {
    const r = await get('/v1/dataset.json', { 'accept-encoding': 'identity' });
    expect(r.status).toBe(200);
    const files = readdirSync(DATA_DIR).filter((f) => f.endsWith('.json'));
    expect(r.body.providers.map((p: any) => p.provider.id).sort()).toEqual(files.map((f) => f.replace(/\.json$/, '')).sort());
    const xiaomi = r.body.providers.find((p: any) => p.provider.id === 'xiaomi');
    expect(xiaomi.facts.length).toBeGreaterThan(0);
    expect(xiaomi.planTerms.length).toBeGreaterThan(0);
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('answers If-None-Match with 304: exact, weak, in a list, `*`, or the gzip tag', async () => {
    const first = await get('/v1/dataset.json', { 'accept-encoding': 'identity' });
    const etag = first.headers.get('etag')!;
    const hash = etag.slice(1, -1);
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*', `"${hash}-gzip"`]) {
      const r = await get('/v1/dataset.json', { 'if-none-match': inm });
      expect(r.status, inm).toBe(304);
      expect(r.text).toBe('');
    }
    const miss = await get('/v1/dataset.json', { 'if-none-match': '"something-else"' });
    expect(miss.status).toBe(200);
    const csv = await get('/v1/dataset.csv', { 'accept-encoding': 'identity' });
    expect((await get('/v1/dataset.csv', { 'if-none-match': csv.headers.get('etag')! })).status).toBe(304);
  });

  it('gzips when asked, and the gzip bytes decode to the identical document', async () => {
    const plain = await rawGet(s.url, '/v1/dataset.json', { 'accept-encoding': 'identity' });
    const gz = await rawGet(s.url, '/v1/dataset.json', { 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(gz.body.length).toBeLessThan(plain.body.length / 3);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const refused = await rawGet(s.url, '/v1/dataset.json', { 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('serves the facts as RFC 4180 CSV, one row per fact, conditions as JSON', async () => {
    const json = (await get('/v1/dataset.json')).body;
    const r = await get('/v1/dataset.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(r.text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const facts = json.providers.flatMap((p: any) => p.facts.map((f: any) => ({ ...f, provider: p.provider.id })));
    expect(rows.length - 1).toBe(facts.length);
    const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    rows.slice(1).forEach((row, i) => {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      expect(row[col('model')]).toBe(facts[i].model);
      expect(row[col('amount')]).toBe(facts[i].amount);
      expect(JSON.parse(row[col('conditions')])).toEqual(facts[i].conditions);
      expect(row[col('sourceUrl')]).toBe(facts[i].sources[0].url);
      // The latest confirmation: an observation, or a cited source's retrieval.
      const seen = [facts[i].lastConfirmedAt, ...facts[i].sources.map((x: any) => x.retrievedAt)].filter(Boolean).map((t: string) => Date.parse(t));
      expect(row[col('lastConfirmedAt')]).toBe(seen.length ? new Date(Math.max(...seen)).toISOString() : '');
      expect(['', 'true', 'false']).toContain(row[col('stale')]);
      expect(row[col('origin')]).toBe(facts[i].origin ?? '');
    });
    // Scraped page facts carry their latest confirming observation.
    expect(rows.slice(1).some((row) => row[col('lastConfirmedAt')] !== '')).toBe(true);
  });

  it('publishes the dataset JSON Schema', async () => {
    const r = await get('/v1/dataset.schema.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    expect(r.body.properties.facts.type).toBe('array');
  });
});

describe('OpenAPI document and /docs', () => {
  const ROUTES: Array<[string, string]> = [
    ['get', '/healthz'],
    ['get', '/metrics'],
    ['get', '/v1/providers'],
    ['get', '/v1/models'],
    ['get', '/v1/prices'],
    ['get', '/v1/history'],
    ['get', '/v1/diff'],
    ['get', '/v1/changes'],
    ['get', '/v1/changes.atom'],
    ['post', '/v1/quote'],
    ['get', '/v1/plans'],
    ['get', '/v1/dataset.json'],
    ['get', '/v1/dataset.csv'],
    ['get', '/v1/dataset.schema.json'],
    ['get', '/openapi.json'],
    ['get', '/docs'],
  ];

  it('is a structurally valid OpenAPI 3.1 document listing every route', async () => {
    const r = await get('/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    for (const [method, path] of ROUTES) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, op] of Object.entries<any>(item)) {
        expect(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']).toContain(method);
        const statuses = Object.keys(op.responses);
        expect(statuses.some((st) => /^2\d\d$/.test(st)), `${method} ${path}`).toBe(true);
        for (const p of op.parameters ?? []) {
          expect(typeof p.name).toBe('string');
          expect(['query', 'path', 'header', 'cookie']).toContain(p.in);
          expect(p.schema).toBeDefined();
          if (p.in === 'path') {
            expect(p.required).toBe(true);
            expect(path).toContain(`{${p.name}}`);
          }
        }
        for (const [status, resp] of Object.entries<any>(op.responses)) {
          expect(typeof resp.description, `${method} ${path} ${status}`).toBe('string');
          if (/^4\d\d$/.test(status)) expect(Object.keys(resp.content)).toEqual(['application/problem+json']);
        }
      }
    }
    // Parameters are described, e.g. the instants of /v1/prices.
    const names = doc.paths['/v1/prices'].get.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['model', 'provider', 'at', 'asOf', 'currency']));
    expect(doc.paths['/v1/quote'].post.requestBody.content['application/json'].schema).toBeDefined();
  });

  it('serves an interactive reference from the package, without a CDN', async () => {
    const page = await get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).not.toMatch(/https?:\/\//);
    const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toContain('docs/assets/swagger-ui-bundle.js');
    for (const asset of scripts) {
      const r = await rawGet(s.url, `/${asset}`, {});
      expect(r.status, asset).toBe(200);
      expect(r.body.length).toBeGreaterThan(50);
    }
    expect((await get('/docs/assets/package.json')).status).toBe(404);
  });
});

describe('Atom feed', () => {
  it('is XML with one entry per model and event (its changes at one instant), titled in words, stable ids and links to the sources', async () => {
    const q = 'provider=xiaomi&asOf=2026-11-01T00:00:00Z&limit=1000';
    const json = (await get(`/v1/changes?${q}`)).body;
    const r = await get(`/v1/changes.atom?${q}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'entry' || name === 'link' });
    const feed = parser.parse(r.text).feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBeTruthy();
    expect(feed.title).toBeTruthy();
    expect(Number.isNaN(Date.parse(feed.updated))).toBe(false);
    expect(feed.author.name).toBe('tokentrail');
    expect(feed.link.find((l: any) => l['@rel'] === 'self')['@href']).toContain('/v1/changes.atom');
    const events = [...new Set(json.data.map((c: any) => `${c.model} ${c.effectiveAt}`))];
    expect(feed.entry).toHaveLength(events.length);
    const ids = feed.entry.map((e: any) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    feed.entry.forEach((e: any, i: number) => {
      const [model, at] = (events[i] as string).split(' ');
      const first = json.data.find((c: any) => c.model === model && c.effectiveAt === at);
      expect(e.title).not.toContain('{');
      expect(e.title).toContain(`from ${at.slice(0, 10)} ${at.slice(11, 16)} UTC`);
      expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
      expect(e.link[0]['@href']).toBe(first.sources[0].url);
      expect(e.link[0]['@rel']).toBe('alternate');
    });
    // Same changes, another request (another knowledge time, so not from the cache): same ids.
    const again = parser.parse((await get('/v1/changes.atom?provider=xiaomi&asOf=2026-11-02T00:00:00Z&limit=1000')).text).feed;
    expect(again.entry.map((e: any) => e.id)).toEqual(ids);
  });
});

describe('errors, metrics and headers', () => {
  it('answers protocol errors with problem details', async () => {
    const unknown = await get('/v2/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(unknown.body).toMatchObject({ status: 404, title: 'Not found' });
    const wrongMethod = await request(s.url, '/v1/prices', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    const malformed = await request(s.url, '/v1/quote', { method: 'POST', body: '{"models": [', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: 400, field: 'body' });
    const wrongType = await request(s.url, '/v1/quote', { method: 'POST', body: '<xml/>', headers: { 'content-type': 'application/xml' } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toBe('application/problem+json');
    const huge = await request(s.url, '/v1/quote', { method: 'POST', body: JSON.stringify({ models: ['x/'.repeat(1_100_000)] }), headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ status: 413 });
    const unknownParam = await get('/v1/prices?model=deepseek/deepseek-v4-pro&currnecy=USD');
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.field).toBe('currnecy');
    const repeated = await get('/v1/prices?model=a/b&model=c/d');
    expect(repeated.status).toBe(400);
    expect(repeated.body.field).toBe('model');
  });

  it('exposes Prometheus metrics by route pattern and status, with a latency histogram', async () => {
    await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01');
    await get('/v1/no-such-route');
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toMatch(/^tokentrail_http_requests_total\{method="GET",route="\/v1\/prices",status="200"\} \d+$/m);
    expect(r.text).toMatch(/^tokentrail_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+$/m);
    expect(r.text).toMatch(/^tokentrail_http_request_duration_seconds_bucket\{method="GET",route="\/v1\/prices",le="\+Inf"\} \d+$/m);
    expect(r.text).toContain('# TYPE tokentrail_http_request_duration_seconds histogram');
    expect(r.text).toContain('# TYPE tokentrail_scrape_runs_total counter');
    // Every sample line is `name{labels} value`.
    for (const l of r.text.split('\n').filter((x) => x && !x.startsWith('#'))) expect(l).toMatch(/^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/);
  });

  it('sends secure headers and open CORS for reads, without allowing Authorization', async () => {
    const r = await get('/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01', { origin: 'https://calculator.example' });
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBeTruthy();
    const preflight = await request(s.url, '/v1/quote', {
      method: 'OPTIONS',
      headers: { origin: 'https://calculator.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).not.toContain('authorization');
  });
});

describe('rate limits', () => {
  it('limits quotes per client with a 429 problem and Retry-After', async () => {
    const limited = await startSeededServer({ app: { rateLimits: { quote: { capacity: 3, refillPerSecond: 0.01 } } } });
    try {
      const body = { models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', usage: { inputTokens: 1, outputTokens: 1 } };
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await request(limited.url, '/v1/quote', { json: body });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last!.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last!.body.status).toBe(429);
      // Reads are not limited.
      expect((await request(limited.url, '/healthz')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('admin middleware', () => {
  async function adminServer(token?: string) {
    const app = new OpenAPIHono();
    app.onError(onError);
    app.post('/v1/admin-thing', requireAdmin({ token }), (c) => c.json({ done: true }));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(srv));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it('is disabled (403) without a token, 401 with a wrong one, open with the right one', async () => {
    const saved = process.env.TOKENTRAIL_ADMIN_TOKEN;
    delete process.env.TOKENTRAIL_ADMIN_TOKEN;
    const off = await adminServer();
    const on = await adminServer('s3cret-token');
    try {
      const disabled = await request(off.url, '/v1/admin-thing', { method: 'POST', headers: { authorization: 'Bearer anything' } });
      expect(disabled.status).toBe(403);
      expect(disabled.headers.get('content-type')).toBe('application/problem+json');
      expect(disabled.body.detail).toMatch(/disabled/);
      const none = await request(on.url, '/v1/admin-thing', { method: 'POST' });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      for (const wrong of ['Bearer s3cret-tokeN', 'Bearer s3cret', 'Basic s3cret-token', 'Bearer s3cret-token-and-more']) {
        expect((await request(on.url, '/v1/admin-thing', { method: 'POST', headers: { authorization: wrong } })).status, wrong).toBe(401);
      }
      const ok = await request(on.url, '/v1/admin-thing', { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } });
      expect(ok.status).toBe(200);
    } finally {
      if (saved !== undefined) process.env.TOKENTRAIL_ADMIN_TOKEN = saved;
      await off.close();
      await on.close();
    }
  });
});

describe('typed client', () => {
  it('calls the API with typed paths, queries and bodies', async () => {
    const api = createClient(s.url);
    const res = await api.v1.prices.$get({ query: { model: 'deepseek/deepseek-v4-pro', at: '2026-05-01T00:00:00Z', currency: 'USD' } });
    expect(res.status).toBe(200);
    const sheet = await res.json();
    expect('prices' in sheet && sheet.prices.find((p) => p.component === 'input')?.amount).toBe('0.435');
    const q = await api.v1.quote.$post({
      json: { models: ['xiaomi/mimo-v2.5-pro'], at: '2026-06-01T00:00:00Z', currency: 'CNY', requests: 10, usage: { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 } },
    });
    expect(q.status).toBe(200);
    if (q.status === 200) expect((await q.json()).quotes[0].total).toBe('1.82');
    const bad = await api.v1.prices.$get({ query: { model: 'deepseek/deepseek-v4-pro', at: 'soon' } });
    expect(bad.status).toBe(400);
  });
});

describe('unexpected errors', () => {
  it('are a problem+json 500 without internals', async () => {
    const app = new OpenAPIHono();
    app.onError(onError);
    app.get('/boom', () => {
      throw new TypeError('secret internal detail');
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(srv));
    });
    try {
      const r = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, '/boom');
      expect(r.status).toBe(500);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body.status).toBe(500);
      expect(r.text).not.toContain('secret');
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
    }
  });
});
