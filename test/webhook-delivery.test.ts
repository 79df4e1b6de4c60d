// Proves one delivery attempt reports the receiver's answer faithfully (2xx only, 410 gone,
// redirects not followed, timeouts, Retry-After), the retry schedule and the 5-day disable rule,
// and the Slack message format. Receivers are real HTTP servers on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllowList } from '../src/webhooks/address-policy.ts';
import { deliver, SNIPPET_MAX_BYTES, type DeliverInput } from '../src/webhooks/deliver.ts';
import {
  DISABLE_AFTER_MS,
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_MS,
  RETRY_DELAYS_MS,
  nextAttemptAt,
  parseRetryAfter,
  shouldDisableEndpoint,
} from '../src/webhooks/retry-schedule.ts';
import { generateSecret, signDelivery } from '../src/webhooks/sign.ts';
import { formatInstant, formatSlackMessage, type WebhookChange } from '../src/webhooks/slack.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

const policy = parseAllowList('127.0.0.1/32');
const secret = generateSecret();
const BODY = JSON.stringify({ type: 'price.changed', timestamp: '2026-05-26T16:00:00Z', data: { model: 'deepseek/deepseek-v4-pro' } });

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
const servers: http.Server[] = [];

async function receiver(handler: Handler) {
  const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, seen, destroySockets: () => sockets.forEach((s) => s.destroy()) };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

function attempt(url: string, extra: Partial<DeliverInput> = {}) {
  const headers = signDelivery({ id: 'msg_delivery_1', timestamp: new Date(), body: BODY, secrets: [secret] });
  return deliver({ url, body: BODY, headers, policy, ...extra });
}

describe('deliver: one attempt', () => {
  it.each([200, 201, 202, 204])('%i counts as delivered; the request carries body and headers', async (status) => {
    const r = await receiver((_q, res) => res.writeHead(status).end(status === 204 ? undefined : 'received'));
    const result = await attempt(r.url);
    expect(result).toMatchObject({ ok: true, outcome: 'ok', status });
    expect(result.error).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    if (status !== 204) expect(result.responseBodySnippet).toBe('received');
    expect(r.seen).toHaveLength(1);
    const got = r.seen[0];
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hook');
    expect(got.body).toBe(BODY);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(BODY)));
    expect(got.headers['user-agent']).toMatch(/^tokentrail/);
    expect(got.headers['webhook-id']).toBe('msg_delivery_1');
    expect(got.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(got.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('keeps the query string and honours a custom user-agent', async () => {
    const r = await receiver((_q, res) => res.writeHead(200).end());
    await attempt(`${r.url}?token=abc&x=1`, { userAgent: 'custom/1.0' });
    expect(r.seen[0].url).toBe('/hook?token=abc&x=1');
    expect(r.seen[0].headers['user-agent']).toBe('custom/1.0');
  });

  it('500 is a failure with the status and a body snippet', async () => {
    const r = await receiver((_q, res) => res.writeHead(500).end('database on fire'));
    const result = await attempt(r.url);
    expect(result).toMatchObject({ ok: false, outcome: 'http_error', status: 500, error: 'HTTP 500', responseBodySnippet: 'database on fire' });
    expect(result.retryAfterMs).toBeUndefined();
  });

  it.each([400, 401, 404, 429, 502, 503])('%i is a failure', async (status) => {
    const r = await receiver((_q, res) => res.writeHead(status).end());
    expect(await attempt(r.url)).toMatchObject({ ok: false, outcome: 'http_error', status });
  });

  it('410 is the typed outcome "gone"', async () => {
    const r = await receiver((_q, res) => res.writeHead(410).end('unsubscribed'));
    const result = await attempt(r.url);
    expect(result).toMatchObject({ ok: false, outcome: 'gone', status: 410 });
    expect(result.error).toMatch(/410/);
  });

  it.each([301, 302, 303, 307, 308])('%i is not followed: the redirect target sees 0 requests', async (status) => {
    const target = await receiver((_q, res) => res.writeHead(200).end());
    const r = await receiver((_q, res) => res.writeHead(status, { location: target.url }).end());
    const result = await attempt(r.url);
    expect(result).toMatchObject({ ok: false, outcome: 'redirect', status });
    expect(result.error).toContain(target.url);
    expect(r.seen).toHaveLength(1);
    expect(target.seen).toHaveLength(0);
  });

  it('a hung receiver times out at the configured timeout', async () => {
    const r = await receiver(() => {
      /* never answers */
    });
    const result = await attempt(r.url, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, outcome: 'timeout' });
    expect(result.status).toBeUndefined();
    expect(result.error).toMatch(/300 ms/);
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('a receiver that accepts but never reads or answers also times out', async () => {
    const sockets: Socket[] = [];
    const raw = (await import('node:net')).createServer((s) => sockets.push(s));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const { port } = raw.address() as AddressInfo;
      const result = await attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 200 });
      expect(result.outcome).toBe('timeout');
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => raw.close(r));
    }
  });

  it('a resolver that never answers is covered by the same timeout', async () => {
    const result = await attempt('http://slow-dns.example.com/hook', { timeoutMs: 200, resolver: () => new Promise(() => {}) });
    expect(result).toMatchObject({ ok: false, outcome: 'timeout' });
  });

  it('a 2xx whose body then stalls still counts as delivered (the status was sent)', async () => {
    const r = await receiver((_q, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const result = await attempt(r.url, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: true, outcome: 'ok', status: 200, responseBodySnippet: 'partial' });
  });

  it('a closed port is a network error, not a throw', async () => {
    const r = await receiver(() => {});
    const port = Number(new URL(r.url).port);
    await new Promise<void>((res) => servers.pop()!.close(() => res()));
    const result = await attempt(`http://127.0.0.1:${port}/hook`);
    expect(result).toMatchObject({ ok: false, outcome: 'network_error' });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('a connection reset mid-response is a network error', async () => {
    const r = await receiver((req) => req.socket.destroy());
    const result = await attempt(r.url);
    expect(result).toMatchObject({ ok: false, outcome: 'network_error' });
  });

  it('a DNS failure is a network error', async () => {
    const result = await attempt('http://nowhere.example.com/hook', {
      resolver: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example.com'), { code: 'ENOTFOUND' });
      },
    });
    expect(result).toMatchObject({ ok: false, outcome: 'network_error' });
    expect(result.error).toMatch(/ENOTFOUND/);
  });

  it('caps the response snippet', async () => {
    const r = await receiver((_q, res) => res.writeHead(500).end('x'.repeat(100_000)));
    const result = await attempt(r.url);
    expect(result.status).toBe(500);
    expect(result.responseBodySnippet).toHaveLength(SNIPPET_MAX_BYTES);
  });

  it('Retry-After in seconds is returned in ms', async () => {
    const r = await receiver((_q, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    expect(await attempt(r.url)).toMatchObject({ ok: false, status: 429, retryAfterMs: 120_000 });
  });

  it('Retry-After as an HTTP date is measured against the injected clock', async () => {
    const now = new Date('2026-05-26T16:00:00Z');
    const r = await receiver((_q, res) => res.writeHead(503, { 'retry-after': 'Tue, 26 May 2026 16:01:30 GMT' }).end());
    expect(await attempt(r.url, { now: () => now })).toMatchObject({ ok: false, status: 503, retryAfterMs: 90_000 });
  });

  it('a refused URL comes back as an outcome, not a throw', async () => {
    expect(await attempt('http://10.0.0.1/hook')).toMatchObject({ ok: false, outcome: 'refused' });
    expect(await attempt('not a url')).toMatchObject({ ok: false, outcome: 'refused' });
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-05-26T16:00:00Z');
  it('reads delay-seconds and HTTP dates (IMF-fixdate, RFC 850, asctime)', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter(' 3600 ', now)).toBe(3_600_000);
    expect(parseRetryAfter(['30', '60'], now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 26 May 2026 16:05:00 GMT', now)).toBe(5 * MIN);
    expect(parseRetryAfter('Tuesday, 26-May-26 16:05:00 GMT', now)).toBe(5 * MIN);
    expect(parseRetryAfter('Tue May 26 16:05:00 2026', now)).toBe(5 * MIN); // asctime: GMT by definition
    expect(parseRetryAfter('2026', now)).toBe(2026 * S); // digits are always delay-seconds
  });
  it('a date in the past means now (0)', () => {
    expect(parseRetryAfter('Mon, 25 May 2026 16:00:00 GMT', now)).toBe(0);
  });
  it('caps absurd values', () => {
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('600', now, 60_000)).toBe(60_000);
  });
  it('ignores absent or malformed values', () => {
    for (const v of [undefined, null, '', '-5', '1.5', '5s', 'soon', '0x10', '+5', '12:00']) {
      expect(parseRetryAfter(v as string | undefined, now), String(v)).toBeUndefined();
    }
  });
});

describe('retry schedule', () => {
  const t0 = new Date('2026-05-26T16:00:00Z');
  const noJitter = { random: () => 0.5 };

  it('is immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(RETRY_DELAYS_MS).toEqual([0, 5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(MAX_ATTEMPTS).toBe(8);
  });

  it('nextAttemptAt gives each offset after the previous failure, then null', () => {
    const offsets = [];
    for (let n = 1; n < MAX_ATTEMPTS; n++) offsets.push(nextAttemptAt(n, t0, undefined, noJitter)!.getTime() - t0.getTime());
    expect(offsets).toEqual([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(nextAttemptAt(8, t0, undefined, noJitter)).toBeNull();
    expect(nextAttemptAt(9, t0)).toBeNull();
  });

  it('jitter stays within ±10% and actually varies', () => {
    for (let n = 1; n < MAX_ATTEMPTS; n++) {
      const base = RETRY_DELAYS_MS[n];
      const low = nextAttemptAt(n, t0, undefined, { random: () => 0 })!.getTime() - t0.getTime();
      const high = nextAttemptAt(n, t0, undefined, { random: () => 0.999999 })!.getTime() - t0.getTime();
      expect(low).toBe(Math.round(base * 0.9));
      expect(high).toBeLessThanOrEqual(Math.round(base * 1.1));
      expect(high).toBeGreaterThan(Math.round(base * 1.09));
    }
    let seed = 42; // deterministic pseudo-random sequence
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const delays = Array.from({ length: 500 }, () => nextAttemptAt(4, t0, undefined, { random: rnd })!.getTime() - t0.getTime());
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2 * H * 0.9);
      expect(d).toBeLessThanOrEqual(2 * H * 1.1);
    }
    expect(new Set(delays).size).toBeGreaterThan(400);
  });

  it('the jitter ratio is configurable', () => {
    expect(nextAttemptAt(2, t0, undefined, { random: () => 0, jitterRatio: 0.5 })!.getTime() - t0.getTime()).toBe(2.5 * MIN);
    expect(nextAttemptAt(2, t0, undefined, { random: () => 0, jitterRatio: 0 })!.getTime() - t0.getTime()).toBe(5 * MIN);
  });

  it('Retry-After postpones an attempt, never hastens it, and is capped', () => {
    expect(nextAttemptAt(1, t0, 60 * S, noJitter)!.getTime() - t0.getTime()).toBe(60 * S);
    expect(nextAttemptAt(3, t0, 10 * S, noJitter)!.getTime() - t0.getTime()).toBe(30 * MIN);
    expect(nextAttemptAt(1, t0, 7 * DAY, noJitter)!.getTime() - t0.getTime()).toBe(MAX_RETRY_AFTER_MS);
    expect(nextAttemptAt(1, t0, 7 * DAY, { ...noJitter, maxRetryAfterMs: H })!.getTime() - t0.getTime()).toBe(H);
    expect(nextAttemptAt(1, t0, null, noJitter)!.getTime() - t0.getTime()).toBe(5 * S);
    expect(nextAttemptAt(8, t0, 60 * S)).toBeNull(); // Retry-After does not add attempts
  });

  it('rejects a nonsensical attempt number', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => nextAttemptAt(n, t0)).toThrow(RangeError);
  });

  it('driven by a clock, a receiver down throughout gets 8 attempts over about 27.5 h', () => {
    let clock = t0.getTime();
    const attempts = [clock];
    for (let n = 1; ; n++) {
      const next = nextAttemptAt(n, new Date(clock), undefined, noJitter);
      if (!next) break;
      clock = next.getTime();
      attempts.push(clock);
    }
    expect(attempts).toHaveLength(8);
    expect(clock - t0.getTime()).toBe(5 * S + 5 * MIN + 30 * MIN + 2 * H + 5 * H + 10 * H + 10 * H);
  });
});

describe('disable after 5 days of continuous failure', () => {
  const since = new Date('2026-05-01T00:00:00Z');
  const at = (ms: number) => new Date(since.getTime() + ms);

  it('never disables an endpoint that is not failing', () => {
    expect(shouldDisableEndpoint({ failingSince: null, now: at(30 * DAY) })).toBe(false);
  });
  it('keeps an endpoint failing for less than 5 days', () => {
    expect(shouldDisableEndpoint({ failingSince: since, now: at(0) })).toBe(false);
    expect(shouldDisableEndpoint({ failingSince: since, now: at(5 * DAY - 1) })).toBe(false);
  });
  it('disables at exactly 5 days and after', () => {
    expect(DISABLE_AFTER_MS).toBe(5 * DAY);
    expect(shouldDisableEndpoint({ failingSince: since, now: at(5 * DAY) })).toBe(true);
    expect(shouldDisableEndpoint({ failingSince: since, now: at(9 * DAY) })).toBe(true);
  });
  it('the window is configurable', () => {
    expect(shouldDisableEndpoint({ failingSince: since, now: at(2 * H) }, H)).toBe(true);
  });
});

describe('Slack message', () => {
  const cut: WebhookChange = {
    model: 'deepseek/deepseek-v4-pro',
    component: 'input',
    currency: 'USD',
    unit: '1M tokens',
    conditions: {},
    before: '1.74',
    after: '0.435',
    listBefore: '1.74',
    listAfter: '1.74',
    changePct: -75,
    type: 'promo_started',
    effectiveAt: '2026-05-26T16:00:00Z',
    announcedAt: '2026-05-22T08:30:00Z',
    detectedAt: '2026-05-22T09:00:00Z',
    sources: [{ url: 'https://api-docs.deepseek.com/quick_start/pricing' }],
  };

  it('has the model, old → new with currency and unit, percent, type, dates and source link', () => {
    const { text } = formatSlackMessage(cut);
    expect(text).toContain('deepseek/deepseek-v4-pro');
    expect(text).toContain('input');
    expect(text).toContain('1.74 → 0.435 USD / 1M tokens');
    expect(text).toContain('-75%');
    expect(text).toContain('promotion started');
    expect(text).toContain('Effective: 2026-05-26 16:00 UTC');
    expect(text).toContain('announced: 2026-05-22 08:30 UTC');
    expect(text).toContain('<https://api-docs.deepseek.com/quick_start/pricing|api-docs.deepseek.com>');
    expect(text).toContain('list 1.74 → 1.74'); // a promotion: the list price is shown too
  });

  it('an increase shows a plus sign; no announced date, no list line when list = effective', () => {
    const { text } = formatSlackMessage({ ...cut, before: '2', after: '3', listBefore: '2', listAfter: '3', changePct: 50, type: 'price_increase', announcedAt: undefined });
    expect(text).toContain('2 → 3 USD / 1M tokens (+50%)');
    expect(text).toContain('price increase');
    expect(text).not.toContain('announced');
    expect(text).not.toContain('list ');
  });

  it('a new price has no old amount and no percent; decimal strings are kept as published', () => {
    const { text } = formatSlackMessage({ ...cut, before: null, after: '0.003625', listBefore: null, listAfter: '0.003625', changePct: null, type: 'price_added', currency: 'CNY' });
    expect(text).toContain('none → 0.003625 CNY / 1M tokens');
    expect(text).not.toMatch(/%\)/);
    expect(text).toContain('new price');
  });

  it('shows conditions, escapes Slack control characters, lists several sources', () => {
    const { text } = formatSlackMessage({
      ...cut,
      model: 'acme/<b>&model',
      conditions: { contextAbove: 200000, serviceTier: 'batch', hours: { tz: 'Asia/Shanghai', ranges: [['00:30', '08:30']], label: 'off-peak' } },
      sources: [{ url: 'https://a.example.com/p?x=1|2', title: 'Pricing <page>' }, { url: 'https://b.example.com/' }],
    });
    expect(text).toContain('acme/&lt;b&gt;&amp;model');
    expect(text).toContain('context > 200,000 tokens'.replace('>', '&gt;'));
    expect(text).toContain('batch tier');
    expect(text).toContain('off-peak hours 00:30–08:30 Asia/Shanghai');
    expect(text).toContain('<https://a.example.com/p?x=1%7C2|Pricing &lt;page&gt;>');
    expect(text).toContain('<https://b.example.com/|source 2>');
  });

  it('several changes make one message; floats lose binary noise', () => {
    const { text } = formatSlackMessage([cut, { ...cut, component: 'output', before: 0.1 + 0.2, after: 0.3 * 3, changePct: 200.004 }]);
    expect(text.split('\n\n')).toHaveLength(2);
    expect(text).toContain('0.3 → 0.9 USD');
    expect(text).toContain('+200%');
  });

  it('takes the timeline form too: decimal strings and epoch-ms instants', () => {
    const { text } = formatSlackMessage({
      ...cut,
      before: '1.74',
      after: '0.435',
      listBefore: '1.74',
      listAfter: '1.74',
      effectiveAt: Date.parse('2026-05-26T16:00:00Z'),
      announcedAt: Date.parse('2026-05-22T08:30:00Z'),
      detectedAt: Date.parse('2026-05-22T09:00:00Z'),
    });
    expect(text).toContain('1.74 → 0.435 USD / 1M tokens (-75%)');
    expect(text).toContain('Effective: 2026-05-26 16:00 UTC · announced: 2026-05-22 08:30 UTC');
  });

  it('formats instants in UTC whatever the input zone', () => {
    expect(formatInstant('2026-05-27T00:00:00+08:00')).toBe('2026-05-26 16:00 UTC');
    expect(formatInstant(0)).toBe('1970-01-01 00:00 UTC');
    expect(formatInstant('garbage')).toBe('garbage');
  });
});
