// Issue #16 case 2: a long CLI write and a serving instance on one database file. While
// `tokentrail ingest` applies a large OpenRouter page, POST /v1/webhooks on the server never
// answers 500 (it waits for SQLite's lock asynchronously, or answers 503 + Retry-After past the
// deadline) and /healthz never stalls: the binding's synchronous busy wait is gone.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseBusyError, openDatabase } from '../src/db/client.ts';
import { getScraper } from '../scrapers/registry.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { BIN, ROOT } from './helpers/cli.ts';
import { probeHealthz } from './helpers/probe.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const TOKEN = 'hostile-busy-admin-token-0123456789';
const SNAPSHOT = join(ROOT, 'scrapers/openrouter/fixtures/openrouter-models-2025-12-29T123412-95e496d.json');
const COPIES = Number(process.env.HOSTILE_COPIES ?? 12);

/**
 * CONSTRUCTED page: the real OpenRouter snapshot of 2025-12-29 (scrapers/openrouter/fixtures,
 * see its .meta.json) with its models replicated COPIES times under suffixed ids
 * (`<id>-copy<k>`), prices unchanged: a large page of real prices, not a real page.
 */
function constructedPage(file: string): number {
  const page = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as { data: Array<Record<string, unknown>> };
  const data = Array.from({ length: COPIES }, (_, k) => page.data.map((m) => ({ ...m, id: `${m.id as string}-copy${k}`, canonical_slug: `${m.canonical_slug as string}-copy${k}` }))).flat();
  writeFileSync(file, JSON.stringify({ ...page, data }));
  return data.length;
}

let s: SeededServer;
beforeAll(async () => {
  process.env.TOKENTRAIL_WEBHOOK_ALLOW = '127.0.0.1/32';
  s = await startSeededServer({ app: { adminToken: TOKEN, rateLimits: { writes: false } } });
});
afterAll(async () => {
  delete process.env.TOKENTRAIL_WEBHOOK_ALLOW;
  await s?.close();
});

describe('a CLI write against a serving instance', () => {
  it('ingest of a large page while webhooks are created: 0 × 5xx, no /healthz stall over 200 ms', async () => {
    const pageFile = join(s.dir, 'openrouter-constructed.json');
    const models = constructedPage(pageFile);
    const dbFile = join(s.dir, 'tokentrail.db');
    // A serving instance has answered before (first calls compile code paths).
    const warm = await request(s.url, '/v1/webhooks', { json: { url: 'http://127.0.0.1:9/hook/warm' }, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(warm.status, warm.text).toBe(201);
    const child = spawn(process.execPath, [BIN, '--db', dbFile, 'ingest', 'openrouter', pageFile, '--at', '2025-12-29T12:34:12Z', '--confirmed', '--json'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t0 = performance.now();
    const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    let running = true;
    void exited.then(() => (running = false));

    const statuses: number[] = [];
    const failures: string[] = [];
    const writes = (async () => {
      let i = 0;
      while (running) {
        const r = await request(s.url, '/v1/webhooks', { json: { url: `http://127.0.0.1:9/hook/${i++}` }, headers: { authorization: `Bearer ${TOKEN}` } });
        statuses.push(r.status);
        if (r.status >= 500 && failures.length < 3) failures.push(`${r.status} after ${(performance.now() - t0).toFixed(0)} ms: ${r.text}`);
        if (r.status >= 500) expect(r.headers.get('content-type'), r.text).toBe('application/problem+json');
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const probe = probeHealthz(s.url);
    const code = await exited;
    const ms = performance.now() - t0;
    await writes;
    const { worstMs: worst, worstAtMs: worstAt } = await probe.stop();
    const count = (p: (n: number) => boolean) => statuses.filter(p).length;
    console.log(
      `[hostile-busy-database] ingest of ${models} models (constructed, ${COPIES}× the 2025-12-29 snapshot): exit ${code} in ${ms.toFixed(0)} ms; ` +
        `POST /v1/webhooks: ${statuses.length} sent, ${count((n) => n === 201)} × 201, ${count((n) => n === 503)} × 503, ${count((n) => n === 500)} × 500; worst /healthz ${worst.toFixed(1)} ms at ${worstAt.toFixed(0)} ms`,
    );
    if (failures.length) console.log(`[hostile-busy-database] first failures: ${failures.join(' | ')}`);
    expect(code, stderr).toBe(0);
    // The snapshot's openrouter/auto and bodybuilder rows say "-1" (variable): unread rows, a partial run.
    expect(JSON.parse(stdout).outcome).toMatch(/^(ok|partial)$/);
    expect(count((n) => n === 500)).toBe(0);
    // Past the 5 s deadline a write is a 503 with Retry-After, never a 500 (checked as they come).
    expect(count((n) => n >= 500 && n !== 503)).toBe(0);
    // Before: 11.5 s. The lock is waited for asynchronously now; the rest is the machine's load.
    expect(worst).toBeLessThan(1_000);
  }, 300_000);

  // Before the batches the page was applied in one transaction: it held the lock for the whole
  // apply (~10 s of a 4,236-model page here), so writes in between waited past the 5 s deadline (503).
  it('an ingest of a large page holds the write lock in short stretches: no transaction over a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokentrail-busy-'));
    const database = await openDatabase({ url: `file:${join(dir, 'tokentrail.db')}` });
    try {
      const pageFile = join(dir, 'openrouter-constructed.json');
      const models = constructedPage(pageFile);
      // Every write transaction's span, BEGIN to COMMIT or ROLLBACK: how long it holds the lock.
      const spans: number[] = [];
      const begin = database.client.transaction.bind(database.client);
      database.client.transaction = (async (...a: Parameters<typeof begin>) => {
        const tx = await begin(...a);
        const t0 = performance.now();
        const end = <F extends () => Promise<void>>(f: F) => (() => f().finally(() => spans.push(performance.now() - t0))) as F;
        tx.commit = end(tx.commit.bind(tx));
        tx.rollback = end(tx.rollback.bind(tx));
        return tx;
      }) as typeof database.client.transaction;
      const t0 = performance.now();
      const run = await ingestPage(database, { scraper: getScraper('openrouter'), url: 'https://openrouter.ai/api/v1/models', body: readFileSync(pageFile), observedAt: Date.parse('2025-12-29T12:34:12Z'), confirmed: true, emitEvents: true });
      const ms = performance.now() - t0;
      const longest = Math.max(...spans);
      console.log(`[hostile-busy-database] ingest of ${models} models in-process: ${run.outcome}, ${run.factsAdded} facts in ${ms.toFixed(0)} ms, ${spans.length} transactions, longest ${longest.toFixed(0)} ms`);
      expect(run.outcome).toMatch(/^(ok|partial)$/);
      expect(run.factsAdded).toBeGreaterThan(10_000);
      // Before: one transaction, the whole apply (8–10 s here).
      expect(spans.length).toBeGreaterThan(10);
      expect(longest).toBeLessThan(Math.max(1_000, ms / 10));
    } finally {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  // Found here: @libsql/client leaves a statement that met SQLITE_BUSY un-reset on its pooled
  // connection (libsql 0.5.29, @libsql/client 0.18.0). The next write on that connection succeeds
  // but cannot autocommit: it is acknowledged, invisible to other connections, and holds the write
  // lock until the failed statement is garbage-collected. In the first test the server answered
  // 471 webhooks 201 while another connection saw 72 of them, and the CLI waited 5 s for the lock.
  // Expected to fail until openDatabase heals or avoids such connections.
  it.fails('a write retried after SQLITE_BUSY commits: another connection sees it and can take the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokentrail-busy-'));
    const dbFile = join(dir, 'tokentrail.db');
    const a = await openDatabase({ url: `file:${dbFile}` });
    const holder = await openDatabase({ url: `file:${dbFile}`, migrate: false });
    try {
      const tx = await holder.client.transaction('write');
      const write = a.client.execute("INSERT INTO providers (id, name, url, record) VALUES ('busy', 'busy', 'x', '{}')");
      await new Promise((r) => setTimeout(r, 100));
      await tx.rollback();
      await write; // retried by openDatabase after SQLITE_BUSY, then answered
      const other = createClient({ url: `file:${dbFile}` });
      try {
        const seen = await other.execute("SELECT count(*) AS n FROM providers WHERE id = 'busy'");
        const lock = await other.execute('BEGIN IMMEDIATE').then(() => 'taken', (e: Error) => e.message);
        expect({ seen: Number(seen.rows[0].n), lock }).toEqual({ seen: 1, lock: 'taken' });
      } finally {
        other.close();
      }
    } finally {
      a.close();
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a lock held past the deadline is a DatabaseBusyError, and the API answers 503 problem+json with Retry-After', async () => {
    // Its own instance and file: nothing else of this file's tests may hold or wait for that lock.
    const own = await startSeededServer({ app: { adminToken: TOKEN, rateLimits: { writes: false } } });
    const dbFile = join(own.dir, 'tokentrail.db');
    const holder = await openDatabase({ url: `file:${dbFile}`, migrate: false });
    const tx = await holder.client.transaction('write'); // another connection holds the write lock
    try {
      const impatient = await openDatabase({ url: `file:${dbFile}`, migrate: false, busyDeadlineMs: 300 });
      const t0 = performance.now();
      const err = await impatient.client.execute("INSERT INTO providers (id, name, url, record) VALUES ('x', 'x', 'x', '{}')").catch((e) => e);
      const waited = performance.now() - t0;
      impatient.close();
      expect(err).toBeInstanceOf(DatabaseBusyError);
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(2_000);

      // The server's own deadline is the default 5 s.
      const r = await request(own.url, '/v1/webhooks', { json: { url: 'http://127.0.0.1:9/hook/late' }, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status, r.text).toBe(503);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.headers.get('retry-after')).toBe('1');
    } finally {
      await tx.rollback();
      holder.close();
      await own.close();
    }
  }, 60_000);
});
