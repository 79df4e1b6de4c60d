// At-least-once across a crash: a worker process (a child running the dispatcher on a real libsql
// file) is killed with SIGKILL while deliveries are pending and in flight. After a restart every
// event arrives; a delivery sent twice (in flight at the kill) carries the same webhook-id.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, PACKAGE_ROOT, type Database } from '../src/db/client.ts';
import { parseAllowList } from '../src/webhooks/address-policy.ts';
import { newEvent, writeEvents } from '../src/webhooks/outbox.ts';
import { createSubscription } from '../src/webhooks/subscriptions.ts';

const EVENTS = 60;
const mod = (p: string) => pathToFileURL(resolve(PACKAGE_ROOT, p)).href;

// The worker: the real dispatcher in its own process, short claims so the restart need not wait long.
const WORKER = `
import { openDatabase } from ${JSON.stringify(mod('src/db/client.ts'))};
import { parseAllowList } from ${JSON.stringify(mod('src/webhooks/address-policy.ts'))};
import { Dispatcher } from ${JSON.stringify(mod('src/webhooks/dispatcher.ts'))};
const database = await openDatabase({ url: process.env.DB_URL });
const d = new Dispatcher({ database, policy: parseAllowList('127.0.0.1/32'), concurrency: 4, claimTtlMs: 1500, pollIntervalMs: 50 });
d.start();
process.stdout.write('ready\\n');
`;

const dir = mkdtempSync(join(tmpdir(), 'tokentrail-crash-'));
const children: ChildProcess[] = [];
let database: Database | undefined;
let server: http.Server | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  database?.close();
  if (server) await new Promise<void>((r) => (server!.closeAllConnections(), server!.close(() => r())));
  rmSync(dir, { recursive: true, force: true });
});

function startWorker(dbUrl: string, script: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, DB_URL: dbUrl, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolvePromise(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code}): ${err}`)));
  });
}

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kill -9 of a worker with deliveries pending', () => {
  it('after a restart every pending event is delivered; duplicates only under the same webhook-id', async () => {
    // The receiver takes 80 ms per request, so the kill lands with deliveries in flight.
    const received: { id: string; model: string }[] = [];
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const model = (JSON.parse(body) as { data: { change: { model: string } } }).data.change.model;
        setTimeout(() => {
          received.push({ id: String(req.headers['webhook-id']), model });
          res.writeHead(200).end();
        }, 80);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const dbUrl = `file:${join(dir, 'db.sqlite')}`;
    database = await openDatabase({ url: dbUrl });
    await createSubscription(database.db, { url }, { policy: parseAllowList('127.0.0.1/32'), now: Date.now() });
    const now = Date.now();
    const events = Array.from({ length: EVENTS }, (_, i) =>
      newEvent('price.changed', 'deepseek', { provider: 'deepseek', change: { model: `deepseek/m-${i}` } as never }, now),
    );
    await database.db.transaction((tx) => writeEvents(tx, events));
    const script = join(dir, 'worker.mts');
    writeFileSync(script, WORKER);

    const first = await startWorker(dbUrl, script);
    await waitFor(() => received.length >= 12, 20_000, 'the first deliveries');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const counts = async () =>
      Object.fromEntries(
        (await database!.db.all<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM deliveries GROUP BY status`)).map((r) => [r.status, Number(r.n)]),
      ) as Record<string, number>;
    const atKill = await counts();
    // Work was left: pending rows, and rows claimed by the dead worker.
    expect((atKill.pending ?? 0) + (atKill.delivering ?? 0)).toBeGreaterThan(0);
    expect(atKill.delivered ?? 0).toBeLessThan(EVENTS);

    const second = await startWorker(dbUrl, script);
    await waitFor(async () => (await counts()).delivered === EVENTS, 30_000, 'every delivery after the restart');
    second.kill('SIGTERM');

    // Requests in flight at the kill reached the receiver but were never recorded: sent again.
    expect(received.length).toBeGreaterThanOrEqual(EVENTS);
    const ids = new Set(received.map((r) => r.id));
    expect(ids.size).toBe(EVENTS);
    expect(new Set(received.map((r) => r.model)).size).toBe(EVENTS);
    const idByModel = new Map<string, Set<string>>();
    for (const r of received) idByModel.set(r.model, (idByModel.get(r.model) ?? new Set()).add(r.id));
    expect([...idByModel.values()].every((s) => s.size === 1)).toBe(true);
    const rows = await database.db.all<{ id: string }>(sql`SELECT id FROM deliveries`);
    expect(new Set(rows.map((r) => r.id))).toEqual(ids);
  });
});
