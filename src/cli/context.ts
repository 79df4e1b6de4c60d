// What every CLI command shares: the database of this run, output (JSON or text, EPIPE-safe),
// progress lines, option parsers, and the parts the composition root (app/cli.ts) hands in.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase, PACKAGE_ROOT, type Database } from '../db/client.ts';
import { seedFromDataset } from '../dataset/seed.ts';
import { BadInputError } from '../errors.ts';
import type { Catalog } from '../catalog/contract.ts';
import type { Scraper } from '../scrape/contract.ts';
import type { RunSummary } from '../scrape/pipeline.ts';
import { first } from '../timeline/write.ts';

export const DEFAULT_DATA_DIR = resolve(PACKAGE_ROOT, 'data');

/** A running server, as `tokentrail serve` needs it. */
export interface ServeHandle {
  close(): Promise<void>;
}
export interface ServeOptions {
  database: Database;
  port: number;
  host: string;
  role: 'api' | 'worker' | 'all';
  dataDir: string;
}

/** Handed in by the composition root: src/ never imports scrapers/ or api/. */
export interface CliDeps {
  scrapers: readonly Scraper[];
  /** The scraper of a provider id; an unknown id is bad input naming the known ones. */
  getScraper(id: string): Scraper;
  /** The catalogs (models.dev, genai-prices, llm-prices) and one by id. */
  catalogs: readonly Catalog[];
  getCatalog(id: string): Catalog;
  serve(o: ServeOptions): Promise<ServeHandle>;
}

export interface GlobalOptions {
  db?: string;
}

let opened: Database | null = null;

/**
 * Opens (and migrates) the database named by --db / DATABASE_URL once per command. With `seed`
 * (the commands that read the timeline), a database without any provider is seeded from data/
 * first, as `npm start` does, and says so on stderr: a fresh clone answers from the dataset
 * instead of "unknown model". Commands that write (import, scrape, ingest, reparse) never seed:
 * what they record must not depend on whether data/ was imported behind their back.
 */
export async function database(cmd: Command, opts: { seed?: boolean } = {}): Promise<Database> {
  if (!opened) {
    opened = await openDatabase({ url: (cmd.optsWithGlobals() as GlobalOptions).db });
    if (opts.seed && !(await first(opened.db, sql`SELECT 1 AS one FROM providers LIMIT 1`))) {
      const r = await seedFromDataset(opened, DEFAULT_DATA_DIR);
      if (r) process.stderr.write(`tokentrail: the database was empty; seeded it from ${DEFAULT_DATA_DIR} (${r.files} files, ${r.facts} facts)\n`);
    }
  }
  return opened;
}

/** The database if a command opened one (for suggestions after an error). */
export function openedDatabase(): Database | null {
  return opened;
}

export function closeDatabase(): void {
  opened?.close();
  opened = null;
}

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text() + '\n');
}

/** Progress lines go to stderr, and only on a terminal, so pipes and --json stay clean. */
export function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${msg}`);
}
export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}

/** A run that failed or was held back (suspect) ends the command with exit code 1. */
export function refusedRuns(runs: readonly RunSummary[]): boolean {
  return runs.some((r) => r.outcome === 'failed' || r.outcome === 'suspect');
}

// src/scrape/reparse.ts's reason for a page of which nothing was ever stored.
const NOTHING_STORED = 'no accepted snapshots stored';

/**
 * A reparse failed when a page's stored snapshots could not be re-read, or when no page had
 * anything to re-read. A page never stored (a provider's second page not scraped yet) is not a
 * failure of the re-read.
 */
export function failedReparse(runs: readonly RunSummary[]): boolean {
  const stored = runs.filter((r) => !(r.outcome === 'failed' && r.reason === NOTHING_STORED));
  return stored.length === 0 || refusedRuns(stored);
}

const CURRENCY = /^[A-Za-z]{3}$/;
export function currencyOption(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!CURRENCY.test(v)) throw new BadInputError(`--currency: "${v}" is not an ISO 4217 code such as USD or CNY`);
  return v.toUpperCase();
}

export const JSON_HELP = 'print JSON (the API\'s shape) instead of a table';
