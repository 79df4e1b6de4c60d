// Issue #16 cases 6, 8 and 9: every error the server can send is problem+json (HTTP parser errors
// included), a malformed deliveries cursor is a 400, limits work behind a trusted proxy and are set
// by the environment, failed admin auth is throttled, and a bad config refuses to start in one line.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startServer } from '../api/server.ts';
import { freshDatabase } from './helpers/db.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const TOKEN = 'hostile-test-admin-token-0123456789';

/** Writes raw bytes to the server and reads until it closes the connection. */
function raw(url: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.on('error', (e) => (chunks.length ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(e)));
    sock.setTimeout(5_000, () => sock.destroy(new Error('timeout')));
    sock.write(bytes);
  });
}

function parseRaw(text: string) {
  const [head, ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const type = /content-type: *([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, type, body: JSON.parse(rest.join('\r\n\r\n')) as { status: number; title: string; detail: string } };
}

let s: SeededServer;
beforeAll(async () => {
  process.env.TOKENTRAIL_WEBHOOK_ALLOW = '127.0.0.1/32';
  s = await startSeededServer({ app: { adminToken: TOKEN, rateLimits: { writes: false, authFailures: { capacity: 5, refillPerSecond: 0.01 } } } });
});
afterAll(async () => {
  delete process.env.TOKENTRAIL_WEBHOOK_ALLOW;
  await s?.close();
});

describe('HTTP parser errors are problem+json', () => {
  const cases: Array<[string, string, number]> = [
    ['a 1 MB query', `GET /v1/prices?model=${'9'.repeat(1_000_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['a bad Content-Length', 'POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n{}', 400],
    ['a CR inside a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', 400],
    ['a NUL inside a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n', 400],
    ['HTTP/9.9', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', 400],
  ];
  for (const [name, bytes, status] of cases) {
    it(`${name} → ${status}`, async () => {
      const r = parseRaw(await raw(s.url, bytes));
      expect(r.status).toBe(status);
      expect(r.type).toBe('application/problem+json');
      expect(r.body.status).toBe(status);
      expect(r.body.detail).toBeTruthy();
    });
  }
});

describe('other error paths', () => {
  it('an unknown asset is a 404 problem', async () => {
    const r = await request(s.url, '/assets/nobuild/nothing.js');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.status).toBe(404);
  });

  it('a deliveries cursor of 400 nines is a 400 problem naming the cursor', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const created = await request(s.url, '/v1/webhooks', { json: { url: 'http://127.0.0.1:9/hook' }, headers: auth });
    expect(created.status, created.text).toBe(201);
    const cursor = Buffer.from(`${'9'.repeat(400)}:dlv_x`).toString('base64url');
    const r = await request(s.url, `/v1/webhooks/${created.body.id}/deliveries?cursor=${cursor}`, { headers: auth });
    expect(r.status, r.text).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.field).toBe('cursor');
  });
});

describe('failed admin auth is throttled', () => {
  it('wrong-token GETs past the burst get 429 + Retry-After, even with the right token then', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await request(s.url, '/v1/webhooks', { headers: { authorization: 'Bearer wrong' } })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const r = await request(s.url, '/v1/webhooks', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(429);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('limits behind a proxy', () => {
  const quote = (url: string, xff?: string) =>
    request(url, '/v1/quote', { json: { models: ['deepseek/deepseek-v4-pro'], usage: { inputTokens: 10, outputTokens: 10 } }, headers: xff ? { 'x-forwarded-for': xff } : {} });

  it('without TOKENTRAIL_TRUST_PROXY every client behind the proxy shares one bucket; with it each has its own', async () => {
    const rateLimits = { quote: { capacity: 2, refillPerSecond: 0.01 } };
    const untrusted = await startSeededServer({ app: { rateLimits } });
    const trusted = await startSeededServer({ app: { rateLimits, config: loadConfig({ TOKENTRAIL_TRUST_PROXY: '1' }) } });
    try {
      const a = [await quote(untrusted.url, '203.0.113.1'), await quote(untrusted.url, '203.0.113.2'), await quote(untrusted.url, '203.0.113.3')];
      expect(a.map((r) => r.status)).toEqual([200, 200, 429]);
      // Behind one proxy: the client is the last entry; what the client wrote before it is ignored.
      const b = [
        await quote(trusted.url, '203.0.113.1'),
        await quote(trusted.url, '203.0.113.1'),
        await quote(trusted.url, '203.0.113.1'),
        await quote(trusted.url, '1.2.3.4, 203.0.113.2'),
        await quote(trusted.url, '5.6.7.8, 203.0.113.2'),
        await quote(trusted.url, '9.9.9.9, 203.0.113.2'),
      ];
      expect(b.map((r) => r.status)).toEqual([200, 200, 429, 200, 200, 429]);
      expect(b[2].headers.get('retry-after')).toMatch(/^\d+$/);
      expect(b[2].body.status).toBe(429);
    } finally {
      await untrusted.close();
      await trusted.close();
    }
  }, 60_000);

  it('TOKENTRAIL_QUOTE_RATE=0 turns the quote limit off', async () => {
    const off = await startSeededServer({ app: { config: loadConfig({ TOKENTRAIL_QUOTE_RATE: '0', TOKENTRAIL_QUOTE_BURST: '1' }) } });
    try {
      for (let i = 0; i < 5; i++) expect((await quote(off.url)).status).toBe(200);
    } finally {
      await off.close();
    }
  }, 60_000);
});

describe('configuration', () => {
  it('is parsed once; each bad value is one line naming the variable', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ TOKENTRAIL_ADMIN_TOKEN: 'two words' }, /^TOKENTRAIL_ADMIN_TOKEN: contains whitespace/],
      [{ TOKENTRAIL_ADMIN_TOKEN: 'token\n' }, /^TOKENTRAIL_ADMIN_TOKEN: contains whitespace/],
      [{ TOKENTRAIL_TRUST_PROXY: 'maybe' }, /^TOKENTRAIL_TRUST_PROXY: /],
      [{ TOKENTRAIL_QUOTE_RATE: '-1' }, /^TOKENTRAIL_QUOTE_RATE: /],
      [{ PORT: '70000' }, /^PORT: /],
      [{ TOKENTRAIL_WEBHOOK_ALLOW: '10.0.0.1/8' }, /^TOKENTRAIL_WEBHOOK_ALLOW: /],
      [{ TOKENTRAIL_SCHEDULE: 'every day' }, /^TOKENTRAIL_SCHEDULE: /],
      [{ TOKENTRAIL_SCHEDULE_OPENAI: '99 * * * *' }, /^TOKENTRAIL_SCHEDULE_OPENAI: /],
    ];
    for (const [env, message] of bad) {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
    const ok = loadConfig({ TOKENTRAIL_TRUST_PROXY: 'on', TOKENTRAIL_ADMIN_TOKEN: TOKEN });
    expect(ok.TOKENTRAIL_TRUST_PROXY).toBe(1);
    expect(ok.PORT).toBe(8787);
  });

  it('the server refuses to start with an admin token containing whitespace', async () => {
    const d = await freshDatabase();
    const saved = process.env.TOKENTRAIL_ADMIN_TOKEN;
    process.env.TOKENTRAIL_ADMIN_TOKEN = 'secret with space';
    try {
      await expect(startServer({ database: d, port: 0, host: '127.0.0.1' })).rejects.toThrow(/^TOKENTRAIL_ADMIN_TOKEN: contains whitespace/);
    } finally {
      if (saved === undefined) delete process.env.TOKENTRAIL_ADMIN_TOKEN;
      else process.env.TOKENTRAIL_ADMIN_TOKEN = saved;
      d.close();
    }
  });
});
