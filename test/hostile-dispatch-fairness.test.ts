// Issue #16 case 7: hanging webhook receivers cannot starve healthy ones. The dispatcher runs at
// most one POST per endpoint at a time (by default), so 40 hanging endpoints hold 40 POSTs, not
// every slot, and the healthy endpoint is delivered at once. Real receivers on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllowList } from '../src/webhooks/address-policy.ts';
import { Dispatcher } from '../src/webhooks/dispatcher.ts';
import { createSubscription, queueTestEvent } from '../src/webhooks/subscriptions.ts';
import { freshDatabase } from './helpers/db.ts';

const policy = parseAllowList('127.0.0.1/32');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A receiver that reads the request and then never answers (or answers after `delayMs`). */
async function receiver(opts: { hang?: boolean; delayMs?: number } = {}) {
  const sockets = new Set<Socket>();
  const state = { received: 0, inFlight: 0, maxInFlight: 0, firstAt: 0 };
  const server = http.createServer((req, res) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    req.resume();
    req.on('end', () => {
      state.received++;
      state.firstAt ||= performance.now();
      if (opts.hang) return;
      setTimeout(() => {
        state.inFlight--;
        res.writeHead(204).end();
      }, opts.delayMs ?? 0);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, state };
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return cond();
}

describe('dispatcher fairness', () => {
  it('40 hanging endpoints + 1 healthy: the healthy one is delivered within 2 s', async () => {
    const database = await freshDatabase();
    closers.push(async () => database.close());
    const hanging = await Promise.all(Array.from({ length: 40 }, () => receiver({ hang: true })));
    const healthy = await receiver();
    // Hanging subscriptions first: their deliveries are due first.
    const subs = [];
    for (const h of hanging) subs.push(await createSubscription(database.db, { url: h.url }, { policy, now: Date.now() }));
    subs.push(await createSubscription(database.db, { url: healthy.url }, { policy, now: Date.now() }));
    const now = Date.now();
    for (const s of subs) await queueTestEvent(database.db, s.subscription.id, now);

    const d = new Dispatcher({ database, policy, timeoutMs: 4_000 });
    const t0 = performance.now();
    d.start();
    const delivered = await waitFor(() => healthy.state.received > 0, 5_000);
    const ms = healthy.state.firstAt - t0;
    console.log(`[hostile-dispatch-fairness] healthy endpoint delivered after ${delivered ? ms.toFixed(0) : '> 5000'} ms with 40 hanging endpoints`);
    await d.stop();
    expect(delivered).toBe(true);
    expect(ms).toBeLessThan(2_000);
  }, 30_000);

  it('one endpoint gets one POST at a time, however many deliveries it has due', async () => {
    const database = await freshDatabase();
    closers.push(async () => database.close());
    const slow = await receiver({ delayMs: 50 });
    const { subscription } = await createSubscription(database.db, { url: slow.url }, { policy, now: Date.now() });
    for (let i = 0; i < 6; i++) await queueTestEvent(database.db, subscription.id, Date.now());
    const d = new Dispatcher({ database, policy });
    const stats = await d.drain();
    await d.stop();
    expect(stats.delivered).toBe(6);
    expect(slow.state.maxInFlight).toBe(1);
  }, 30_000);
});
