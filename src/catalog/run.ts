// Polling a catalog like any page: a conditional GET of each published file (validators kept in
// page_state under the file's own URL), a 304 is an unchanged observation, a fetch or parse failure
// is a failed run of the catalog and every price stands; what arrives goes through ingestCatalog.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { Scraper } from '../scrape/contract.ts';
import { fetchStatic } from '../scrape/fetch-static.ts';
import { recordFailedFetch, recordRunRow, type RunSummary } from '../scrape/pipeline.ts';
import type { ScrapeOptions } from '../scrape/run.ts';
import { recordRepeatObservations } from '../scrape/apply.ts';
import { bumpDataVersion, first } from '../timeline/write.ts';
import type { Catalog } from './contract.ts';
import { ingestCatalog } from './ingest.ts';

/** The catalog as the scheduler and provider health see it: runs of its files are under this id. */
export function catalogScraper(catalog: Catalog): Scraper {
  return {
    id: catalog.id.replace(/[^a-z0-9-]+/g, '-'),
    name: catalog.name,
    homepage: catalog.homepage,
    pages: catalog.urls.map((url) => ({ url })),
    kind: 'static',
    parse: () => {
      throw new Error(`${catalog.id} is a catalog: use scrapeCatalog`);
    },
    minRows: 0,
    changeThreshold: 0.5,
    origin: catalog.id,
    confidence: 'medium',
  };
}

export async function scrapeCatalog(database: Database, catalog: Catalog, opts: ScrapeOptions & { officialProviders?: ReadonlySet<string> } = {}): Promise<RunSummary[]> {
  const now = opts.now ?? Date.now;
  const self = catalogScraper(catalog);
  const out: RunSummary[] = [];
  for (const page of self.pages) {
    const startedAt = now();
    try {
      const state = await first<{ etag: string | null; last_modified: string | null }>(database.db, sql`SELECT etag, last_modified FROM page_state WHERE url = ${page.url}`);
      const r = await fetchStatic(opts.fetchUrl?.(page) ?? page.url, { ...opts.staticOptions, etag: state?.etag ?? undefined, lastModified: state?.last_modified ?? undefined, accept: 'application/json' });
      if (r.status === 'not-modified') {
        out.push(await recordCatalogUnchanged(database, self, page.url, startedAt, now()));
        continue;
      }
      const observedAt = now();
      const run = await ingestCatalog(database, catalog, r.body.toString('utf8'), { url: page.url, observedAt, emitEvents: opts.emitEvents ?? true, officialProviders: opts.officialProviders });
      if (run.outcome === 'failed') {
        out.push(...run.runs);
        continue;
      }
      // A suspect or failed slice must be read again next time (a second observation confirms it),
      // so the validators are kept only when every slice was taken.
      const settled = run.runs.every((x) => x.outcome === 'ok' || x.outcome === 'unchanged');
      await database.db.run(sql`INSERT INTO page_state (url, provider, etag, last_modified, last_observed_at) VALUES (${page.url}, ${self.id}, ${settled ? (r.etag ?? null) : null}, ${settled ? (r.lastModified ?? null) : null}, ${observedAt})
        ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, last_observed_at = excluded.last_observed_at`);
      out.push(await catalogRun(database, self, page.url, startedAt, 'ok', `${run.runs.length} providers read`), ...run.runs);
    } catch (e) {
      const err = e as Error;
      out.push(await recordFailedFetch(database, self, page.url, `${err.name}: ${err.message}`, startedAt));
    }
  }
  return out;
}

/**
 * A 304 for the file: one unchanged run of the catalog, and an observation of every slice it last
 * read (as a page's 304 is, recordUnchanged): a later change is detected from here on, since
 * detectedBetween starts at a series' previous observation.
 */
async function recordCatalogUnchanged(database: Database, self: Scraper, url: string, startedAt: number, at: number): Promise<RunSummary> {
  const reason = 'not modified (304)';
  let runId = 0;
  await database.db.transaction(async (tx) => {
    runId = await recordRunRow(tx, { provider: self.id, url, startedAt, outcome: 'unchanged', reason, snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    const slices = await tx.all<{ url: string; last_snapshot: string | null }>(sql`SELECT url, last_snapshot FROM page_state WHERE url LIKE ${`${url}#%`} AND pending_snapshot IS NULL`);
    await tx.run(sql`UPDATE page_state SET last_observed_at = max(coalesce(last_observed_at, 0), ${at}) WHERE url LIKE ${`${url}#%`} AND pending_snapshot IS NULL`);
    for (const slice of slices) if (slice.last_snapshot) await recordRepeatObservations(tx, runId, slice.url, slice.last_snapshot, at, at);
    if (slices.some((x) => x.last_snapshot)) await bumpDataVersion(tx);
  });
  return { runId, provider: self.id, url, outcome: 'unchanged', reason, snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
}

async function catalogRun(database: Database, self: Scraper, url: string, startedAt: number, outcome: 'ok', reason: string): Promise<RunSummary> {
  const runId = await recordRunRow(database.db, { provider: self.id, url, startedAt, outcome, reason, snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
  return { runId, provider: self.id, url, outcome, reason, snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
}
