// The headers every answer carries (security headers, open CORS) are written onto Node's response
// before the route runs (api/cors.ts): over real HTTP every kind of answer still carries them, a
// header the route sets wins, the in-process path (app.request) gives the same set, and the set
// is what hono/secure-headers would send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { createApp } from '../api/app.ts';
import { fixedHeaders, SECURE_HEADERS } from '../api/cors.ts';
import { startServer, type RunningServer } from '../api/server.ts';
import type { Database } from '../src/db/client.ts';
import { freshDatabase } from './helpers/db.ts';
import { request } from './helpers/server.ts';

const EVERY_ANSWER = { ...SECURE_HEADERS, 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'ETag, Retry-After, X-Cache' };

function expectFixed(h: Headers): void {
  for (const [k, v] of Object.entries(EVERY_ANSWER)) expect(h.get(k), k).toBe(v);
}

let database: Database;
let server: RunningServer;
beforeAll(async () => {
  database = await freshDatabase();
  server = await startServer({ database, port: 0, host: '127.0.0.1', role: 'api' });
});
afterAll(async () => {
  await server?.close();
  database?.close();
});

describe('headers of every answer', () => {
  it('are what hono/secure-headers sends by default, with Cross-Origin-Resource-Policy open', async () => {
    const app = new Hono().use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' })).get('/', (c) => c.text('x'));
    const res = await app.request('/');
    const theirs = Object.fromEntries([...res.headers].filter(([k]) => k !== 'content-type'));
    const ours = Object.fromEntries(Object.entries(SECURE_HEADERS).map(([k, v]) => [k.toLowerCase(), v]));
    expect(ours).toEqual(theirs);
  });

  it('come with a plain answer, a cached one (miss and hit), a 304, a problem, an unmatched path and a preflight', async () => {
    expectFixed((await request(server.url, '/healthz')).headers);
    const miss = await request(server.url, '/v1/dataset.schema.json');
    expect(miss.headers.get('x-cache')).toBe('miss');
    expectFixed(miss.headers);
    const hit = await request(server.url, '/v1/dataset.schema.json');
    expect(hit.headers.get('x-cache')).toBe('hit');
    expectFixed(hit.headers);
    const notModified = await request(server.url, '/v1/dataset.schema.json', { headers: { 'if-none-match': hit.headers.get('etag')! } });
    expect(notModified.status).toBe(304);
    expectFixed(notModified.headers);
    const problem = await request(server.url, '/v1/prices?model=nobody/none&at=2026-01-01');
    expect(problem.status).toBeGreaterThanOrEqual(400);
    expect(problem.headers.get('content-type')).toBe('application/problem+json');
    expectFixed(problem.headers);
    const bad = await request(server.url, '/v1/quote', { json: { models: [] } });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expectFixed(bad.headers);
    expectFixed((await request(server.url, '/no/such/path')).headers);
    const preflight = await request(server.url, '/v1/quote', { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type, If-None-Match');
    expectFixed(preflight.headers);
  });

  it('are the same when the app is asked in-process (no Node response to write them on)', async () => {
    const app = createApp({ database, cache: false });
    expectFixed((await app.request('/healthz')).headers);
    expectFixed((await app.request('/no/such/path')).headers);
  });

  it('give way to a header the route sets, over HTTP and in-process', async () => {
    const app = new Hono().use(fixedHeaders({ 'X-Frame-Options': 'SAMEORIGIN', 'X-Extra': 'fixed' })).get('/', (c) => c.text('x', 200, { 'X-Frame-Options': 'DENY' }));
    const srv = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const r = await request(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`, '/');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-extra')).toBe('fixed');
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
    const inProcess = await app.request('/');
    expect(inProcess.headers.get('x-frame-options')).toBe('DENY');
    expect(inProcess.headers.get('x-extra')).toBe('fixed');
  });
});
