// A provider's scraper health, read from scrape_runs (the table the scrape pipeline writes and
// GET /v1/providers reads): last success (ok/unchanged), last failure, and the failure streak.
// A `suspect` run is neither a success nor a failure: it waits for a second observation.
//
// The streak is counted per page (runs are per page) and the provider's streak is its worst page,
// exactly as /v1/providers counts consecutiveFailures: scheduled runs, not page fetches. Rows are
// ordered by id, not by time, so clocks never disagree about what came last.
import { sql } from 'drizzle-orm';
import type { Scraper } from '../scrape/contract.ts';
import type { Tx } from '../timeline/write.ts';

export interface ProviderHealth {
  provider: string;
  consecutiveFailures: number;
  /** Start of the oldest failed run in the current streak. */
  failingSince: number | null;
  lastFailure: { at: number; reason: string | null; url: string | null } | null;
  lastSuccessAt: number | null;
}

export async function providerHealth(tx: Tx, scraper: Scraper): Promise<ProviderHealth> {
  let consecutiveFailures = 0;
  let failingSince: number | null = null;
  for (const page of scraper.pages) {
    const r = (await tx.all<{ n: number; since: number | null }>(sql`SELECT count(*) AS n, min(started_at) AS since FROM scrape_runs
      WHERE provider = ${scraper.id} AND url = ${page.url} AND outcome = 'failed'
        AND id > coalesce((SELECT max(id) FROM scrape_runs WHERE provider = ${scraper.id} AND url = ${page.url} AND outcome IN ('ok', 'unchanged')), 0)`))[0];
    const n = Number(r?.n ?? 0);
    if (n > consecutiveFailures) {
      consecutiveFailures = n;
      failingSince = r?.since == null ? null : Number(r.since);
    }
  }
  const fail = (await tx.all<{ at: number; reason: string | null; url: string | null }>(sql`SELECT coalesce(finished_at, started_at) AS at, reason, url
    FROM scrape_runs WHERE provider = ${scraper.id} AND outcome = 'failed' ORDER BY id DESC LIMIT 1`))[0];
  const ok = (await tx.all<{ at: number | null }>(sql`SELECT max(coalesce(finished_at, started_at)) AS at FROM scrape_runs
    WHERE provider = ${scraper.id} AND outcome IN ('ok', 'unchanged')`))[0];
  return {
    provider: scraper.id,
    consecutiveFailures,
    failingSince,
    lastFailure: fail ? { at: Number(fail.at), reason: fail.reason, url: fail.url } : null,
    lastSuccessAt: ok?.at == null ? null : Number(ok.at),
  };
}
