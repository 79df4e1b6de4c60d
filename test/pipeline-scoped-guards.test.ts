// A page is trusted part by part. Mutations of real pages through the real pipeline (libsql files):
// a section the parser did not read is never a removal (the run is partial and says so); a
// vanished model holds only that model; new models on a page suspect for another reason are taken.
import { describe, expect, it } from 'vitest';
import anthropic from '../scrapers/anthropic/index.ts';
import openai from '../scrapers/openai/index.ts';
import type { ParseResult } from '../src/model.ts';
import type { Scraper } from '../src/scrape/contract.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { fixtureBody, listFixtures } from '../src/scrape/fixtures.ts';
import { changes, priceSheet } from '../src/timeline/queries.ts';
import { freshDatabase, factCount } from './helpers/db.ts';

const anthropicPages = listFixtures('anthropic').sort((a, b) => Date.parse(a.meta.date) - Date.parse(b.meta.date));
const page = (date: string) => anthropicPages.find((p) => p.meta.date.startsWith(date))!;
const day = 86_400_000;

async function eventTypes(d: Awaited<ReturnType<typeof freshDatabase>>): Promise<string[]> {
  return (await d.client.execute('SELECT type FROM events ORDER BY created_at, id')).rows.map((r) => String(r.type));
}

/** A scraper whose parse is the real one followed by `edit` (for parse results built from real pages' output). */
const editedParse = (s: Scraper, edit: (r: ParseResult) => ParseResult): Scraper => ({ ...s, parse: (text, ctx) => edit(s.parse(text, ctx)) });

describe('an unread section is never a removal', () => {
  it("Anthropic's 08-21 page without its batch rows, reported as an unread section: partial, scraper.degraded, 0 removals", async () => {
    const d = await freshDatabase();
    const p = page('2026-08-21');
    const at = Date.parse(p.meta.date);
    expect((await ingestPage(d, { scraper: anthropic, url: p.meta.url, body: Buffer.from(fixtureBody(p)), observedAt: at, confirmed: true })).outcome).toBe('ok');
    const facts = await factCount(d);
    // Constructed from the real parse of the real page: the batch rows are left out, as a parser
    // that could not read that section would (the kit's optional() reports it the same way).
    const degraded = editedParse(anthropic, (r) => ({
      ...r,
      observations: r.observations.filter((o) => o.conditions.serviceTier !== 'batch'),
      coverage: { read: [{ currency: 'USD' }], unread: [{ section: 'batch processing', reason: 'the table header was reworded' }] },
    }));
    const batchRows = anthropic.parse(fixtureBody(p), { url: p.meta.url, observedAt: p.meta.date }).observations.filter((o) => o.conditions.serviceTier === 'batch');
    expect(batchRows.length).toBeGreaterThan(10);
    const r = await ingestPage(d, { scraper: degraded, url: p.meta.url, body: Buffer.from(fixtureBody(p) + '\n'), observedAt: at + day, emitEvents: true });
    expect(r.outcome).toBe('partial');
    expect(r.reason).toMatch(/not read: batch processing \(the table header was reworded\)/);
    expect(r.unread).toEqual([{ section: 'batch processing', reason: 'the table header was reworded' }]);
    expect([r.factsAdded, r.factsSuperseded, r.changes.length]).toEqual([0, 0, 0]);
    expect(await factCount(d)).toBe(facts);
    expect(await eventTypes(d)).toEqual(['scraper.degraded']);
    const ev = await d.client.execute(`SELECT payload FROM events WHERE type = 'scraper.degraded'`);
    expect(JSON.parse(String(ev.rows[0].payload))).toMatchObject({ provider: 'anthropic', url: p.meta.url, sections: [{ section: 'batch processing' }] });
    // The batch prices stand.
    const sheet = await priceSheet(d.db, { model: 'anthropic/claude-opus-4-5', at: at + 2 * day, asOf: at + 2 * day });
    expect(sheet.prices.some((x) => x.conditions.serviceTier === 'batch')).toBe(true);
    d.close();
  });
});

// OpenAI's long-context layout: a model cell "gpt-x (<272K context length)" states the bound for the
// long-context columns. Built from the real 2025-12-19 page (Standard "Text tokens" table); the
// long-context cells are constructed for gpt-5.2 as 2× input and 1.5× output (the rule OpenAI
// states for its long-context tier): "fidelity": "constructed", never in data/.
const openaiFixture = listFixtures('openai').find((f) => f.name.endsWith('petehsu'))!;
function withLongContext(md: string, labelled: boolean): string {
  const lines = md.split('\n');
  const start = lines.findIndex((l, i) => l === 'Standard' && lines.slice(0, i).some((x) => x === '### Text tokens'));
  expect(start).toBeGreaterThan(0);
  for (let i = start + 1; i < lines.length && (lines[i] === '' || lines[i].startsWith('|')); i++) {
    const l = lines[i];
    if (!l.startsWith('|')) continue;
    if (l.startsWith('| Model')) lines[i] = `${l} Long context input | Long context output |`;
    else if (l.startsWith('| ---')) lines[i] = `${l} --- | --- |`;
    else if (l.startsWith('| gpt-5.2 |')) lines[i] = `${labelled ? l.replace('| gpt-5.2 |', '| gpt-5.2 (<272K context length) |') : l} $3.50 | $21.00 |`;
    else lines[i] = `${l} - | - |`;
  }
  return lines.join('\n');
}

describe('a dropped tier label (OpenAI layout)', () => {
  const url = openai.pages[0].url;
  const t0 = Date.parse('2025-12-19T00:00:00Z');
  // What the kit's OpenAI parser reports for cells it cannot place: an unread section scoped to the
  // model (main's parser skips them with a note; this wrapper adds the coverage the kit adds).
  const withCoverage = editedParse(openai, (r) => {
    const skipped = (r.notes ?? []).filter((n) => n.includes('long-context prices not read')).map((n) => n.split(':')[0]);
    if (r.coverage) return r; // the kit's parser reports it itself
    return { ...r, coverage: { read: [{ currency: 'USD' }], unread: skipped.map((m) => ({ section: `text tokens long-context cells of ${m}`, reason: 'the row states no context bound', scope: [{ model: m }] })) } };
  });
  // A parse that skips the long-context cells without saying so (what main's parser did).
  const silentSkip = editedParse(openai, (r) => ({ ...r, observations: r.observations.filter((o) => o.conditions.contextAbove === undefined), coverage: undefined }));

  async function known() {
    const d = await freshDatabase();
    const r = await ingestPage(d, { scraper: openai, url, body: Buffer.from(withLongContext(fixtureBody(openaiFixture), true)), observedAt: t0, confirmed: true });
    expect(r.outcome).toBe('ok');
    const sheet = await priceSheet(d.db, { model: 'openai/gpt-5.2', at: t0 + 1, asOf: t0 + 1 });
    expect(sheet.prices.filter((p) => p.conditions.contextAbove === 272000).map((p) => [p.component, p.amount])).toEqual([
      ['input', '3.5'],
      ['output', '21'],
    ]);
    return d;
  }

  it('gives partial, 0 tier_removed, and the long-context prices stand', async () => {
    const d = await known();
    const facts = await factCount(d);
    const r = await ingestPage(d, { scraper: withCoverage, url, body: Buffer.from(withLongContext(fixtureBody(openaiFixture), false)), observedAt: t0 + day, emitEvents: true });
    expect(r.outcome).toBe('partial');
    expect(r.unread).toEqual([{ section: 'text tokens long-context cells of openai/gpt-5.2', reason: expect.stringMatching(/no context bound/) }]);
    expect(r.changes.filter((c) => c.type === 'tier_removed')).toEqual([]);
    expect([r.factsAdded, r.factsSuperseded]).toEqual([0, 0]);
    expect(await factCount(d)).toBe(facts);
    expect(await eventTypes(d)).toEqual(['scraper.degraded']);
    const sheet = await priceSheet(d.db, { model: 'openai/gpt-5.2', at: t0 + 2 * day, asOf: t0 + 2 * day });
    expect(sheet.prices.filter((p) => p.conditions.contextAbove === 272000)).toHaveLength(2);
    d.close();
  });

  it('(a parse that does not report what it skipped removes both tiers: the bug this guards against)', async () => {
    const d = await known();
    const r = await ingestPage(d, { scraper: silentSkip, url, body: Buffer.from(withLongContext(fixtureBody(openaiFixture), false)), observedAt: t0 + day, confirmed: true });
    expect(r.outcome).toBe('ok');
    expect(r.changes.filter((c) => c.type === 'tier_removed').map((c) => c.component).sort()).toEqual(['input', 'output']);
    d.close();
  });
});

describe('a vanished model holds only that model', () => {
  it("Anthropic 03-14 → 07-25: three models vanish, six appear; the new ones and the announced rise are taken at once, the three wait", async () => {
    const d = await freshDatabase();
    const march = page('2026-03-14');
    const july = page('2026-07-25');
    const august = page('2026-08-21');
    const at = (p: typeof march) => Date.parse(p.meta.date);
    expect((await ingestPage(d, { scraper: anthropic, url: march.meta.url, body: Buffer.from(fixtureBody(march)), observedAt: at(march), confirmed: true })).outcome).toBe('ok');

    // A scheduled scrape of the July page (not a trusted archive copy): suspect only for the vanished models.
    const r = await ingestPage(d, { scraper: anthropic, url: july.meta.url, body: Buffer.from(fixtureBody(july)), observedAt: at(july), emitEvents: true });
    expect(r.outcome).toBe('suspect');
    expect(r.held!.filter((h) => h.includes('vanished')).sort()).toEqual([
      expect.stringContaining('claude-3-7-sonnet'),
      expect.stringContaining('claude-3-haiku'),
      expect.stringContaining('claude-3-opus'),
    ]);
    expect(r.factsAdded).toBeGreaterThan(30);
    const added = new Set(r.changes.filter((c) => c.type === 'price_added').map((c) => c.model));
    for (const m of ['claude-sonnet-5', 'claude-opus-5', 'claude-opus-4-7', 'claude-opus-4-8', 'claude-fable-5', 'claude-mythos-5']) expect(added).toContain(`anthropic/${m}`);
    // The only removal is one the page really made: Opus 4.6's fast-mode rows are gone in July.
    expect(r.changes.filter((c) => c.type === 'price_removed').map((c) => `${c.model} ${c.component} ${c.conditions.variant}`).sort()).toEqual([
      'anthropic/claude-opus-4-6 input fast-mode',
      'anthropic/claude-opus-4-6 output fast-mode',
    ]);
    // The held models keep their prices; the new model is priced from the first page that showed it.
    const asOf = at(july) + 1;
    const old = await priceSheet(d.db, { model: 'anthropic/claude-3-opus', at: asOf, asOf });
    expect(old.prices.length).toBeGreaterThan(0);
    const sonnet5 = await priceSheet(d.db, { model: 'anthropic/claude-sonnet-5', at: asOf, asOf });
    expect(sonnet5.prices.find((p) => p.component === 'input' && Object.keys(p.conditions).length === 0)!.amount).toBe('2');
    const upcoming = await changes(d.db, { model: 'anthropic/claude-sonnet-5', upcoming: true, asOf, limit: 100 });
    expect(upcoming.data.some((c) => c.type === 'price_increase' && c.effectiveAt === '2026-09-01T00:00:00.000Z')).toBe(true);

    // The next page agrees they are gone: removed from the first sighting on.
    const r2 = await ingestPage(d, { scraper: anthropic, url: august.meta.url, body: Buffer.from(fixtureBody(august)), observedAt: at(august), emitEvents: true });
    expect(r2.held ?? []).toEqual([]);
    const removed = r2.changes.filter((c) => c.type === 'price_removed' && c.model === 'anthropic/claude-3-opus');
    expect(removed.length).toBeGreaterThan(0);
    for (const c of removed) expect(c.effectiveAt).toBe(new Date(at(july)).toISOString());
    d.close();
  });

  it('a model deleted from a real page: only that model is held, the rest of the page is applied', async () => {
    const d = await freshDatabase();
    const july = page('2026-07-25');
    const august = page('2026-08-21');
    await ingestPage(d, { scraper: anthropic, url: july.meta.url, body: Buffer.from(fixtureBody(july)), observedAt: Date.parse(july.meta.date), confirmed: true });
    // The August page with every row of Claude Opus 4.1 deleted (a mutation of the real page).
    const text = fixtureBody(august).split('\n').filter((l) => !/^\|.*Opus 4\.1\b/.test(l)).join('\n');
    const parsed = anthropic.parse(text, { url: august.meta.url, observedAt: august.meta.date });
    expect(parsed.observations.some((o) => o.model === 'anthropic/claude-opus-4-1')).toBe(false);
    const at = Date.parse(august.meta.date);
    const r = await ingestPage(d, { scraper: anthropic, url: august.meta.url, body: Buffer.from(text), observedAt: at });
    expect(r.outcome).toBe('suspect');
    expect(r.held).toEqual([expect.stringMatching(/vanished.*claude-opus-4-1/)]);
    // The rest was applied: the page's withdrawal of Sonnet 5's announced rise is known at once.
    const sonnet5 = await priceSheet(d.db, { model: 'anthropic/claude-sonnet-5', at: Date.parse('2026-09-15T00:00:00Z'), asOf: at + 1 });
    expect(sonnet5.prices.find((p) => p.component === 'input' && Object.keys(p.conditions).length === 0)!.amount).toBe('2');
    const opus41 = await priceSheet(d.db, { model: 'anthropic/claude-opus-4-1', at: at + 1, asOf: at + 1 });
    expect(opus41.prices.length).toBeGreaterThan(0);
    // The real page again: nothing was missing after all; the hold is cleared, nothing changes.
    const back = await ingestPage(d, { scraper: anthropic, url: august.meta.url, body: Buffer.from(fixtureBody(august)), observedAt: at + day });
    expect([back.outcome, back.changes.length]).toEqual(['ok', 0]);
    d.close();
  });
});
