// OpenRouter lists the cheapest current route, which can flip between runs: a move that reverts
// before a second observation confirms it is not a change; one seen twice is.
import { describe, expect, it } from 'vitest';
import openrouter from '../scrapers/openrouter/index.ts';
import { ingestPage } from '../src/scrape/pipeline.ts';
import { fixtureBody, listFixtures } from '../src/scrape/fixtures.ts';
import { freshDatabase, factCount } from './helpers/db.ts';

const f = listFixtures('openrouter')[0];
const page = fixtureBody(f);
// One real price (a model at $3 per 1M input tokens) moved by 10%: small, but OpenRouter is flappy.
const moved = page.replace('"prompt":"0.000003"', '"prompt":"0.0000033"');
const t0 = Date.parse('2026-01-01T00:00:00Z');
const hour = 3_600_000;

describe('the flap guard', () => {
  it('a move that reverts is not a change; a move seen twice is', async () => {
    expect(moved).not.toBe(page);
    const d = await freshDatabase();
    const ingest = (body: string, i: number) => ingestPage(d, { scraper: openrouter, url: f.meta.url, body: Buffer.from(body), observedAt: t0 + i * hour });
    expect(['ok', 'partial']).toContain((await ingest(page, 0)).outcome);
    const base = await factCount(d);

    const flip = await ingest(moved, 1);
    expect(['suspect', 'partial']).toContain(flip.outcome);
    expect(flip.held?.length).toBe(1);
    expect(flip.reason).toMatch(/flap guard/);
    // ok, or partial where the parser reports rows it refused (OpenRouter's "-1" prices).
    const accepted = ['ok', 'partial'];
    const back = await ingest(page, 2);
    expect(accepted).toContain(back.outcome);
    expect(back.changes.length).toBe(0);
    expect(await factCount(d)).toBe(base);

    expect((await ingest(moved, 3)).held?.length).toBe(1);
    const confirmed = await ingest(moved, 4);
    expect(accepted).toContain(confirmed.outcome);
    expect(confirmed.held ?? []).toEqual([]);
    expect(confirmed.changes.length).toBeGreaterThan(0);
    for (const c of confirmed.changes) {
      expect(c).toMatchObject({ component: 'input', type: 'price_increase', before: '3', after: '3.3', changePct: 10 });
      expect(c.effectiveAt).toBe(new Date(t0 + 3 * hour).toISOString()); // the first sighting
    }
    d.close();
  });
});
