// Issue #16 case 4: the static fetcher caps a response body as it streams, after decoding. A gzip
// bomb (about 1.5 MB on the wire, 1.5 GB decoded) served from 127.0.0.1 is refused at the cap
// without the process growing by more than 100 MB; a plain oversize body too; a scraper may raise
// or lower the cap; a body within it arrives intact.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, fetchStatic, resetFetchStaticState } from '../src/scrape/fetch-static.ts';

// Concatenated gzip members decode to their concatenation: 150 × 10 MiB of zeros = 1.5 GiB.
const MEMBER = gzipSync(Buffer.alloc(10 * 1024 * 1024), { level: 9 });
const MEMBERS = 150;

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/bomb') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      let i = 0;
      const pump = () => {
        while (i < MEMBERS) {
          i++;
          if (!res.write(MEMBER)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
      return;
    }
    if (req.url === '/plain-chunked') {
      // No Content-Length: only counting the stream can stop it.
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 200) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
      return;
    }
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(1_500_000_000) });
      res.write('<html>');
      return; // never finishes: the declared length alone is refused
    }
    if (req.url === '/small') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.from('<html><body>ok</body></html>')));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const opts = { robots: false, retries: 0, timeoutMs: 60_000 } as const;

/** Runs `fn`, sampling RSS every 5 ms; returns the growth over the starting RSS. */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T | Error; growthMb: number; ms: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  let value: T | Error;
  try {
    value = await fn();
  } catch (e) {
    value = e as Error;
  }
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { value, growthMb: (peak - start) / 1e6, ms: performance.now() - t0 };
}

describe('body cap', () => {
  it(`a gzip bomb (${((MEMBER.length * MEMBERS) / 1e6).toFixed(1)} MB → 1.5 GiB) is refused at the 20 MB cap, RSS growth < 100 MB`, async () => {
    resetFetchStaticState();
    const r = await rssGrowth(() => fetchStatic(`${base}/bomb`, opts));
    console.log(`[hostile-body-cap] gzip bomb: refused after ${r.ms.toFixed(0)} ms, RSS growth ${r.growthMb.toFixed(1)} MB: ${(r.value as Error).message}`);
    expect(r.value).toBeInstanceOf(BodyTooLargeError);
    expect((r.value as BodyTooLargeError).limitBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(r.growthMb).toBeLessThan(100);
  }, 60_000);

  it('a 200 MB chunked body is refused at the cap', async () => {
    const r = await rssGrowth(() => fetchStatic(`${base}/plain-chunked`, opts));
    console.log(`[hostile-body-cap] 200 MB chunked: refused after ${r.ms.toFixed(0)} ms, RSS growth ${r.growthMb.toFixed(1)} MB`);
    expect(r.value).toBeInstanceOf(BodyTooLargeError);
    expect(r.growthMb).toBeLessThan(100);
  }, 60_000);

  it('a declared Content-Length over the cap is refused before the body is read', async () => {
    const t0 = performance.now();
    await expect(fetchStatic(`${base}/declared`, opts)).rejects.toThrow(/Content-Length 1500000000/);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('a scraper may set its own cap; a body within it arrives decoded', async () => {
    await expect(fetchStatic(`${base}/plain-chunked`, { ...opts, maxBodyBytes: 1024 * 1024 })).rejects.toBeInstanceOf(BodyTooLargeError);
    const ok = await fetchStatic(`${base}/small`, { ...opts, maxBodyBytes: 1024 });
    expect(ok.status === 'ok' && ok.body.toString()).toBe('<html><body>ok</body></html>');
  });
});

describe('body cap in the browser fetcher (real Chromium)', () => {
  let pool: import('../src/scrape/fetch-browser.ts').BrowserPool;
  let page: Server;
  let pageBase = '';
  beforeAll(async () => {
    const { BrowserPool } = await import('../src/scrape/fetch-browser.ts');
    pool = new BrowserPool({ pageTimeoutMs: 30_000 });
    // CONSTRUCTED pages: a 3 MB rendered table, and a document declaring 2 GB.
    const rows = Array.from({ length: 30_000 }, (_, i) => `<tr><td>model-${i}</td><td>$${i}.00 per 1M tokens padding padding padding</td></tr>`).join('');
    page = createServer((req, res) => {
      if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body><main><table>${rows}</table></main></body></html>`);
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(2_000_000_000) });
        res.write('<html><body><main><table><tr><td>x</td></tr></table></main>');
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    pageBase = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    page?.closeAllConnections();
    await new Promise<void>((r) => page?.close(() => r()));
  });

  it('a render larger than the scraper cap is refused in the page, before it crosses over', async () => {
    const steps = { waitFor: 'main table', extract: { selector: 'main', as: 'html' as const } };
    const err = await pool.render(`${pageBase}/big`, steps, { maxBodyBytes: 1024 * 1024 }).catch((e) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect((err as Error).message).toMatch(/rendered html \(\d+ characters\)/);
    const ok = await pool.render(`${pageBase}/big`, steps, { maxBodyBytes: 8 * 1024 * 1024 });
    expect(ok.body.length).toBeGreaterThan(1024 * 1024);
  }, 90_000);

  it('a response declaring more than the cap is refused', async () => {
    const err = await pool.render(`${pageBase}/declared`, { waitFor: 'main table' }).catch((e) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect((err as Error).message).toMatch(/Content-Length 2000000000/);
  }, 90_000);
});
