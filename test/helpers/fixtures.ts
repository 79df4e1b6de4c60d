// Scraper fixtures: scrapers/<id>/fixtures/<name>.meta.json describes one saved (or constructed)
// page, <name>.expected.json is what parse() must return for it. Shared by the fixture tests;
// `TOKENTRAIL_UPDATE_FIXTURES=1` rewrites expected files (review them as a git diff).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseResult } from '../../src/model.ts';
import type { Scraper } from '../../src/scrape/contract.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface FixtureMeta {
  /** The saved file, beside the meta (default: the one file named `<name>.*` that is not meta/expected). */
  file?: string;
  /** The public page the file is (or stands for). */
  page: string;
  /** Date of the copy, YYYY-MM-DD. */
  date: string;
  /** Archive or place it came from. */
  origin: string;
  /** How close it is to what the provider served (fixtures README), or "constructed". */
  fidelity: string;
  /** For constructed fixtures: what they were built from. */
  constructedFrom?: unknown[];
  /** The URL to hand to parse() as ctx.url. */
  url: string;
  /**
   * "browser": the file is a page that only renders in a browser. Parsed as served it must be
   * refused (its expected file is that refusal, `{ "error": … }`); rendered, it must give what the
   * text fixture it was constructed from gives (test/browser-scrape.test.ts).
   */
  render?: 'browser';
}

export interface Fixture {
  scraperId: string;
  name: string;
  dir: string;
  /** Absolute path of the saved page. */
  file: string;
  meta: FixtureMeta;
  expectedPath: string;
}

/** Every fixture of the given scrapers (default: every scrapers/<id>/fixtures folder). */
export function listFixtures(scraperIds?: string[]): Fixture[] {
  const scrapersDir = join(ROOT, 'scrapers');
  const ids = scraperIds ?? readdirSync(scrapersDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const out: Fixture[] = [];
  for (const id of ids.sort()) {
    const dir = join(scrapersDir, id, 'fixtures');
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).sort();
    for (const metaFile of files.filter((f) => f.endsWith('.meta.json'))) {
      const name = metaFile.slice(0, -'.meta.json'.length);
      const meta = JSON.parse(readFileSync(join(dir, metaFile), 'utf8')) as FixtureMeta;
      const candidates = meta.file ? [meta.file] : files.filter((f) => f.startsWith(`${name}.`) && !f.endsWith('.meta.json') && !f.endsWith('.expected.json'));
      if (candidates.length !== 1) throw new Error(`${id}/fixtures/${metaFile}: cannot tell which file it describes (${candidates.join(', ') || 'none'})`);
      out.push({ scraperId: id, name, dir, file: join(dir, candidates[0]), meta, expectedPath: join(dir, `${name}.expected.json`) });
    }
  }
  return out;
}

export async function loadScraper(id: string): Promise<Scraper> {
  const mod = (await import(join(ROOT, 'scrapers', id, 'index.ts'))) as { default: Scraper };
  return mod.default;
}

/** The parse context a fixture stands for: its URL, observed at the start of its date (UTC). */
export function fixtureContext(f: Fixture): { url: string; observedAt: string } {
  return { url: f.meta.url, observedAt: `${f.meta.date.slice(0, 10)}T00:00:00Z` };
}

export function readFixture(f: Fixture): string {
  return readFileSync(f.file, 'utf8');
}

export function parseFixture(scraper: Scraper, f: Fixture, text = readFixture(f)): ParseResult {
  return scraper.parse(text, fixtureContext(f));
}

/** Two-space JSON with a trailing newline: the committed form of an expected output. */
export function toExpectedJson(result: FixtureOutcome): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** A parse result, or the refusal a page must meet (the same form as src/scrape/fixtures.ts). */
export type FixtureOutcome = ParseResult | { error: { name: string; message: string } };

export function readExpected(f: Fixture): FixtureOutcome | undefined {
  return existsSync(f.expectedPath) ? (JSON.parse(readFileSync(f.expectedPath, 'utf8')) as FixtureOutcome) : undefined;
}

export const updatingFixtures = process.env.TOKENTRAIL_UPDATE_FIXTURES === '1';

export function writeExpected(f: Fixture, result: FixtureOutcome): void {
  writeFileSync(f.expectedPath, toExpectedJson(result));
}
