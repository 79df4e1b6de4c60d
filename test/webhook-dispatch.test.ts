// The webhook dispatcher end to end: outbox rows (written by the real scrape pipeline or by
// writeEvents) → claims → signed POSTs to real HTTP receivers on 127.0.0.1 → retries on the
// schedule, driven by a controllable clock → failed / replay / disable. Plus the admin routes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import type { ChangeRecord } from '../src/timeline/queries.ts';
import deepseek from '../scrapers/deepseek/index.ts';
import { parseAllowList } from '../src/webhooks/address-policy.ts';
import { Dispatcher } from '../src/webhooks/dispatcher.ts';
import { newEvent, writeEvents, type OutboxEvent } from '../src/webhooks/outbox.ts';
import { MAX_ATTEMPTS } from '../src/webhooks/retry-schedule.ts';
import { createSubscription, getSubscription, listDeliveries, replayDelivery, rotateSecret } from '../src/webhooks/subscriptions.ts';
import { createApp } from '../api/app.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;
const policy = parseAllowList('127.0.0.1/32');

// ------------------------------------------------------------------------------ helpers

interface Seen {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** What the receiver answered. */
  answered: number | 'reset';
}

type Answer = (req: http.IncomingMessage, body: string) => number | 'reset' | { status: number; headers?: Record<string, string> };

const servers: http.Server[] = [];

async function receiver(answer: Answer = () => 200) {
  const seen: Seen[] = [];
  const state = { answer };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const a = state.answer(req, body);
      const h = req.headers as Record<string, string>;
      const record = (answered: Seen['answered']) =>
        seen.push({ id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'], body, answered });
      if (a === 'reset') {
        record('reset');
        req.socket.destroy();
        return;
      }
      const { status, headers } = typeof a === 'number' ? { status: a, headers: {} } : a;
      record(status);
      res.writeHead(status, headers).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    seen,
    set(a: Answer) {
      state.answer = a;
    },
    /** Requests answered 2xx, by webhook-id. */
    accepted: () => seen.filter((s) => typeof s.answered === 'number' && s.answered < 300),
  };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
});

const dirs: string[] = [];
const databases: Database[] = [];
async function tempDb(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-wh-'));
  dirs.push(dir);
  const d = await openDatabase({ url: `file:${join(dir, 'db.sqlite')}` });
  databases.push(d);
  return d;
}
afterAll(() => {
  for (const d of databases) d.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function clock(start = Date.now()) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = Math.max(t, v)), advance: (ms: number) => (t += ms) };
}

/** Drains, then jumps the clock to each next due retry until `until` (the retry schedule without waiting). */
async function runUntil(database: Database, d: Dispatcher, c: ReturnType<typeof clock>, until: number, each?: (t: number) => void | Promise<void>) {
  for (;;) {
    await d.drain();
    const next = await database.db.all<{ t: number | null }>(sql`SELECT min(next_attempt_at) AS t FROM deliveries WHERE status = 'pending'`);
    const t = next[0]?.t == null ? null : Number(next[0].t);
    if (t === null || t > until) break;
    c.set(t);
    await each?.(c.now());
  }
  c.set(until);
  await d.drain();
}

/** A change as the pipeline records it (toChangeRecord), for writeEvents. */
function change(model: string, before: number, after: number, at = '2026-06-01T00:00:00.000Z'): ChangeRecord {
  return {
    model,
    component: 'input',
    currency: 'USD',
    unit: '1M tokens',
    conditions: {},
    type: after < before ? 'price_cut' : 'price_increase',
    before: String(before),
    after: String(after),
    listBefore: String(before),
    listAfter: String(after),
    changePct: Math.round(((after - before) / before) * 10000) / 100,
    effectiveAt: at,
    announcedAt: null,
    detectedAt: at,
    detectedBetween: null,
    upcoming: false,
    sources: [{ url: `https://example.com/${model.split('/')[0]}/pricing` }],
  };
}

function changeEvent(c: ChangeRecord, now: number): OutboxEvent {
  const provider = c.model.split('/')[0];
  return newEvent('price.changed', provider, { provider, change: c }, now);
}

async function emit(database: Database, events: OutboxEvent[]) {
  await database.db.transaction((tx) => writeEvents(tx, events));
}

async function deliveryRows(database: Database, subscriptionId: string) {
  return database.db.all<{ id: string; status: string; attempts: number; event_id: string; last_error: string | null }>(
    sql`SELECT id, status, attempts, event_id, last_error FROM deliveries WHERE subscription_id = ${subscriptionId} ORDER BY created_at, id`,
  );
}

// ------------------------------------------------------------------------------ tests

describe('dispatcher', () => {
  it('delivers a signed Standard Webhooks message that the standardwebhooks library verifies; Slack gets {text}', async () => {
    const database = await tempDb();
    let secret = '';
    const verified: unknown[] = [];
    const r = await receiver((req, body) => {
      try {
        verified.push(new Webhook(secret).verify(body, req.headers as Record<string, string>));
        return 204;
      } catch {
        return 400;
      }
    });
    const slack = await receiver(() => 200);
    const sub = await createSubscription(database.db, { url: r.url }, { policy, now: Date.now() });
    secret = sub.secret;
    expect(secret).toMatch(/^whsec_/);
    await createSubscription(database.db, { url: slack.url, format: 'slack' }, { policy, now: Date.now() });

    const c = change('deepseek/deepseek-v4-pro', 1.74, 0.435);
    await emit(database, [changeEvent(c, Date.now())]);
    const d = new Dispatcher({ database, policy });
    expect(await d.drain()).toMatchObject({ attempted: 2, delivered: 2 });
    await d.stop();

    expect(r.seen.map((s) => s.answered)).toEqual([204]);
    expect(verified).toHaveLength(1);
    expect(verified[0]).toMatchObject({ type: 'price.changed', data: { provider: 'deepseek', change: { model: 'deepseek/deepseek-v4-pro', before: '1.74', after: '0.435', changePct: -75 } } });
    expect(Date.parse((verified[0] as { timestamp: string }).timestamp)).toBeGreaterThan(0);
    const [row] = await deliveryRows(database, sub.subscription.id);
    expect(r.seen[0].id).toBe(row.id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1 });

    const text = (JSON.parse(slack.seen[0].body) as { text: string }).text;
    expect(Object.keys(JSON.parse(slack.seen[0].body))).toEqual(['text']);
    expect(text).toContain('deepseek/deepseek-v4-pro');
    expect(text).toContain('1.74 → 0.435');
    expect(text).toContain('-75%');
  });

  it('during a secret rotation both the old and the new secret verify', async () => {
    const database = await tempDb();
    const r = await receiver(() => 200);
    const sub = await createSubscription(database.db, { url: r.url }, { policy, now: Date.now() });
    const rotated = await rotateSecret(database.db, sub.subscription.id, Date.now());
    expect(rotated.secret).not.toBe(sub.secret);
    expect(rotated.subscription.previousSecretExpiresAt).not.toBeNull();
    await emit(database, [changeEvent(change('xiaomi/mimo-v2-flash', 0.1, 0.09), Date.now())]);
    const d = new Dispatcher({ database, policy });
    await d.drain();
    await d.stop();
    const got = r.seen[0];
    const headers = { 'webhook-id': got.id, 'webhook-timestamp': got.timestamp, 'webhook-signature': got.signature };
    expect(got.signature.split(' ')).toHaveLength(2);
    expect(() => new Webhook(sub.secret).verify(got.body, headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(got.body, headers)).not.toThrow();
  });

  it('receiver down for 2 simulated hours, then up: 0 events lost, duplicates only with the same webhook-id, Retry-After honoured', async () => {
    const database = await tempDb();
    const c = clock();
    const t0 = c.now();
    // First hour: 503 with Retry-After: 1800. Second hour: connection reset. Then 200.
    const r = await receiver(() => (c.now() < t0 + H ? { status: 503, headers: { 'retry-after': '1800' } } : c.now() < t0 + 2 * H ? 'reset' : 200));
    const sub = await createSubscription(database.db, { url: r.url }, { policy, now: t0 });
    const events = Array.from({ length: 20 }, (_, i) => changeEvent(change(`deepseek/model-${i}`, 2, 1), t0));
    await emit(database, events);
    const d = new Dispatcher({ database, policy, now: c.now, concurrency: 4 });
    await runUntil(database, d, c, t0 + 6 * H);
    await d.stop();

    const rows = await deliveryRows(database, sub.subscription.id);
    expect(rows.every((x) => x.status === 'delivered')).toBe(true);
    // Every event arrived (0 lost) …
    const accepted = r.accepted();
    const eventIds = new Set(accepted.map((s) => (JSON.parse(s.body) as { data: { change: { model: string } } }).data.change.model));
    expect(eventIds.size).toBe(20);
    // … each event always under one webhook-id (the delivery id), however often it was sent.
    const idsByModel = new Map<string, Set<string>>();
    for (const s of r.seen) {
      const model = (JSON.parse(s.body) as { data: { change: { model: string } } }).data.change.model;
      idsByModel.set(model, (idsByModel.get(model) ?? new Set()).add(s.id));
    }
    expect([...idsByModel.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(new Set(r.seen.map((s) => s.id)).size).toBe(20);
    expect(r.seen.length).toBeGreaterThan(20); // there were retries
    expect(new Set(accepted.map((s) => s.id)).size).toBe(20);

    // Retry-After: 1800 postponed the second attempt to ≥ 30 min (the schedule alone says 5 s).
    const log = (await listDeliveries(database.db, sub.subscription.id, { limit: 1 })).data[0].attemptLog;
    expect(log[0].status).toBe(503);
    expect(Date.parse(log[1].at) - Date.parse(log[0].at)).toBeGreaterThanOrEqual(30 * MIN);
    expect(log.at(-1)!.ok).toBe(true);
    expect(Date.parse(log.at(-1)!.at)).toBeGreaterThanOrEqual(t0 + 2 * H);
  });

  it('after the last retry a delivery is failed; replay delivers it under the same webhook-id', async () => {
    const database = await tempDb();
    const c = clock();
    const r = await receiver(() => 500);
    const sub = await createSubscription(database.db, { url: r.url }, { policy, now: c.now() });
    await emit(database, [changeEvent(change('anthropic/claude-opus-4-6', 5, 4), c.now())]);
    const d = new Dispatcher({ database, policy, now: c.now });
    await runUntil(database, d, c, c.now() + 2 * DAY);

    const [row] = await deliveryRows(database, sub.subscription.id);
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, last_error: 'HTTP 500' });
    expect(r.seen).toHaveLength(MAX_ATTEMPTS);
    const page = await listDeliveries(database.db, sub.subscription.id);
    expect(page.data[0].attemptLog).toHaveLength(MAX_ATTEMPTS);
    // The schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±10% jitter).
    const at = page.data[0].attemptLog.map((a) => Date.parse(a.at));
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    [5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H].forEach((g, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(g * 0.9 - 1);
      expect(gaps[i]).toBeLessThanOrEqual(g * 1.1 + 1);
    });
    expect((await getSubscription(database.db, sub.subscription.id, c.now())).status).toBe('active');

    r.set(() => 200);
    const replayed = await replayDelivery(database.db, row.id, c.now());
    expect(replayed).toMatchObject({ status: 'pending', attempts: 0 });
    await d.drain();
    await d.stop();
    const [after] = await deliveryRows(database, sub.subscription.id);
    expect(after).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(r.seen.at(-1)!.answered).toBe(200);
    expect(new Set(r.seen.map((s) => s.id))).toEqual(new Set([row.id]));
  });

  it('410 Gone disables the endpoint at once, with the reason; it receives nothing more', async () => {
    const database = await tempDb();
    const r = await receiver(() => 410);
    const sub = await createSubscription(database.db, { url: r.url }, { policy, now: Date.now() });
    await emit(database, [changeEvent(change('deepseek/a', 2, 1), Date.now())]);
    const d = new Dispatcher({ database, policy, concurrency: 1 });
    await d.drain();
    const s = await getSubscription(database.db, sub.subscription.id, Date.now());
    expect(s.status).toBe('disabled');
    expect(s.disabledReason).toMatch(/410 Gone/);
    const [row] = await deliveryRows(database, sub.subscription.id);
    expect(row.status).toBe('failed');

    await emit(database, [changeEvent(change('deepseek/b', 2, 1), Date.now())]);
    await d.drain();
    await d.stop();
    expect(await deliveryRows(database, sub.subscription.id)).toHaveLength(1); // no new fan-out
    expect(r.seen).toHaveLength(1);
  });

  it('an endpoint failing continuously for 5 days is disabled, with the reason', async () => {
    const database = await tempDb();
    const c = clock();
    const t0 = c.now();
    const r = await receiver(() => 503);
    const ok = await receiver(() => 200);
    const sub = await createSubscription(database.db, { url: r.url }, { policy, now: t0 });
    const healthy = await createSubscription(database.db, { url: ok.url }, { policy, now: t0 });
    const d = new Dispatcher({ database, policy, now: c.now });
    // A change every 6 simulated hours; the endpoint never answers 2xx.
    for (let t = t0; t <= t0 + 6 * DAY; t += 6 * H) {
      c.set(t);
      if ((await getSubscription(database.db, sub.subscription.id, t)).status === 'active') {
        await emit(database, [changeEvent(change(`deepseek/m-${t}`, 2, 1), t)]);
      }
      await runUntil(database, d, c, t + 6 * H - 1);
    }
    await d.stop();
    const s = await getSubscription(database.db, sub.subscription.id, c.now());
    expect(s.status).toBe('disabled');
    expect(s.disabledReason).toMatch(/failing continuously since .* \(5 days without a successful delivery\)/);
    const attempts = await database.db.all<{ at: number }>(sql`SELECT max(a.at) AS at FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = ${sub.subscription.id}`);
    expect(Number(attempts[0].at) - t0).toBeGreaterThanOrEqual(5 * DAY);
    expect(Number(attempts[0].at) - t0).toBeLessThan(5 * DAY + 12 * H);
    expect((await deliveryRows(database, sub.subscription.id)).some((x) => x.status === 'pending')).toBe(false);
    // The healthy endpoint was never affected.
    expect((await getSubscription(database.db, healthy.subscription.id, c.now())).status).toBe('active');
    expect((await deliveryRows(database, healthy.subscription.id)).every((x) => x.status === 'delivered')).toBe(true);
  });

  it('filters: a subscriber to xiaomi only receives nothing for DeepSeek changes from the real pipeline; minChangePct 50 skips a 10% move', async () => {
    const database = await tempDb();
    const xiaomi = await receiver();
    const everything = await receiver();
    const big = await receiver();
    const xs = await createSubscription(database.db, { url: xiaomi.url, filter: { providers: ['xiaomi'] } }, { policy, now: Date.now() });
    const es = await createSubscription(database.db, { url: everything.url }, { policy, now: Date.now() });
    const bs = await createSubscription(database.db, { url: big.url, filter: { minChangePct: 50, types: ['price.changed'] } }, { policy, now: Date.now() });

    // Two observations of DeepSeek's Chinese pricing page (V3.2 in January, V4 in July).
    const page = deepseek.pages.find((p) => p.lang === 'zh')!;
    const dir = new URL('../scrapers/deepseek/fixtures/', import.meta.url);
    for (const [file, at] of [
      ['deepseek-zh-2026-01-30-windgraham-pandoc.md', '2026-01-30T00:00:00Z'],
      ['deepseek-zh-2026-07-html-fragment.html', '2026-07-01T00:00:00Z'],
    ]) {
      const run = await ingestPage(database, { scraper: deepseek, url: page.url, body: readFileSync(new URL(file, dir)), observedAt: Date.parse(at), emitEvents: true, confirmed: true });
      expect(run.outcome).toBe('ok');
    }
    const deepseekEvents = await database.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM events WHERE provider = 'deepseek'`);
    // One model.added per new model (not one per line), plus the price changes.
    expect(Number(deepseekEvents[0].n)).toBeGreaterThan(3);

    // A 10% and a 60% move.
    const small = change('anthropic/claude-sonnet-4-5', 3, 2.7);
    const large = change('anthropic/claude-opus-4-1', 15, 6);
    expect(small.changePct).toBe(-10);
    await emit(database, [changeEvent(small, Date.now()), changeEvent(large, Date.now())]);

    const d = new Dispatcher({ database, policy });
    await d.drain();
    await d.stop();

    expect(await deliveryRows(database, xs.subscription.id)).toHaveLength(0);
    expect(xiaomi.seen).toHaveLength(0);
    expect(everything.accepted().length).toBe(Number(deepseekEvents[0].n) + 2);
    expect((await deliveryRows(database, es.subscription.id)).every((x) => x.status === 'delivered')).toBe(true);
    // minChangePct 50 (and only price.changed): the DeepSeek price_added/removed changes carry no
    // percentage and pass; the 10% move does not, the 60% one does.
    const bigModels = big.seen.map((s) => (JSON.parse(s.body) as { data: { change: { model: string } } }).data.change.model);
    expect(bigModels).toContain('anthropic/claude-opus-4-1');
    expect(bigModels).not.toContain('anthropic/claude-sonnet-4-5');
    expect(big.seen.every((s) => (JSON.parse(s.body) as { type: string }).type === 'price.changed')).toBe(true);
    expect(bs.subscription.filter).toEqual({ minChangePct: 50, types: ['price.changed'] });
  });
});

describe('admin routes /v1/webhooks', () => {
  const TOKEN = 'test-admin-token-0123456789';
  const auth = { authorization: `Bearer ${TOKEN}` };
  let database: Database;
  beforeAll(async () => {
    process.env.TOKENTRAIL_WEBHOOK_ALLOW = '127.0.0.1/32';
    database = await tempDb();
  });

  const call = async (app: ReturnType<typeof createApp>, method: string, path: string, body?: unknown, headers: Record<string, string> = auth) => {
    const res = await app.request(path, {
      method,
      headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: text ? (JSON.parse(text) as any) : null };
  };

  it('are disabled (403 problem+json) when TOKENTRAIL_ADMIN_TOKEN is unset', async () => {
    const app = createApp({ database, adminToken: '', cache: false });
    for (const [m, p] of [['GET', '/v1/webhooks'], ['POST', '/v1/webhooks'], ['POST', '/v1/webhooks/deliveries/dlv_x/replay']] as const) {
      const r = await call(app, m, p, m === 'POST' ? { url: 'http://127.0.0.1:9/h' } : undefined);
      expect(r.status).toBe(403);
      expect(r.type).toContain('application/problem+json');
      expect(r.body.detail).toMatch(/TOKENTRAIL_ADMIN_TOKEN/);
    }
  });

  it('refuse without the token or with a wrong one (401 problem+json)', async () => {
    const app = createApp({ database, adminToken: TOKEN, cache: false });
    expect((await call(app, 'POST', '/v1/webhooks', { bad: 1 }, {})).status).toBe(401); // no validation details before auth
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: TOKEN }] as Record<string, string>[]) {
      const r = await call(app, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/h' }, headers);
      expect(r.status).toBe(401);
      expect(r.type).toContain('application/problem+json');
      expect(r.text).not.toContain('whsec_');
    }
    expect((await call(app, 'GET', '/v1/webhooks', undefined, {})).status).toBe(401);
  });

  it('manage a subscription: the secret is shown once; unsafe URLs are 422; test, deliveries, replay, patch, delete', async () => {
    const app = createApp({ database, adminToken: TOKEN, cache: false, rateLimits: { writes: false } });
    const r = await receiver(() => 200);

    const created = await call(app, 'POST', '/v1/webhooks', { url: r.url, description: 'ci', filter: { providers: ['deepseek'] } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body).toMatchObject({ url: r.url, description: 'ci', format: 'standard', status: 'active', filter: { providers: ['deepseek'] } });
    const id = created.body.id as string;
    const secret = created.body.secret as string;

    const list = await call(app, 'GET', '/v1/webhooks');
    expect(list.status).toBe(200);
    expect(list.body.data.map((s: { id: string }) => s.id)).toContain(id);
    const one = await call(app, 'GET', `/v1/webhooks/${id}`);
    for (const t of [list.text, one.text]) {
      expect(t).not.toContain(secret);
      expect(t).not.toContain('whsec_');
    }

    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/hook', 'http://[::1]:8080/', 'ftp://example.com/x', 'http://0x7f000002/']) {
      const bad = await call(app, 'POST', '/v1/webhooks', { url });
      expect(bad.status, url).toBe(422);
      expect(bad.type).toContain('application/problem+json');
      expect(bad.body.field).toBe('url');
    }
    const invalid = await call(app, 'POST', '/v1/webhooks', { url: r.url, filter: { providers: 'deepseek' } });
    expect(invalid.status).toBe(400);
    expect((await call(app, 'POST', '/v1/webhooks', { url: r.url, extra: 1 })).status).toBe(400);
    expect((await call(app, 'GET', '/v1/webhooks/whk_missing')).status).toBe(404);

    // Test event: delivered now, verifies with the secret shown at creation.
    const test = await call(app, 'POST', `/v1/webhooks/${id}/test`);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ delivered: true, delivery: { status: 'delivered', eventType: 'webhook.test', attempts: 1 } });
    const got = r.seen.at(-1)!;
    expect(got.id).toBe(test.body.deliveryId);
    expect(new Webhook(secret).verify(got.body, { 'webhook-id': got.id, 'webhook-timestamp': got.timestamp, 'webhook-signature': got.signature })).toMatchObject({ type: 'webhook.test' });

    const deliveries = await call(app, 'GET', `/v1/webhooks/${id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data[0]).toMatchObject({ id: test.body.deliveryId, status: 'delivered', attemptLog: [{ attempt: 1, status: 200, ok: true }] });

    const replay = await call(app, 'POST', `/v1/webhooks/deliveries/${test.body.deliveryId}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await call(app, 'POST', '/v1/webhooks/deliveries/dlv_nope/replay')).status).toBe(404);

    const rotated = await call(app, 'POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    expect((await call(app, 'GET', `/v1/webhooks/${id}`)).text).not.toContain('whsec_');

    const patched = await call(app, 'PATCH', `/v1/webhooks/${id}`, { filter: { minChangePct: 20 }, format: 'slack', status: 'disabled' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ filter: { minChangePct: 20 }, format: 'slack', status: 'disabled' });
    expect((await call(app, 'POST', `/v1/webhooks/${id}/test`)).status).toBe(422);
    expect((await call(app, 'PATCH', `/v1/webhooks/${id}`, { url: 'http://192.168.1.1/' })).status).toBe(422);
    expect((await call(app, 'PATCH', `/v1/webhooks/${id}`, { status: 'active' })).body).toMatchObject({ status: 'active', disabledReason: null });

    expect((await call(app, 'DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await call(app, 'GET', `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await call(app, 'GET', `/v1/webhooks/${id}/deliveries`)).status).toBe(404);

    const doc = await call(app, 'GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/webhooks', '/v1/webhooks/{id}', '/v1/webhooks/{id}/test', '/v1/webhooks/{id}/rotate-secret', '/v1/webhooks/{id}/deliveries', '/v1/webhooks/deliveries/{id}/replay']));
  });
});
