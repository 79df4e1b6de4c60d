// Backfill from archived pages: every real (not constructed) dated fixture of the given providers
// is run through the whole pipeline, oldest first, as a trusted copy (--confirmed). Shared by
// `scripts/backfill.ts` (which then exports data/) and the tests.
import { readFileSync } from 'node:fs';
import type { Database } from '../db/client.ts';
import { getScraper } from '../../scrapers/registry.ts';
import { fixtureBody, fixtureObservedAt, listFixtures, type Fixture } from '../scrape/fixtures.ts';
import { ingestPage, type RunSummary } from '../scrape/pipeline.ts';

export function backfillFixtures(providers: string[]): Fixture[] {
  return providers
    .flatMap((p) => listFixtures(p))
    .filter((f) => f.meta.fidelity !== 'constructed')
    .filter((f) => !('error' in (JSON.parse(readFileSync(f.expectedFile, 'utf8')) as object)))
    .sort((a, b) => observedAt(a) - observedAt(b) || a.name.localeCompare(b.name));
}

/** A bare fixture date is that day's start in the zone its page declares (DeepSeek's Chinese page: Beijing). */
function observedAt(f: Fixture): number {
  return Date.parse(fixtureObservedAt(getScraper(f.scraper), f));
}

export async function backfill(database: Database, providers: string[], onRun?: (f: Fixture, r: RunSummary) => void): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const f of backfillFixtures(providers)) {
    const run = await ingestPage(database, {
      scraper: getScraper(f.scraper),
      url: f.meta.url,
      body: Buffer.from(fixtureBody(f), 'utf8'),
      observedAt: observedAt(f),
      confirmed: true,
    });
    onRun?.(f, run);
    runs.push(run);
  }
  return runs;
}
