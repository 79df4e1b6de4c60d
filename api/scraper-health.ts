// Scraper health per provider, read straight from the shared scrape_runs table.
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.ts';
import { first } from '../src/timeline/write.ts';

export interface ScraperHealthRow {
  provider: string;
  runs: number;
  lastRunAt: number | null;
  lastOutcome: string | null;
  lastSuccess: number | null;
  lastFailure: number | null;
  lastFailureReason: string | null;
  consecutiveFailures: number;
}

/** Per provider: last run, last success (ok/unchanged), last failure and the worst page's failures since its last success. */
export async function scraperHealthRows(db: Db): Promise<ScraperHealthRow[]> {
  const rows = await db.all<{
    provider: string;
    runs: number;
    last_run: number | null;
    last_success: number | null;
    last_failure: number | null;
  }>(sql`SELECT provider, count(*) AS runs, max(started_at) AS last_run,
      max(CASE WHEN outcome IN ('ok', 'unchanged') THEN coalesce(finished_at, started_at) END) AS last_success,
      max(CASE WHEN outcome = 'failed' THEN coalesce(finished_at, started_at) END) AS last_failure
    FROM scrape_runs GROUP BY provider ORDER BY provider`);
  const out: ScraperHealthRow[] = [];
  for (const r of rows) {
    const last = await first<{ outcome: string }>(db, 
      sql`SELECT outcome FROM scrape_runs WHERE provider = ${r.provider} ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    const reason = await first<{ reason: string | null }>(db, 
      sql`SELECT reason FROM scrape_runs WHERE provider = ${r.provider} AND outcome = 'failed' ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    // The worst page's streak of failures since its last success, as the scheduler counts it.
    const streak = await first<{ n: number }>(db, sql`SELECT max(n) AS n FROM (
      SELECT count(*) AS n FROM scrape_runs r WHERE r.provider = ${r.provider} AND r.outcome = 'failed'
        AND r.id > coalesce((SELECT max(id) FROM scrape_runs s WHERE s.provider = r.provider AND s.url IS r.url AND s.outcome IN ('ok', 'unchanged')), 0)
      GROUP BY r.url)`);
    out.push({
      provider: r.provider,
      runs: Number(r.runs),
      lastRunAt: r.last_run === null ? null : Number(r.last_run),
      lastOutcome: last?.outcome ?? null,
      lastSuccess: r.last_success === null ? null : Number(r.last_success),
      lastFailure: r.last_failure === null ? null : Number(r.last_failure),
      lastFailureReason: reason?.reason ?? null,
      consecutiveFailures: Number(streak?.n ?? 0),
    });
  }
  return out;
}
