// DeepSeek's own pages agree with the curated history: reading them adds nothing. The English
// page of 2026-05-23 shows the promotion and announces (footnote 3) that its price becomes the
// list price when it ends; the Chinese page of July shows the permanent prices.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import deepseek from '../scrapers/deepseek/index.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { keepForeignAnnouncements } from '../src/scrape/apply.ts';
import type { ExistingFact } from '../src/scrape/reconcile.ts';
import { freshDatabase, factCount } from './helpers/db.ts';

const EN = 'https://api-docs.deepseek.com/quick_start/pricing';
const ZH = 'https://api-docs.deepseek.com/zh-cn/quick_start/pricing';

describe('scraped DeepSeek pages against the curated 2026 history', () => {
  it('the English page of 2026-05-23 (promotion + announced permanent price) adds nothing', async () => {
    const d = await freshDatabase({ seed: true });
    const before = await factCount(d);
    const body = readFileSync('scrapers/deepseek/fixtures/deepseek-en-2026-05-23-constructed-from-clipping.html');
    const r = await ingestPage(d, { scraper: deepseek, url: EN, body, observedAt: Date.parse('2026-05-23T06:00:17Z') });
    expect(r.outcome).toBe('ok');
    expect([r.factsAdded, r.factsSuperseded, r.changes.length]).toEqual([0, 0, 0]);
    const zh = readFileSync('scrapers/deepseek/fixtures/deepseek-zh-2026-07-html-fragment.html');
    const r2 = await ingestPage(d, { scraper: deepseek, url: ZH, body: zh, observedAt: Date.parse('2026-07-24T00:00:00Z') });
    expect([r2.outcome, r2.factsAdded, r2.changes.length]).toEqual(['ok', 0, 0]);
    expect(await factCount(d)).toBe(before);
    d.close();
  });
});

describe('a page that does not mention a change announced elsewhere does not withdraw it', () => {
  const fact = (amount: string, from: string, to: string | null, url: string): ExistingFact => ({
    id: 1, amount, validFrom: Date.parse(from), validTo: to ? Date.parse(to) : null, recordedAt: 0, announcedAt: null,
    priorUnknown: false, free: false, detectedBetween: null, sources: [{ url }], confidence: 'high',
  });
  const E = Date.parse('2026-05-23T00:00:00Z');
  const existing = [fact('1.74', '2026-04-24T00:00:00Z', '2026-05-31T16:00:00Z', 'https://page'), fact('0.435', '2026-05-31T16:00:00Z', null, 'https://news')];
  it('keeps the announced segment from its start', () => {
    const out = keepForeignAnnouncements(existing, [{ amount: '1.74', from: E, to: null, datedFrom: false, free: false }], E, 'https://page');
    expect(out.map((s) => [s.amount, s.from, s.to])).toEqual([
      ['1.74', E, Date.parse('2026-05-31T16:00:00Z')],
      ['0.435', Date.parse('2026-05-31T16:00:00Z'), null],
    ]);
  });
  it('but the page wins where it states a dated price for that future', () => {
    const claims = [{ amount: '1.74', from: E, to: Date.parse('2026-06-01T00:00:00Z'), datedFrom: false, free: false }, { amount: '1.5', from: Date.parse('2026-06-01T00:00:00Z'), to: null, datedFrom: true, free: false }];
    expect(keepForeignAnnouncements(existing, claims, E, 'https://page')).toBe(claims);
  });
  it('and an announcement this page made itself can be withdrawn by it', () => {
    const own = [fact('2', '2026-07-25T00:00:00Z', '2026-09-01T00:00:00Z', 'https://page'), fact('3', '2026-09-01T00:00:00Z', null, 'https://page')];
    const claims = [{ amount: '2', from: Date.parse('2026-08-21T00:00:00Z'), to: null, datedFrom: false, free: false }];
    expect(keepForeignAnnouncements(own, claims, Date.parse('2026-08-21T00:00:00Z'), 'https://page')).toBe(claims);
  });
});
