// Backfill from archived pages: every real (not constructed) dated fixture of the given providers
// is run through the whole pipeline, oldest first, as a trusted copy (--confirmed). Shared by
// `scripts/backfill.ts` (which then exports data/) and the tests.
import { readFileSync } from 'node:fs';
import type { Database } from '../db/client.ts';
import type { Scraper } from '../scrape/contract.ts';
import { fixtureBody, listFixtures, type Fixture } from '../scrape/fixtures.ts';
import { ingestPage, type RunSummary } from '../scrape/pipeline.ts';

export function backfillFixtures(providers: string[]): Fixture[] {
  return providers
    .flatMap((p) => listFixtures(p))
    .filter((f) => f.meta.fidelity !== 'constructed')
    .filter((f) => !('error' in (JSON.parse(readFileSync(f.expectedFile, 'utf8')) as object)))
    .sort((a, b) => Date.parse(a.meta.date) - Date.parse(b.meta.date) || a.name.localeCompare(b.name));
}

export async function backfill(database: Database, scrapers: readonly Scraper[], onRun?: (f: Fixture, r: RunSummary) => void): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const f of backfillFixtures(scrapers.map((s) => s.id))) {
    const run = await ingestPage(database, {
      scraper: byId(scrapers, f.scraper),
      url: f.meta.url,
      body: Buffer.from(fixtureBody(f), 'utf8'),
      observedAt: Date.parse(f.meta.date),
      confirmed: true,
    });
    onRun?.(f, run);
    runs.push(run);
  }
  return runs;
}

function byId(scrapers: readonly Scraper[], id: string): Scraper {
  const s = scrapers.find((x) => x.id === id);
  if (!s) throw new Error(`fixture of scraper ${id}, which was not handed in`);
  return s;
}
