// The fixture tests' view of scrapers/<id>/fixtures/: a thin adapter over src/scrape/fixtures.ts
// (the one loader), with the names the browser and fixture tests use.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseResult } from '../../src/model.ts';
import type { Scraper } from '../../src/scrape/contract.ts';
import { listFixtures as listScraperFixtures, fixtureBody, type FixtureMeta, type FixtureOutcome } from '../../src/scrape/fixtures.ts';
import { getScraper, scrapers } from '../../scrapers/registry.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export type { FixtureMeta, FixtureOutcome };

export interface Fixture {
  scraperId: string;
  name: string;
  dir: string;
  /** Absolute path of the saved page. */
  file: string;
  meta: FixtureMeta;
  expectedPath: string;
}

/** Every fixture of the given scrapers (default: every registered scraper). */
export function listFixtures(scraperIds?: string[]): Fixture[] {
  return (scraperIds ?? scrapers.map((s) => s.id))
    .sort()
    .flatMap((id) => listScraperFixtures(id))
    .map((f) => ({ scraperId: f.scraper, name: f.name, dir: dirname(f.pageFile), file: f.pageFile, meta: f.meta, expectedPath: f.expectedFile }));
}

export async function loadScraper(id: string): Promise<Scraper> {
  return getScraper(id);
}

/** The parse context a fixture stands for: its URL, observed at the start of its date (UTC). */
export function fixtureContext(f: Fixture): { url: string; observedAt: string } {
  return { url: f.meta.url, observedAt: `${f.meta.date.slice(0, 10)}T00:00:00Z` };
}

export function readFixture(f: Fixture): string {
  return fixtureBody({ scraper: f.scraperId, name: f.name, pageFile: f.file, metaFile: '', expectedFile: f.expectedPath, meta: f.meta });
}

export function parseFixture(scraper: Scraper, f: Fixture, text = readFixture(f)): ParseResult {
  return scraper.parse(text, fixtureContext(f));
}

export function readExpected(f: Fixture): FixtureOutcome | undefined {
  return existsSync(f.expectedPath) ? (JSON.parse(readFileSync(f.expectedPath, 'utf8')) as FixtureOutcome) : undefined;
}
