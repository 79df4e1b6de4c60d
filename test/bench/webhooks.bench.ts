// Webhook fan-out benchmark: one price change fanned out to 1,000 subscriptions whose endpoints are
// a few real HTTP servers on 127.0.0.1; the real outbox (writeEvents), dispatcher (claims, signing,
// guarded connections, attempt log) and a libsql file. Goal: the last delivery < 2 s after the
// change is committed.
//   npx tsx test/bench/webhooks.bench.ts [--subscriptions 1000] [--receivers 4] [--concurrency 16]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.ts';
import type { ChangeRecord } from '../../src/timeline/queries.ts';
import { parseAllowList } from '../../src/webhooks/address-policy.ts';
import { Dispatcher } from '../../src/webhooks/dispatcher.ts';
import { newEvent, writeEvents } from '../../src/webhooks/outbox.ts';
import { createSubscription } from '../../src/webhooks/subscriptions.ts';

export interface WebhookBenchOptions {
  subscriptions?: number;
  receivers?: number;
  concurrency?: number;
}

export interface WebhookBenchResult {
  subscriptions: number;
  receivers: number;
  concurrency: number;
  /** writeEvents: the event row and one delivery row per subscription, one transaction. */
  fanOutMs: number;
  /** From the commit of the change to the last 2xx received by a receiver. */
  timeToLastDeliveryMs: number;
  deliveriesPerSecond: number;
  delivered: number;
  /** Each subscription received the event exactly once. */
  exactlyOnce: boolean;
  goalMet: boolean;
}

const CHANGE: ChangeRecord = {
  model: 'deepseek/deepseek-v4-pro',
  component: 'input',
  currency: 'USD',
  unit: '1M tokens',
  conditions: {},
  type: 'price_cut',
  before: '1.74',
  after: '0.435',
  listBefore: '1.74',
  listAfter: '1.74',
  changePct: -75,
  effectiveAt: '2026-05-26T16:00:00.000Z',
  announcedAt: '2026-05-22T00:00:00.000Z',
  detectedAt: '2026-05-22T06:00:00.000Z',
  detectedBetween: null,
  upcoming: false,
  sources: [{ url: 'https://api-docs.deepseek.com/quick_start/pricing' }],
};

export async function runWebhookBench(o: WebhookBenchOptions = {}): Promise<WebhookBenchResult> {
  const subscriptions = o.subscriptions ?? 1000;
  const receiverCount = o.receivers ?? 4;
  const concurrency = o.concurrency ?? 16;
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-whbench-'));
  const database = await openDatabase({ url: `file:${join(dir, 'bench.db')}` });
  const policy = parseAllowList('127.0.0.1/32');

  const received = new Map<string, number>();
  let lastAt = 0;
  const servers = await Promise.all(
    Array.from({ length: receiverCount }, async () => {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received.set(req.url!, (received.get(req.url!) ?? 0) + 1);
          lastAt = performance.now();
          res.writeHead(204).end();
        });
      });
      server.keepAliveTimeout = 10_000;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return server;
    }),
  );
  try {
    const ports = servers.map((s) => (s.address() as AddressInfo).port);
    for (let i = 0; i < subscriptions; i++) {
      await createSubscription(database.db, { url: `http://127.0.0.1:${ports[i % ports.length]}/hook/${i}` }, { policy, now: Date.now() });
    }
    const dispatcher = new Dispatcher({ database, policy, concurrency });

    const t0 = performance.now();
    await database.db.transaction((tx) => writeEvents(tx, [newEvent('price.changed', 'deepseek', { provider: 'deepseek', change: CHANGE }, Date.now())]));
    const committed = performance.now();
    const stats = await dispatcher.drain();
    await dispatcher.stop();

    const deliveredRows = await database.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'`);
    const timeToLast = lastAt - committed;
    return {
      subscriptions,
      receivers: receiverCount,
      concurrency,
      fanOutMs: Math.round(committed - t0),
      timeToLastDeliveryMs: Math.round(timeToLast),
      deliveriesPerSecond: Math.round((stats.delivered / timeToLast) * 1000),
      delivered: Number(deliveredRows[0].n),
      exactlyOnce: received.size === subscriptions && [...received.values()].every((n) => n === 1),
      goalMet: timeToLast < 2000,
    };
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const r = await runWebhookBench({ subscriptions: arg('subscriptions'), receivers: arg('receivers'), concurrency: arg('concurrency') });
  console.log(JSON.stringify(r, null, 2));
}
