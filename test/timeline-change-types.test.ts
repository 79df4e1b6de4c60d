// Change types beyond removal and addition, on real data:
// - announcement_withdrawn: Anthropic's Sonnet 5 rise to $3/$15 "starting September 1", announced
//   in July 2026 and no longer on a later August copy — in the feed (data/ and /v1/changes), and
//   one signed price.announcement_withdrawn delivery per withdrawn line when the real dated copies
//   are replayed through the pipeline;
// - split: DeepSeek's flat CNY price becoming peak / off-peak on 2026-08-17 is one change per line;
// - model events: one model.added per new model, carrying its lines.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import anthropic from '../scrapers/anthropic/index.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { fixtureBody, listFixtures } from '../src/scrape/fixtures.ts';
import { changes, knownFacts, toChangeRecord, type ChangeRecord } from '../src/timeline/queries.ts';
import { deriveChanges } from '../src/timeline/changes.ts';
import { eventsForChanges, matchesFilter } from '../src/webhooks/outbox.ts';
import { formatChangeText } from '../src/webhooks/slack.ts';
import { slackBody } from '../src/webhooks/body.ts';
import { Dispatcher } from '../src/webhooks/dispatcher.ts';
import { parseAllowList } from '../src/webhooks/address-policy.ts';
import { createSubscription } from '../src/webhooks/subscriptions.ts';
import { freshDatabase } from './helpers/db.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';
import type { Database } from '../src/db/client.ts';
import type { ProviderDataset } from '../src/model.ts';
import { DATA_DIR } from './helpers/cli.ts';

const SONNET_5 = 'anthropic/claude-sonnet-5';
const SEPT_1 = '2026-09-01T00:00:00Z';
// What data/ records for the withdrawn base input price: when it became known and when it stopped.
const announcedFact = (JSON.parse(readFileSync(join(DATA_DIR, 'anthropic.json'), 'utf8')) as ProviderDataset).facts.find(
  (f) => f.model === SONNET_5 && f.component === 'input' && Object.keys(f.conditions).length === 0 && f.validFrom === SEPT_1 && f.supersededAt,
)!;
const iso = (s: string) => new Date(s).toISOString();
const WITHDRAWN_AT = iso(announcedFact.supersededAt!);
const base = (c: ChangeRecord) => Object.keys(c.conditions).length === 0;

describe('announcement_withdrawn on data/', () => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase({ seed: true });
  });
  afterAll(() => d?.close());

  it('as known after the 2026-08-11 page, the Sept 1 rise is withdrawn: announced before/after, announcedAt, withdrawnAt', async () => {
    expect(announcedFact, 'data/ holds the superseded Sept 1 rise').toBeDefined();
    // The 2026-08-11 copy is the first to say the rise "will not occur" (its archive commit time).
    expect(WITHDRAWN_AT).toBe('2026-08-11T16:46:56.000Z');
    const r = await changes(d.db, { model: SONNET_5, type: ['announcement_withdrawn'], asOf: Date.parse(WITHDRAWN_AT), limit: 1000 });
    const input = r.data.find((c) => c.component === 'input' && base(c))!;
    expect(input).toMatchObject({
      type: 'announcement_withdrawn',
      currency: 'USD',
      before: '2',
      after: '3',
      changePct: 50,
      effectiveAt: '2026-09-01T00:00:00.000Z',
      announcedAt: iso(announcedFact.announcedAt ?? announcedFact.recordedAt),
      withdrawnAt: WITHDRAWN_AT,
      detectedAt: WITHDRAWN_AT,
      upcoming: false,
    });
    expect(formatChangeText(input)).toContain('announced change withdrawn');
    expect(formatChangeText(input)).toContain('was to go 2 → 3 USD / 1M tokens (+50%)');
    expect(formatChangeText(input)).toContain('withdrawn: 2026-08-11 16:46 UTC');
    const output = r.data.find((c) => c.component === 'output' && base(c))!;
    expect([output.before, output.after]).toEqual(['10', '15']);
    // Every withdrawn line of the page: base, batch, US-only and cache prices, none twice.
    const keys = r.data.map((c) => `${c.component} ${JSON.stringify(c.conditions)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(r.data.length).toBe(12);
    // It will not happen, so it is never upcoming.
    const upcoming = await changes(d.db, { model: SONNET_5, upcoming: true, asOf: Date.parse(WITHDRAWN_AT), limit: 1000 });
    expect(upcoming.data).toEqual([]);
  });

  it('as known before the withdrawal there is the announced rise and no withdrawal', async () => {
    const r = await changes(d.db, { model: SONNET_5, asOf: Date.parse(WITHDRAWN_AT) - 1, limit: 1000 });
    expect(r.data.some((c) => c.type === 'announcement_withdrawn')).toBe(false);
    expect(r.data.find((c) => c.component === 'input' && base(c) && c.effectiveAt === '2026-09-01T00:00:00.000Z')).toMatchObject({ type: 'price_increase', upcoming: true });
  });

  it("DeepSeek's flat CNY price becoming peak / off-peak on 2026-08-17 is one split per line, listing the new lines", async () => {
    const r = await changes(d.db, { model: 'deepseek/deepseek-v4-pro', currency: 'CNY', since: Date.parse('2026-08-16T00:00:00Z'), until: Date.parse('2026-08-18T00:00:00Z'), asOf: Date.now(), limit: 1000 });
    expect(r.data.map((c) => `${c.component} ${c.type}`).sort()).toEqual(['cache_read split', 'input split', 'output split']);
    const input = r.data.find((c) => c.component === 'input')!;
    expect(input).toMatchObject({ conditions: {}, before: '3', after: null, changePct: null });
    expect(input.into!.map((x) => [x.conditions.hours!.label, x.after])).toEqual([
      ['off-peak', '4.5'],
      ['peak', '9'],
    ]);
    expect(input.into![1].conditions.hours!.tz).toBe('Asia/Shanghai');
    expect(formatChangeText(input)).toContain('3 → 4.5 (off-peak hours 00:00–09:00, 12:00–14:00, 18:00–24:00 Asia/Shanghai), 9 (peak hours');
  });
});

describe('GET /v1/changes shows withdrawals', () => {
  let s: SeededServer;
  beforeAll(async () => {
    s = await startSeededServer();
  });
  afterAll(async () => s?.close());

  it('?type=announcement_withdrawn&model=…', async () => {
    const r = await request(s.url, `/v1/changes?type=announcement_withdrawn&model=${encodeURIComponent(SONNET_5)}&asOf=${WITHDRAWN_AT}`);
    expect(r.status).toBe(200);
    expect(r.body.data.length).toBe(12);
    expect(r.body.data.every((c: ChangeRecord) => c.type === 'announcement_withdrawn' && c.withdrawnAt === WITHDRAWN_AT)).toBe(true);
  });
});

describe('the pipeline emits price.announcement_withdrawn when a page drops an announced change', () => {
  const policy = parseAllowList('127.0.0.1/32');
  let server: http.Server;
  const seen: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('replaying the real Anthropic pages delivers one signed event per withdrawn line', async () => {
    const d = await freshDatabase();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const sub = await createSubscription(d.db, { url, filter: { types: ['price.announcement_withdrawn'], models: [SONNET_5], components: ['input'] } }, { policy, now: Date.now() });
    const pages = listFixtures('anthropic').sort((a, b) => Date.parse(a.meta.date) - Date.parse(b.meta.date));
    const runs = [];
    for (const p of pages)
      runs.push(await ingestPage(d, { scraper: anthropic, url: p.meta.url, body: Buffer.from(fixtureBody(p)), observedAt: Date.parse(p.meta.date), confirmed: true, emitEvents: true }));
    // Exactly one copy withdraws the rise (of the 31 real copies: 2026-08-11, the first without it),
    // every line at once, at that copy's instant, after the copy that announced it.
    const withdrawing = runs.map((r, i) => ({ i, w: r.changes.filter((c) => c.type === 'announcement_withdrawn') })).filter((x) => x.w.length);
    expect(withdrawing).toHaveLength(1);
    const [{ i, w }] = withdrawing;
    expect(w).toHaveLength(12);
    const at = new Date(Date.parse(pages[i].meta.date)).toISOString();
    expect(w.every((c) => c.withdrawnAt === at && c.model === SONNET_5 && c.effectiveAt === iso(SEPT_1))).toBe(true);
    const announcing = runs.findIndex((r) => r.changes.some((c) => c.model === SONNET_5 && c.effectiveAt === iso(SEPT_1)));
    expect(announcing).toBeGreaterThanOrEqual(0);
    expect(announcing).toBeLessThan(i);
    const dispatcher = new Dispatcher({ database: d, policy });
    await dispatcher.drain();
    await dispatcher.stop();
    const wh = new Webhook(sub.secret);
    const events = seen.map((x) => wh.verify(x.body, { 'webhook-id': String(x.headers['webhook-id']), 'webhook-timestamp': String(x.headers['webhook-timestamp']), 'webhook-signature': String(x.headers['webhook-signature']) }) as { type: string; data: { change: ChangeRecord } });
    // Input lines withdrawn: base, batch and US-only — one delivery each, nothing else.
    expect(events.map((e) => `${e.type} ${JSON.stringify(e.data.change.conditions)}`).sort()).toEqual([
      'price.announcement_withdrawn {"serviceTier":"batch"}',
      'price.announcement_withdrawn {"variant":"us-only"}',
      'price.announcement_withdrawn {}',
    ]);
    expect(events.find((e) => base(e.data.change))!.data.change).toMatchObject({ before: '2', after: '3', withdrawnAt: at });
    d.close();
  });
});

describe('model events', () => {
  it('three new models give three model.added events, each carrying its lines', async () => {
    const d = await freshDatabase({ seed: true });
    const models = ['xiaomi/mimo-v2.5-pro', 'xiaomi/mimo-v2.5', 'moonshot/kimi-latest'];
    const asOf = Date.now();
    const facts = (await Promise.all(models.map((m) => knownFacts(d.db, { model: m }, asOf)))).flat().filter((f) => f.supersededAt === null);
    const firstStart = new Map<string, number>();
    for (const f of facts) firstStart.set(f.model, Math.min(firstStart.get(f.model) ?? Infinity, f.validFrom));
    // The changes each model was added with: its first prices.
    const added = deriveChanges(facts)
      .filter((c) => c.effectiveAt === firstStart.get(c.model))
      .map((c) => toChangeRecord(c, Date.now()));
    expect(added.length).toBeGreaterThan(3);
    const events = eventsForChanges('test', added, { createdModels: new Set(models), liveModels: new Set(models), now: Date.now() });
    expect(events.map((e) => e.type)).toEqual(['model.added', 'model.added', 'model.added']);
    expect(events.map((e) => e.data.model).sort()).toEqual([...models].sort());
    expect(events.reduce((n, e) => n + e.data.changes!.length, 0)).toBe(added.length);
    // Filters see a model event through its model and its lines.
    const kimi = events.find((e) => e.data.model === 'moonshot/kimi-latest')!;
    expect(matchesFilter({ models: ['moonshot/kimi-latest'] }, kimi)).toBe(true);
    expect(matchesFilter({ models: ['xiaomi/mimo-v2.5'] }, kimi)).toBe(false);
    expect(matchesFilter({ components: ['output'] }, kimi)).toBe(true);
    expect(matchesFilter({ types: ['model.added'] }, kimi)).toBe(true);
    const slack = JSON.parse(slackBody({ ...kimi, data: kimi.data as Record<string, unknown> })).text as string;
    expect(slack.split('\n')[0]).toBe(':new: New model *moonshot/kimi-latest*');
    // A model that lost its last live price: one model.removed.
    const removed = added.map((c) => ({ ...c, type: 'price_removed' as const, before: c.after, after: null }));
    const gone = eventsForChanges('test', removed, { createdModels: new Set(), liveModels: new Set(), now: Date.now() });
    expect(gone.map((e) => e.type)).toEqual(['model.removed', 'model.removed', 'model.removed']);
    d.close();
  });
});
