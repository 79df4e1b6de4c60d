// Scheduled scraping with several instances on one database file: each provider is scraped once
// per slot (the providers' saved fixture pages are served on 127.0.0.1 through the fetchUrl
// override, and requests are counted per page); two dispatchers racing on one outbox attempt every
// delivery exactly once; a failing provider is backed off and announced (scraper.failed /
// scraper.recovered); serve roles and graceful shutdown. Nothing reaches the internet.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.ts';
import type { Scraper, ScraperPage } from '../src/scrape/contract.ts';
import anthropic from '../scrapers/anthropic/index.ts';
import deepseek from '../scrapers/deepseek/index.ts';
import xiaomi from '../scrapers/xiaomi/index.ts';
import { Scheduler, skipSlots, type SchedulerOptions } from '../src/scheduler/scheduler.ts';
import { providerSchedules } from '../src/scheduler/schedule.ts';
import { parseAllowList } from '../src/webhooks/address-policy.ts';
import { Dispatcher } from '../src/webhooks/dispatcher.ts';
import { newEvent, writeEvents } from '../src/webhooks/outbox.ts';
import { createSubscription } from '../src/webhooks/subscriptions.ts';
import { scraperHealthRows } from '../api/scraper-health.ts';
import { startServer } from '../api/server.ts';

const H = 3600_000;
const policy = parseAllowList('127.0.0.1/32');
const fixture = (provider: string, file: string) => readFileSync(new URL(`../scrapers/${provider}/fixtures/${file}`, import.meta.url));

// DeepSeek's Chinese page only (its English fixtures are refused by the pipeline on purpose).
const deepseekZh: Scraper = { ...deepseek, pages: deepseek.pages.filter((p) => p.lang === 'zh') };
const PAGES: Record<string, { body: Buffer; type: string }> = {
  [anthropic.pages[0].url]: { body: fixture('anthropic', 'anthropic-2026-03-14-9245f203.md'), type: 'text/markdown' },
  [xiaomi.pages[0].url]: { body: fixture('xiaomi', 'xiaomi-payg-2026-05-27-constructed.md'), type: 'text/markdown' },
  [deepseekZh.pages[0].url]: { body: fixture('deepseek', 'deepseek-zh-2026-07-html-fragment.html'), type: 'text/html' },
};

// ------------------------------------------------------------------------------ helpers

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
});

/** Serves the fixture pages at /p/<encoded page url>; counts requests per page; pages can be broken. */
async function pageServer() {
  const counts = new Map<string, number>();
  const broken = new Set<string>();
  const delays = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const page = decodeURIComponent((req.url ?? '').replace(/^\/p\//, ''));
    counts.set(page, (counts.get(page) ?? 0) + 1);
    const p = PAGES[page];
    const answer = () => {
      if (!p) return res.writeHead(404).end();
      if (broken.has(page)) return res.writeHead(500).end('upstream exploded');
      res.writeHead(200, { 'content-type': p.type }).end(p.body);
    };
    const delay = delays.get(page);
    if (delay) setTimeout(answer, delay);
    else answer();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { counts, broken, delays, fetchUrl: (page: ScraperPage) => `${base}/p/${encodeURIComponent(page.url)}` };
}

const dirs: string[] = [];
const databases: Database[] = [];
async function dbFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-sched-'));
  dirs.push(dir);
  return `file:${join(dir, 'db.sqlite')}`;
}
async function open(url: string): Promise<Database> {
  const d = await openDatabase({ url });
  databases.push(d);
  return d;
}
afterAll(() => {
  for (const d of databases) d.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function clock(start: number) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v) };
}

const SLOT0 = Date.parse('2026-06-01T00:00:00Z');

function scheduler(database: Database, pages: Awaited<ReturnType<typeof pageServer>>, c: { now: () => number }, extra: Partial<SchedulerOptions> = {}) {
  return new Scheduler({
    database,
    scrapers: [anthropic, deepseekZh, xiaomi],
    schedule: '0 */6 * * *',
    env: {},
    now: c.now,
    scrape: { fetchUrl: pages.fetchUrl, staticOptions: { robots: false, retries: 0, timeoutMs: 5000 } },
    ...extra,
  });
}

// ------------------------------------------------------------------------------ tests

describe('schedule configuration', () => {
  it('defaults to every 6 hours, honours per-provider overrides and off, refuses a bad pattern', () => {
    const s = providerSchedules(['deepseek', 'openrouter', 'xiaomi'], { env: { TOKENTRAIL_SCHEDULE_OPENROUTER: '0 * * * *', TOKENTRAIL_SCHEDULE_XIAOMI: 'off' } });
    expect(s.get('deepseek')!.pattern).toBe('0 */6 * * *');
    expect(s.get('deepseek')!.after(SLOT0)).toBe(SLOT0 + 6 * H);
    expect(s.get('deepseek')!.at(SLOT0 + 5 * H)).toBe(SLOT0);
    expect(s.get('openrouter')!.after(SLOT0)).toBe(SLOT0 + H);
    expect(s.get('xiaomi')).toBeNull();
    expect(providerSchedules(['deepseek'], { env: { TOKENTRAIL_SCHEDULE: 'off' } }).get('deepseek')).toBeNull();
    expect(() => providerSchedules(['deepseek'], { env: { TOKENTRAIL_SCHEDULE: 'every day' } })).toThrow(/TOKENTRAIL_SCHEDULE/);
    expect([1, 2, 3, 4, 5, 9].map((n) => skipSlots(n, 8))).toEqual([0, 1, 3, 7, 8, 8]);
  });
});

describe('two instances on one database file', () => {
  it('scrape each provider once per slot', async () => {
    const pages = await pageServer();
    const url = await dbFile();
    const [da, db] = [await open(url), await open(url)];
    const c = clock(SLOT0 + 60_000);
    const a = scheduler(da, pages, c, { instanceId: 'instance-a' });
    const b = scheduler(db, pages, c, { instanceId: 'instance-b' });

    for (let slot = 0; slot < 3; slot++) {
      c.set(SLOT0 + slot * 6 * H + 60_000 + slot * 1000);
      const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);
      for (const provider of ['anthropic', 'deepseek', 'xiaomi']) {
        const outcomes = [ra, rb].map((r) => r.find((x) => x.provider === provider)!.outcome).sort();
        expect(outcomes, `${provider} slot ${slot}`).toEqual(['ran', 'taken']);
      }
      for (const page of Object.keys(PAGES)) expect(pages.counts.get(page), page).toBe(slot + 1);
      // A third instance arriving late in the slot finds it done.
      const late = scheduler(await open(url), pages, { now: () => c.now() + 3 * H }, { instanceId: 'instance-late' });
      expect((await late.runDue()).map((r) => r.outcome)).toEqual(['taken', 'taken', 'taken']);
    }
    const runs = await da.db.all<{ provider: string; n: number }>(sql`SELECT provider, count(*) AS n FROM scrape_runs GROUP BY provider ORDER BY provider`);
    expect(runs.map((r) => [r.provider, Number(r.n)])).toEqual([['anthropic', 3], ['deepseek', 3], ['xiaomi', 3]]);
    // The first slot found the prices (first observation), the later ones the same page again.
    const outcomes = await da.db.all<{ outcome: string }>(sql`SELECT outcome FROM scrape_runs WHERE provider = 'xiaomi' ORDER BY id`);
    expect(outcomes.map((o) => o.outcome)).toEqual(['ok', 'unchanged', 'unchanged']);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('two dispatchers racing on 200 deliveries attempt each exactly once', async () => {
    const url = await dbFile();
    const [da, db] = [await open(url), await open(url)];
    const seen = new Map<string, number>();
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        res.writeHead(204).end();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    for (let i = 0; i < 4; i++) await createSubscription(da.db, { url: `${hook}/${i}` }, { policy, now: Date.now() });
    const now = Date.now();
    const events = Array.from({ length: 50 }, (_, i) => newEvent('price.changed', 'deepseek', { provider: 'deepseek', change: { model: `deepseek/m-${i}` } as never }, now));
    await da.db.transaction((tx) => writeEvents(tx, events));

    // No per-endpoint cap here (4 endpoints): this is about two instances racing for the same rows.
    const a = new Dispatcher({ database: da, policy, instanceId: 'dispatcher-a', concurrency: 8, perEndpoint: 50 });
    const b = new Dispatcher({ database: db, policy, instanceId: 'dispatcher-b', concurrency: 8, perEndpoint: 50 });
    const [sa, sb] = await Promise.all([a.drain(), b.drain()]);
    await Promise.all([a.stop(), b.stop()]);

    expect(sa.attempted + sb.attempted).toBe(200);
    expect(sa.attempted).toBeGreaterThan(0);
    expect(sb.attempted).toBeGreaterThan(0);
    expect(seen.size).toBe(200);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const perDelivery = await da.db.all<{ n: number }>(sql`SELECT count(a.id) AS n FROM deliveries d LEFT JOIN delivery_attempts a ON a.delivery_id = d.id GROUP BY d.id`);
    expect(perDelivery).toHaveLength(200);
    expect(perDelivery.every((r) => Number(r.n) === 1)).toBe(true);
  });
});

describe('a provider that keeps failing', () => {
  it('is backed off exponentially; scraper.failed after 3 failed runs, scraper.recovered on the next success', async () => {
    const pages = await pageServer();
    const database = await open(await dbFile());
    const hookSeen: { type: string; data: Record<string, unknown> }[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        hookSeen.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    servers.push(hook);
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    await createSubscription(database.db, { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, filter: { types: ['scraper.failed', 'scraper.recovered'] } }, { policy, now: Date.now() });

    const page = xiaomi.pages[0].url;
    pages.broken.add(page);
    const c = clock(SLOT0);
    const s = scheduler(database, pages, c, { scrapers: [xiaomi], failureThreshold: 3, instanceId: 'solo' });
    const outcomes: string[] = [];
    const events: string[][] = [];
    for (let i = 0; i < 10; i++) {
      if (i === 7) pages.broken.delete(page); // fixed before slot 7
      c.set(SLOT0 + i * 6 * H + 1000);
      const [r] = await s.runDue();
      outcomes.push(r.outcome);
      events.push(r.events ?? []);
      if (i === 3) {
        // What /v1/providers shows agrees with the scheduler's count.
        const health = (await scraperHealthRows(database.db)).find((h) => h.provider === 'xiaomi')!;
        expect(r.consecutiveFailures).toBe(3);
        expect(health.consecutiveFailures).toBe(3);
        expect(health.lastFailureReason).toMatch(/500/);
      }
    }
    // Slots: fail, fail (skip 1), —, fail (3rd: alert; skip 3), —, —, —, ok (recovered), ok, ok.
    expect(outcomes).toEqual(['ran', 'ran', 'backoff', 'ran', 'backoff', 'backoff', 'backoff', 'ran', 'ran', 'ran']);
    expect(events).toEqual([[], [], [], ['scraper.failed'], [], [], [], ['scraper.recovered'], [], []]);
    expect(pages.counts.get(page)).toBe(6);
    await s.stop();

    const d = new Dispatcher({ database, policy });
    await d.drain();
    await d.stop();
    // Webhooks promise no order; each event arrives once.
    hookSeen.sort((x, y) => x.type.localeCompare(y.type));
    expect(hookSeen.map((e) => e.type)).toEqual(['scraper.failed', 'scraper.recovered']);
    expect(hookSeen[0].data).toMatchObject({ provider: 'xiaomi', consecutiveFailures: 3, url: page });
    expect(String(hookSeen[0].data.reason)).toMatch(/500/);
    expect(hookSeen[1].data).toMatchObject({ provider: 'xiaomi', failedRuns: 3 });
    const health = (await scraperHealthRows(database.db)).find((h) => h.provider === 'xiaomi')!;
    expect(health.consecutiveFailures).toBe(0);
    expect(health.lastSuccess).not.toBeNull();
  });
});

describe('serve roles and graceful shutdown', () => {
  it('worker: scheduler + dispatcher, /healthz only; close() waits for a running scrape and keeps its slot done', async () => {
    const pages = await pageServer();
    const database = await open(await dbFile());
    pages.delays.set(xiaomi.pages[0].url, 400);
    const server = await startServer({
      database,
      port: 0,
      host: '127.0.0.1',
      role: 'worker',
      worker: {
        fetchUrl: pages.fetchUrl,
        scheduler: { scrapers: [xiaomi], schedule: '0 */6 * * *', env: {}, jitterMs: 0, scrape: { staticOptions: { robots: false, retries: 0 } } },
        dispatcher: { policy, pollIntervalMs: 50 },
      },
    });
    expect(server.role).toBe('worker');
    expect(server.scheduler).toBeDefined();
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${server.url}/v1/providers`)).status).toBe(404);
    // The catch-up of the current slot starts at once (jitter 0); close while the page is still loading.
    await waitFor(() => (pages.counts.get(xiaomi.pages[0].url) ?? 0) >= 1, 5000);
    await server.close();
    const runs = await database.db.all<{ outcome: string }>(sql`SELECT outcome FROM scrape_runs WHERE provider = 'xiaomi'`);
    expect(runs.map((r) => r.outcome)).toEqual(['ok']);
    const leases = await database.db.all<{ name: string; expires_at: number }>(sql`SELECT name, expires_at FROM leases WHERE name LIKE 'scrape:xiaomi:%'`);
    expect(leases).toHaveLength(1);
    expect(Number(leases[0].expires_at)).toBeGreaterThan(Date.now() + H);
  });

  it('api: no scheduler, no dispatcher; the dispatcher stops after POSTs in flight and leaves no claim', async () => {
    const database = await open(await dbFile());
    const api = await startServer({ database, port: 0, host: '127.0.0.1', role: 'api' });
    expect(api.scheduler).toBeUndefined();
    expect(api.dispatcher).toBeUndefined();
    await api.close();

    let got = 0;
    const slow = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => (got++, res.writeHead(200).end()), 300));
    });
    servers.push(slow);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    await createSubscription(database.db, { url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/` }, { policy, now: Date.now() });
    await database.db.transaction((tx) => writeEvents(tx, [newEvent('price.changed', 'deepseek', { provider: 'deepseek' }, Date.now())]));
    const d = new Dispatcher({ database, policy, pollIntervalMs: 20 });
    d.start();
    await waitFor(async () => (await database.db.all(sql`SELECT id FROM deliveries WHERE status = 'delivering'`)).length === 1, 5000);
    await d.stop();
    expect(got).toBe(1);
    const rows = await database.db.all<{ status: string; claimed_by: string | null }>(sql`SELECT status, claimed_by FROM deliveries`);
    expect(rows).toEqual([{ status: 'delivered', claimed_by: null }]);
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
