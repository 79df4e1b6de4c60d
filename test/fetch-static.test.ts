// The static fetcher against real HTTP servers on 127.0.0.1 (port 0): conditional requests,
// Retry-After, retries only for retryable answers, timeouts on a hung body, one request at a time
// per host, robots.txt. Backoff waits go through an injected sleep, so nothing waits real seconds.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FatalFetchError, RetryableFetchError } from '../src/errors.ts';
import { USER_AGENT, fetchStatic, parseRetryAfter, resetFetchStaticState } from '../src/scrape/fetch-static.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  base: string;
  /** Requests for pages (robots.txt counted separately). */
  hits: IncomingMessage[];
  robotsHits: number;
  close(): Promise<void>;
}

const servers: Server[] = [];

/** A server on 127.0.0.1:0; robots.txt answers 404 unless `robots` is given. */
async function serve(handler: Handler, robots?: string): Promise<TestServer> {
  const state = { hits: [] as IncomingMessage[], robotsHits: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/robots.txt') {
      state.robotsHits++;
      if (robots === undefined) res.writeHead(404).end('not found');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(robots);
      return;
    }
    state.hits.push(req);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    get robotsHits() {
      return state.robotsHits;
    },
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A sleep that records what was asked and returns at once. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

beforeEach(() => resetFetchStaticState());
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => (s.listening ? closeServer(s) : Promise.resolve())));
});

describe('fetchStatic', () => {
  it('returns the body with its validators and sends a real User-Agent', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Wed, 21 Oct 2026 07:28:00 GMT' }).end('<html><head><title>Pricing</title></head><body>ok</body></html>');
    });
    const result = await fetchStatic(`${srv.base}/pricing`, { now: () => new Date('2026-09-01T00:00:00Z') });
    expect(result).toMatchObject({ status: 'ok', contentType: 'text/html; charset=utf-8', etag: '"v1"', lastModified: 'Wed, 21 Oct 2026 07:28:00 GMT', fetchedAt: '2026-09-01T00:00:00.000Z' });
    expect(result.status === 'ok' && result.body.toString()).toContain('<title>Pricing</title>');
    expect(srv.hits[0].headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^tokentrail\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/tokentrail\/tokentrail\)$/);
  });

  it('answers not-modified to a 304 and sends If-None-Match and If-Modified-Since', async () => {
    const srv = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>changed</body></html>');
    });
    const result = await fetchStatic(`${srv.base}/pricing`, { etag: '"v1"', lastModified: 'Wed, 21 Oct 2026 07:28:00 GMT' });
    expect(result.status).toBe('not-modified');
    expect(srv.hits).toHaveLength(1);
    expect(srv.hits[0].headers['if-none-match']).toBe('"v1"');
    expect(srv.hits[0].headers['if-modified-since']).toBe('Wed, 21 Oct 2026 07:28:00 GMT');
  });

  it('waits as long as a 429 Retry-After asks (seconds), then succeeds', async () => {
    let calls = 0;
    const srv = await serve((_req, res) => {
      if (++calls === 1) res.writeHead(429, { 'retry-after': '7' }).end('slow down');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
    });
    const { sleep, waits } = recordingSleep();
    const result = await fetchStatic(`${srv.base}/api/v1/models`, { sleep });
    expect(result.status).toBe('ok');
    expect(waits).toEqual([7_000]);
    expect(srv.hits).toHaveLength(2);
  });

  it('honours a Retry-After HTTP date, capped at maxDelayMs', async () => {
    const now = new Date('2026-09-01T00:00:00Z');
    expect(parseRetryAfter('Tue, 01 Sep 2026 00:00:30 GMT', now)).toBe(30_000);
    let calls = 0;
    const srv = await serve((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(503, { 'retry-after': 'Tue, 01 Sep 2026 00:00:30 GMT' }).end();
      else if (calls === 2) res.writeHead(429, { 'retry-after': '86400' }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('fine');
    });
    const { sleep, waits } = recordingSleep();
    const result = await fetchStatic(`${srv.base}/p`, { sleep, now: () => now, maxDelayMs: 60_000 });
    expect(result.status).toBe('ok');
    expect(waits).toEqual([30_000, 60_000]);
  });

  it('retries a 500 with exponential backoff, then fails with RetryableFetchError after retries + 1 attempts', async () => {
    const srv = await serve((_req, res) => void res.writeHead(500).end('boom'));
    const { sleep, waits } = recordingSleep();
    const error = await fetchStatic(`${srv.base}/p`, { sleep, retries: 3, baseDelayMs: 1_000, random: () => 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableFetchError);
    expect((error as RetryableFetchError).status).toBe(500);
    expect((error as Error).message).toMatch(/gave up after 4 attempts: .*HTTP 500/);
    expect(srv.hits).toHaveLength(4);
    // base × 2^n, halved by the smallest jitter.
    expect(waits).toEqual([500, 1_000, 2_000]);
  });

  it('adds jitter to the backoff', async () => {
    const srv = await serve((_req, res) => void res.writeHead(502).end());
    const { sleep, waits } = recordingSleep();
    await fetchStatic(`${srv.base}/p`, { sleep, retries: 2, baseDelayMs: 1_000, random: () => 0.5 }).catch(() => undefined);
    expect(waits).toEqual([750, 1_500]);
  });

  it('fails at once with FatalFetchError on 404 and on 403 (no retry)', async () => {
    const srv = await serve((req, res) => void res.writeHead(req.url === '/gone' ? 404 : 403).end());
    const { sleep, waits } = recordingSleep();
    const notFound = await fetchStatic(`${srv.base}/gone`, { sleep }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(FatalFetchError);
    expect((notFound as FatalFetchError).status).toBe(404);
    const forbidden = await fetchStatic(`${srv.base}/secret`, { sleep }).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(FatalFetchError);
    expect((forbidden as FatalFetchError).status).toBe(403);
    expect(srv.hits).toHaveLength(2);
    expect(waits).toEqual([]);
  });

  it('times out a server that sends headers but never the body', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><body>');
      // …and never ends.
    });
    const { sleep, waits } = recordingSleep();
    const started = Date.now();
    const error = await fetchStatic(`${srv.base}/slow`, { sleep, timeoutMs: 200, retries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableFetchError);
    expect((error as Error).message).toMatch(/gave up after 2 attempts: .*no complete answer within 200 ms/);
    expect(srv.hits).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries after a connection reset', async () => {
    let calls = 0;
    const srv = await serve((req, res) => {
      if (++calls === 1) req.socket.destroy();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    const { sleep, waits } = recordingSleep();
    const result = await fetchStatic(`${srv.base}/p`, { sleep });
    expect(result.status).toBe('ok');
    expect(waits).toHaveLength(1);
  });

  it('never has two requests in flight to one host', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const srv = await serve((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url);
      }, 150);
    });
    const results = await Promise.all([fetchStatic(`${srv.base}/a`), fetchStatic(`${srv.base}/b`), fetchStatic(`${srv.base}/c`)]);
    expect(results.map((r) => r.status === 'ok' && r.body.toString())).toEqual(['/a', '/b', '/c']);
    expect(srv.hits).toHaveLength(3);
    expect(maxInFlight).toBe(1);
  });

  it('honours a robots.txt Disallow, fetching robots.txt once per host', async () => {
    const srv = await serve((req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url), 'User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n');
    const error = await fetchStatic(`${srv.base}/private/pricing`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalFetchError);
    expect((error as Error).message).toMatch(/disallowed by .*robots\.txt \(Disallow: \/private\)/);
    const allowed = await fetchStatic(`${srv.base}/public/pricing`);
    expect(allowed.status).toBe('ok');
    expect(srv.hits.map((r) => r.url)).toEqual(['/public/pricing']);
    expect(srv.robotsHits).toBe(1);
  });

  it('follows a group naming tokentrail over the * group, with Allow winning a longer match', async () => {
    const srv = await serve(
      (req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url),
      'User-agent: *\nDisallow: /\n\nUser-agent: tokentrail\nDisallow: /docs/\nAllow: /docs/pricing\n',
    );
    expect((await fetchStatic(`${srv.base}/docs/pricing`)).status).toBe('ok');
    await expect(fetchStatic(`${srv.base}/docs/other`)).rejects.toBeInstanceOf(FatalFetchError);
    expect((await fetchStatic(`${srv.base}/elsewhere`)).status).toBe('ok');
  });

  it('refuses a bot-challenge page served with 200 as FatalFetchError', async () => {
    const srv = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>'));
    const error = await fetchStatic(`${srv.base}/pricing`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalFetchError);
    expect((error as Error).message).toMatch(/bot challenge/);
  });
});
