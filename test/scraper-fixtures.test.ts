// Golden fixtures: every saved page of every registered scraper parses to its committed expected
// output (regenerate with `npx tsx scripts/regen-fixtures.ts [provider]` and review the git diff),
// and every scraper folder is registered.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.ts';
import { Instant, ParseResult } from '../src/model.ts';
import { normalizeAmount as normaliseDecimal } from '../src/decimal.ts';
import { parseMoney, perTokenToPerMillion } from '../scrapers/_kit/money.ts';
import { SCRAPERS_DIR, fixtureObservedAt, formatExpected, listFixtures, runFixture } from '../src/scrape/fixtures.ts';
import { fxSources, getScraper, scrapers } from '../scrapers/registry.ts';
import { footnoteInstants } from '../scrapers/deepseek/index.ts';
import { modelIdFor } from '../scrapers/anthropic/index.ts';

describe('registry', () => {
  it('lists every scrapers/<id>/ folder that has an index.ts', () => {
    const folders = readdirSync(SCRAPERS_DIR).filter((name) => statSync(join(SCRAPERS_DIR, name)).isDirectory() && existsSync(join(SCRAPERS_DIR, name, 'index.ts')));
    const registered = [...scrapers, ...fxSources].map((s) => s.id);
    const missing = folders.filter((f) => !registered.includes(f));
    expect(missing, `scraper folders not in scrapers/registry.ts: ${missing.join(', ')}`).toEqual([]);
  });

  it('names each scraper after its folder, once', () => {
    const ids = scrapers.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(existsSync(join(SCRAPERS_DIR, id, 'index.ts')), `scrapers/${id}/index.ts`).toBe(true);
  });

  it('every page of every scraper declares the zone its bare dates are read in', () => {
    for (const s of scrapers)
      for (const p of s.pages) {
        expect(p.zone, `${s.id} ${p.url}`).toBeDefined();
        expect(() => new Intl.DateTimeFormat('en-US', { timeZone: p.zone })).not.toThrow();
      }
  });

  it('a fixture dated by a bare day was observed from the start of that day in the zone of its page', () => {
    const ds = getScraper('deepseek');
    const zh = listFixtures('deepseek').find((f) => f.name === 'deepseek-zh-2026-08-17-modelscn-fixture-trimmed')!;
    const en = listFixtures('deepseek').find((f) => f.name === 'deepseek-en-2026-09-modelscn-fixture-v41-trimmed')!;
    expect(fixtureObservedAt(ds, zh)).toBe('2026-08-16T16:00:00Z');
    expect(fixtureObservedAt(ds, en)).toBe('2026-09-01T00:00:00Z');
    const a = listFixtures('anthropic').find((f) => f.name === 'anthropic-2026-08-21-30e477cd')!;
    expect(fixtureObservedAt(getScraper('anthropic'), a)).toBe('2026-08-21T02:32:13.524Z');
  });

  it('getScraper refuses an unknown id and lists the known ones', () => {
    expect(getScraper('deepseek').id).toBe('deepseek');
    expect(() => getScraper('nope')).toThrow(BadInputError);
    expect(() => getScraper('nope')).toThrow(/unknown provider "nope"; known: .*deepseek/);
  });
});

for (const scraper of scrapers) {
  describe(`${scraper.id} fixtures`, () => {
    const fixtures = listFixtures(scraper.id);

    it('has at least one saved page', () => {
      expect(fixtures.length).toBeGreaterThan(0);
    });

    for (const fixture of fixtures) {
      describe(fixture.name, () => {
        it('has complete metadata (page, date, origin, fidelity, url)', () => {
          const { page, date, origin, fidelity, url } = fixture.meta;
          expect(() => new URL(page)).not.toThrow();
          expect(() => new URL(url)).not.toThrow();
          expect(/^\d{4}-\d{2}-\d{2}$/.test(date) || Instant.safeParse(date).success, `date ${date}`).toBe(true);
          expect(origin.length).toBeGreaterThan(10);
          expect(fidelity.length).toBeGreaterThan(2);
        });

        it('parses to its committed expected output', () => {
          expect(existsSync(fixture.expectedFile), `missing ${fixture.expectedFile}: run npx tsx scripts/regen-fixtures.ts ${scraper.id}`).toBe(true);
          const expected = JSON.parse(readFileSync(fixture.expectedFile, 'utf8'));
          const outcome = runFixture(scraper, fixture);
          expect(outcome).toEqual(expected);
          // The committed file is exactly what the regen script writes (stable formatting).
          expect(readFileSync(fixture.expectedFile, 'utf8')).toBe(formatExpected(outcome));
        });

        it('is a valid ParseResult with at least minRows observations, or a refused page', () => {
          const outcome = runFixture(scraper, fixture);
          if ('error' in outcome) {
            expect(outcome.error.name).toBe('LayoutChangedError');
            return;
          }
          expect(() => ParseResult.parse(outcome)).not.toThrow();
          expect(outcome.provider).toBe(scraper.id);
          const coverage = outcome.coverage!;
          expect(coverage, 'every scraper reports coverage').toBeDefined();
          // A partly read page says what it did not read; a fully read one has its minRows.
          if (coverage.unread.length > 0) expect(coverage.rowsRead ?? 0).toBeLessThanOrEqual(coverage.rowsOnPage ?? 0);
          else {
            expect(outcome.observations.length).toBeGreaterThanOrEqual(scraper.minRows);
            expect(coverage.rowsRead).toBe(coverage.rowsOnPage);
          }
        });
      });
    }
  });
}

describe('amounts are exact decimal strings', () => {
  it('normalises "$1.6" and "$1.60" to the same string', () => {
    expect(parseMoney('$1.60', 't').amount).toBe('1.6');
    expect(parseMoney('$1.6', 't').amount).toBe('1.6');
    expect(parseMoney('$12.50', 't').amount).toBe('12.5');
    expect(parseMoney('3.0元', 't')).toEqual({ currency: 'CNY', amount: '3' });
    expect(parseMoney('$0.003625', 't').amount).toBe('0.003625');
    expect(normaliseDecimal('0.10')).toBe('0.1');
  });

  it('scales per-token prices to per 1M tokens without floats', () => {
    expect(perTokenToPerMillion('0.000003')).toBe('3');
    expect(perTokenToPerMillion('0.0000001')).toBe('0.1');
    expect(perTokenToPerMillion('0.0000003833')).toBe('0.3833');
    expect(perTokenToPerMillion('0.000000075')).toBe('0.075');
  });
});

describe('page-specific rules', () => {
  it('maps Anthropic display names to API alias ids', () => {
    expect(modelIdFor('Claude Opus 4.6')).toBe('anthropic/claude-opus-4-6');
    expect(modelIdFor('Claude Sonnet 5')).toBe('anthropic/claude-sonnet-5');
    expect(modelIdFor('Claude Haiku 4.5')).toBe('anthropic/claude-haiku-4-5');
  });

  it('reads DeepSeek footnote dates: "until … 15:59 UTC" runs through that minute', () => {
    expect(footnoteInstants('The deepseek-v4-pro model is currently offered at a limited-time 75% discount, valid until 2026/05/05 15:59 UTC.', 't', 'Asia/Shanghai')).toEqual({
      until: '2026-05-05T16:00:00Z',
    });
    expect(footnoteInstants('This price adjustment takes effect from 2026/4/26 12:15 UTC.', 't', 'Asia/Shanghai')).toEqual({ from: '2026-04-26T12:15:00Z' });
    // Beijing time is UTC+8: 2026/05/31 23:59 Beijing = 15:59Z, through that minute.
    expect(footnoteInstants('优惠活动截至北京时间 2026/05/31 23:59。', 't', 'UTC')).toEqual({ until: '2026-05-31T16:00:00Z' });
  });
});
