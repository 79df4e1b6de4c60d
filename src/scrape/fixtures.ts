// Saved pages beside each scraper (yt-dlp / readability style): scrapers/<id>/fixtures/ holds
//   <name>.<ext>            the page, byte for byte as the archive kept it
//   <name>.meta.json        { page, date, origin, fidelity, url, … } — where the copy comes from
//   <name>.expected.json    what parse returns for it (or { "error": … } when parse must refuse it)
// Used by scripts/regen-fixtures.ts (writes expected files) and test/scraper-fixtures.test.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LayoutChangedError } from '../errors.ts';
import { ParseResult } from '../model.ts';
import type { Scraper } from './contract.ts';
import { localToInstant } from '../zones.ts';

export const SCRAPERS_DIR = fileURLToPath(new URL('../../scrapers/', import.meta.url));

export interface FixtureMeta {
  /** The public page the copy is of. */
  page: string;
  /** When the copy was taken (ISO instant, or a date when only the day is known). */
  date: string;
  /** Where the copy comes from. */
  origin: string;
  /** How close the copy is to what the provider served. */
  fidelity: string;
  /** The URL handed to parse as ctx.url. */
  url: string;
  /** Why `date` is approximate, when it is. */
  dateNote?: string;
  /**
   * "fetch-envelope": the file is the API response wrapped with fetch metadata
   * ({ source, fetched_at, …, data }); the body parse receives is the raw response { "data": … }.
   */
  wrapper?: 'fetch-envelope';
  /** For constructed fixtures: what they were built from. */
  constructedFrom?: unknown[];
  /**
   * "browser": a page that only renders in a browser. Parsed as served it must be refused (its
   * expected file is that refusal); rendered, it must give what its text source gives.
   */
  render?: 'browser';
}

export interface Fixture {
  scraper: string;
  name: string;
  pageFile: string;
  metaFile: string;
  expectedFile: string;
  meta: FixtureMeta;
}

export type FixtureOutcome = ParseResult | { error: { name: string; message: string } };

/** Saved pages are .html/.md/.json/.txt/.xml; other files in fixtures/ (helper scripts) are not pages. */
const PAGE_FILE = /^[^.].*\.(html?|md|json|txt|xml)$/;

export function fixtureDir(scraperId: string): string {
  return join(SCRAPERS_DIR, scraperId, 'fixtures');
}

/** Every fixture of a scraper, sorted by name. A page without a .meta.json is an error. */
export function listFixtures(scraperId: string): Fixture[] {
  const dir = fixtureDir(scraperId);
  let files: string[];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return files
    .filter((f) => PAGE_FILE.test(f) && !f.endsWith('.meta.json') && !f.endsWith('.expected.json'))
    .map((pageFile) => {
      const name = pageFile.replace(/\.[^.]+$/, '');
      const metaFile = join(dir, `${name}.meta.json`);
      let meta: FixtureMeta;
      try {
        meta = JSON.parse(readFileSync(metaFile, 'utf8')) as FixtureMeta;
      } catch (e) {
        throw new Error(`fixture ${scraperId}/${pageFile} has no readable ${name}.meta.json: ${(e as Error).message}`);
      }
      return { scraper: scraperId, name, pageFile: join(dir, pageFile), metaFile, expectedFile: join(dir, `${name}.expected.json`), meta };
    });
}

/** The text parse receives: the file as is, or the raw response inside a fetch envelope. */
export function fixtureBody(fixture: Fixture): string {
  const text = readFileSync(fixture.pageFile, 'utf8');
  if (fixture.meta.wrapper === 'fetch-envelope') {
    const envelope = JSON.parse(text) as { data?: unknown };
    return JSON.stringify({ data: envelope.data });
  }
  return text;
}

/**
 * When the copy was observed, as an instant: a full instant as stated; a bare date ("2026-08-17")
 * is the start of that day in the zone the scraper declares for the page (Beijing for DeepSeek's
 * Chinese page: 2026-08-16T16:00:00Z), UTC when it declares none.
 */
export function fixtureObservedAt(scraper: Scraper, fixture: Fixture): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(fixture.meta.date);
  if (!m) return new Date(Date.parse(fixture.meta.date)).toISOString().replace('.000Z', 'Z');
  const clean = (u: string) => u.replace(/[?#].*$/, '').replace(/\.md$/, '').replace(/\/+$/, '');
  const zone = scraper.pages.find((p) => clean(p.url) === clean(fixture.meta.url))?.zone ?? 'UTC';
  const [year, month, day] = m.slice(1).map(Number);
  const ms = localToInstant({ year, month, day }, zone, `fixture ${fixture.name} date`);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Parse a fixture; a LayoutChangedError is an outcome too (a page the parser must refuse). */
export function runFixture(scraper: Scraper, fixture: Fixture): FixtureOutcome {
  try {
    const result = scraper.parse(fixtureBody(fixture), { url: fixture.meta.url, observedAt: fixtureObservedAt(scraper, fixture) });
    ParseResult.parse(result);
    return JSON.parse(JSON.stringify(result)) as ParseResult;
  } catch (e) {
    if (e instanceof LayoutChangedError) return { error: { name: e.name, message: e.message } };
    throw e;
  }
}

/** Pretty JSON, two spaces, trailing newline: the committed form of an expected file. */
export function formatExpected(outcome: FixtureOutcome): string {
  return `${JSON.stringify(outcome, null, 2)}\n`;
}
