// Scraping a provider: fetch each of its pages (static GET or a rendered browser page) and run
// what came back through the pipeline. A fetch failure is a failed run; prices stand.
import { sql } from 'drizzle-orm';
import { first } from '../timeline/write.ts';
import type { Database } from '../db/client.ts';
import type { Scraper, ScraperPage } from './contract.ts';
import { fetchStatic, type FetchStaticOptions } from './fetch-static.ts';
import { BrowserPool } from './fetch-browser.ts';
import { ingestPage, recordFailedFetch, recordUnchanged, type RunSummary } from './pipeline.ts';

export interface ScrapeOptions {
  /** Where to fetch a page from instead of its public URL (tests serve pages on 127.0.0.1). */
  fetchUrl?: (page: ScraperPage) => string;
  staticOptions?: FetchStaticOptions;
  /** A browser pool to reuse across providers; one is made (and closed) when absent. */
  pool?: BrowserPool;
  emitEvents?: boolean;
  now?: () => number;
}

export async function scrapeProvider(database: Database, scraper: Scraper, opts: ScrapeOptions = {}): Promise<RunSummary[]> {
  const now = opts.now ?? Date.now;
  const out: RunSummary[] = [];
  let ownPool: BrowserPool | undefined;
  try {
    for (const page of scraper.pages) {
      const from = opts.fetchUrl?.(page) ?? page.url;
      const startedAt = now();
      try {
        if (scraper.kind === 'browser') {
          const pool = opts.pool ?? (ownPool ??= new BrowserPool());
          const r = await pool.render(from, scraper.browser!, { maxBodyBytes: scraper.maxBodyBytes });
          out.push(await ingestPage(database, { scraper, url: page.url, body: Buffer.from(r.body, 'utf8'), contentType: r.as === 'html' ? 'text/html' : 'text/plain', observedAt: now(), emitEvents: opts.emitEvents ?? true }));
          continue;
        }
        const state = await first<{ etag: string | null; last_modified: string | null }>(database.db, sql`SELECT etag, last_modified FROM page_state WHERE url = ${page.url}`);
        const r = await fetchStatic(from, { maxBodyBytes: scraper.maxBodyBytes, ...opts.staticOptions, etag: state?.etag ?? undefined, lastModified: state?.last_modified ?? undefined });
        if (r.status === 'not-modified') {
          out.push(await recordUnchanged(database, scraper, page.url, now(), startedAt));
          continue;
        }
        out.push(
          await ingestPage(database, {
            scraper,
            url: page.url,
            body: r.body,
            contentType: r.contentType,
            observedAt: now(),
            etag: r.etag ?? null,
            lastModified: r.lastModified ?? null,
            emitEvents: opts.emitEvents ?? true,
          }),
        );
      } catch (e) {
        const err = e as Error;
        out.push(await recordFailedFetch(database, scraper, page.url, `${err.name}: ${err.message}`, startedAt));
      }
    }
  } finally {
    await ownPool?.close();
  }
  return out;
}
