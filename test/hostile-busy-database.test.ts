// Issue #16 case 2: a long CLI write and a serving instance on one database file. While
// `tokentrail ingest` applies a large OpenRouter page, POST /v1/webhooks and price reads on the
// server never answer 5xx (writes wait for SQLite's lock asynchronously) and the server's event
// loop never stalls over 200 ms: no synchronous busy wait, and the in-memory timeline index that
// every batch's new data version rebuilds is built in slices that yield.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseBusyError, openDatabase } from '../src/db/client.ts';
import { getScraper } from '../scrapers/registry.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { BIN, ROOT } from './helpers/cli.ts';
import { blockedMs, describeStall, probeHealthz, watchLoop } from './helpers/probe.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const TOKEN = 'hostile-busy-admin-token-0123456789';
const SNAPSHOT = join(ROOT, 'scrapers/openrouter/fixtures/openrouter-models-2025-12-29T123412-95e496d.json');
const COPIES = Number(process.env.HOSTILE_COPIES ?? 12);
const READ = '/v1/prices?model=openai/gpt-4o';

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
  it('ingest of a large page while webhooks are created and prices read: 0 × 5xx, no server stall over 200 ms', async () => {
    const pageFile = join(s.dir, 'openrouter-constructed.json');
    const models = constructedPage(pageFile);
    const dbFile = join(s.dir, 'tokentrail.db');
    // A serving instance has answered before (first calls compile code paths) and holds its index.
    const warm = await request(s.url, '/v1/webhooks', { json: { url: 'http://127.0.0.1:9/hook/warm' }, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(warm.status, warm.text).toBe(201);
    expect((await request(s.url, READ)).status).toBe(200);
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
    const reads: number[] = [];
    const failures: string[] = [];
    const fail = (what: string, r: { status: number; text: string }) => {
      if (failures.length < 3) failures.push(`${what} ${r.status} after ${(performance.now() - t0).toFixed(0)} ms: ${r.text.slice(0, 200)}`);
    };
    const writes = (async () => {
      let i = 0;
      while (running) {
        const r = await request(s.url, '/v1/webhooks', { json: { url: `http://127.0.0.1:9/hook/${i++}` }, headers: { authorization: `Bearer ${TOKEN}` } });
        statuses.push(r.status);
        if (r.status >= 500) fail('POST /v1/webhooks', r);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // Each batch bumps the data version: a read after it waits for the index of the new version.
    const readers = (async () => {
      while (running) {
        const r = await request(s.url, READ);
        reads.push(r.status);
        if (r.status !== 200) fail(`GET ${READ}`, r);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const loop = watchLoop();
    const probe = probeHealthz(s.url);
    const code = await exited;
    const ms = performance.now() - t0;
    await Promise.all([writes, readers]);
    const { worstMs: worst, worstAtMs: worstAt, worstUnqueuedMs: worstUnqueued } = await probe.stop();
    const l = loop.stop();
    const count = (p: (n: number) => boolean) => statuses.filter(p).length;
    console.log(
      `[hostile-busy-database] ingest of ${models} models (constructed, ${COPIES}× the 2025-12-29 snapshot): exit ${code} in ${ms.toFixed(0)} ms; load ${loadavg()[0].toFixed(2)}; ` +
        `POST /v1/webhooks: ${statuses.length} sent, ${count((n) => n === 201)} × 201, ${count((n) => n === 503)} × 503, ${count((n) => n === 500)} × 500; GET prices: ${reads.length}, ${reads.filter((n) => n !== 200).length} not 200; ` +
        `worst /healthz ${worst.toFixed(1)} ms at ${worstAt.toFixed(0)} ms (${worstUnqueued.toFixed(0)} ms not waiting for a CPU); event loop delay max ${l.delayMaxMs.toFixed(0)} ms, p99 ${l.delayP99Ms.toFixed(0)} ms; ` +
        `longest stall ${describeStall(l.worstWall)}; most CPU in one stall ${describeStall(l.worstOnCpu)}; most blocked ${describeStall(l.worstBlocked)}`,
    );
    if (failures.length) console.log(`[hostile-busy-database] first failures: ${failures.join(' | ')}`);
    expect(code, stderr).toBe(0);
    // The snapshot's openrouter/auto and bodybuilder rows say "-1" (variable): unread rows, a partial run.
    expect(JSON.parse(stdout).outcome).toMatch(/^(ok|partial)$/);
    expect(failures).toEqual([]);
    expect(count((n) => n !== 201)).toBe(0);
    expect(reads.length).toBeGreaterThan(10);
    if (l.schedstat) {
      // The server's own synchronous work in one turn of its loop: before, 430 ms of CPU rebuilding
      // the timeline index after a batch, 140 ms at start. Time waiting for a CPU is the machine's
      // load (this test's CLI child and the other test files share two cores), not a stall of the
      // server's making.
      expect(l.worstOnCpu.onCpuMs, describeStall(l.worstOnCpu)).toBeLessThan(200);
      // Neither on a CPU nor waiting for one: a synchronous wait (the binding's busy wait slept
      // 11.5 s here; the next test bounds it at 200 ms on its own), or a garbage collection waiting
      // for its helper threads on a loaded machine (up to ~330 ms at load 11).
      expect(blockedMs(l.worstBlocked), describeStall(l.worstBlocked)).toBeLessThan(1_000);
    }
    // /healthz from this process, less the time it waited for a CPU (before the fixes: 11.5 s of
    // wall time). The wall time itself is the machine's: 1.4 s at load 18 with nothing blocked.
    expect(worstUnqueued).toBeLessThan(1_000);
  }, 600_000); // 30 s on a quiet machine; 314 s at load 17

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
  it('a write retried after SQLITE_BUSY commits: another connection sees it and can take the lock', async () => {
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

  // Found with TOKENTRAIL_DB_TRACE_MS during the ingest: a webhook's INSERT committed on the
  // server and, the WAL past 1000 pages of the CLI's writes, checkpointed it inside the request
  // (145 ms of the loop blocked in I/O, none of it on a CPU).
  it("the server leaves WAL checkpoints to a thread of its own: another connection's writes reach the file without a server commit", async () => {
    const dbFile = join(s.dir, 'tokentrail.db');
    const setting = await s.database.client.execute('PRAGMA wal_autocheckpoint');
    expect(Number(Object.values(setting.rows[0])[0])).toBe(10_000);
    const writer = createClient({ url: `file:${dbFile}` });
    try {
      const before = statSync(dbFile).size;
      const tx = await writer.transaction('write');
      await tx.execute('PRAGMA wal_autocheckpoint = 0'); // this writer never checkpoints
      await tx.execute('CREATE TABLE bulk (b BLOB)');
      for (let i = 0; i < 40; i++) await tx.execute('INSERT INTO bulk (b) SELECT randomblob(4000) FROM (SELECT 1 FROM facts LIMIT 50)');
      await tx.commit();
      // 2,000 pages (8 MB), twice the autocheckpoint size, in the WAL and not in the file yet.
      expect(statSync(`${dbFile}-wal`).size).toBeGreaterThan(7_000_000);
      expect(statSync(dbFile).size - before).toBeLessThan(1_000_000);
      // The server makes no commit; its checkpointer thread (every second) copies them in.
      const t0 = performance.now();
      while (statSync(dbFile).size - before < 7_000_000 && performance.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
      console.log(`[hostile-busy-database] ${((statSync(dbFile).size - before) / 1e6).toFixed(1)} MB checkpointed into the file by the server's thread after ${(performance.now() - t0).toFixed(0)} ms`);
      expect(statSync(dbFile).size - before).toBeGreaterThan(7_000_000);
      await writer.execute('DROP TABLE bulk');
    } finally {
      writer.close();
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

      // The server's own deadline is the default 5 s, waited for without blocking its event loop
      // (the binding's busy_timeout would sleep in it for the whole wait).
      const loop = watchLoop();
      const probe = probeHealthz(own.url);
      const t1 = performance.now();
      const r = await request(own.url, '/v1/webhooks', { json: { url: 'http://127.0.0.1:9/hook/late' }, headers: { authorization: `Bearer ${TOKEN}` } });
      const serverWaited = performance.now() - t1;
      const { worstMs } = await probe.stop();
      const l = loop.stop();
      console.log(`[hostile-busy-database] a write waiting ${serverWaited.toFixed(0)} ms for the lock: worst /healthz ${worstMs.toFixed(0)} ms; longest loop stall ${describeStall(l.worstWall)}; most blocked ${describeStall(l.worstBlocked)}`);
      expect(r.status, r.text).toBe(503);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.headers.get('retry-after')).toBe('1');
      expect(serverWaited).toBeGreaterThan(4_500);
      if (l.schedstat) expect(blockedMs(l.worstBlocked), describeStall(l.worstBlocked)).toBeLessThan(200);
      expect(worstMs).toBeLessThan(1_000);
    } finally {
      await tx.rollback();
      holder.close();
      await own.close();
    }
  }, 60_000);
});
