// Backfill from archived pages: every real (not constructed) dated fixture of the given providers
// is run through the whole pipeline, oldest first, as a trusted copy (--confirmed). Shared by
// `scripts/backfill.ts` (which then exports data/) and the tests.
import { readFileSync } from 'node:fs';
import type { Database } from '../db/client.ts';
import type { Scraper } from '../scrape/contract.ts';
import { fixtureBody, fixtureObservedAt, listFixtures, type Fixture } from '../scrape/fixtures.ts';
import { ingestPage, type RunSummary } from '../scrape/pipeline.ts';

export function backfillFixtures(scrapers: readonly Scraper[]): Fixture[] {
  return scrapers
    .flatMap((s) => listFixtures(s.id))
    .filter((f) => f.meta.fidelity !== 'constructed')
    .filter((f) => !('error' in (JSON.parse(readFileSync(f.expectedFile, 'utf8')) as object)))
    .sort((a, b) => observedAt(a, scrapers) - observedAt(b, scrapers) || a.name.localeCompare(b.name));
}

/** A bare fixture date is that day's start in the zone its page declares (DeepSeek's Chinese page: Beijing). */
function observedAt(f: Fixture, scrapers: readonly Scraper[]): number {
  return Date.parse(fixtureObservedAt(byId(scrapers, f.scraper), f));
}

export async function backfill(database: Database, scrapers: readonly Scraper[], onRun?: (f: Fixture, r: RunSummary) => void): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const f of backfillFixtures(scrapers)) {
    const run = await ingestPage(database, {
      scraper: byId(scrapers, f.scraper),
      url: f.meta.url,
      body: Buffer.from(fixtureBody(f), 'utf8'),
      observedAt: observedAt(f, scrapers),
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
