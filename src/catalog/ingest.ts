// A catalog observation is many page observations at once: the catalog's parse is split per
// tokentrail provider and each provider's slice runs through the scrape pipeline (`ingestPage`) as a
// page of its own — `<catalog url>#<catalog provider id>` — with the catalog's origin and medium
// confidence. So conditional GETs, snapshots, guards, coverage and the one reconcile apply to
// catalogs exactly as to pages, and a catalog only ever writes its own series.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { ParseResult, type Model } from '../model.ts';
import type { Scraper } from '../scrape/contract.ts';
import { ingestPage, recordFailedFetch, type RunSummary } from '../scrape/pipeline.ts';
import { alignWithProviderLines } from './align.ts';
import { canonicalizeSlice, type KnownModels } from './identity.ts';
import { first } from '../timeline/write.ts';
import { toIso } from '../time.ts';
import type { Catalog, CatalogParse, CatalogProviderResult } from './contract.ts';

export interface CatalogIngestOptions {
  /** The published URL the text came from (one of catalog.urls). */
  url: string;
  observedAt: number;
  knownAt?: number;
  /** Backfill of a commit: skips the second-observation rule (the guards still run). */
  confirmed?: boolean;
  /** A git commit the text was read at: cited as the archive copy. `repo` names the public
   * repository the commit is in when it is not the catalog's own (an archive of its published file). */
  commit?: { sha: string; path: string; repo?: string };
  /** Providers whose own page we read: catalog changes there raise no events. */
  officialProviders?: ReadonlySet<string>;
  emitEvents?: boolean;
  etag?: string | null;
  lastModified?: string | null;
}

export interface CatalogRun {
  catalog: string;
  url: string;
  outcome: 'ok' | 'failed';
  reason: string | null;
  runs: RunSummary[];
}

/** The page URL one provider's slice of a catalog is known by. */
export const sliceUrl = (catalogUrl: string, catalogProvider: string) => `${catalogUrl}#${encodeURIComponent(catalogProvider)}`;

/** The scraper a provider's slice runs as: its parse reads back the slice, a ParseResult. */
export function sliceScraper(catalog: Catalog, slice: CatalogProviderResult, url: string): Scraper {
  return {
    id: slice.provider.id,
    name: slice.provider.name,
    homepage: slice.provider.url,
    pages: [{ url }],
    kind: 'static',
    parse: (text) => ParseResult.parse(JSON.parse(text)),
    minRows: 1,
    changeThreshold: 0.5,
    origin: catalog.id,
    confidence: 'medium',
  };
}

export async function ingestCatalog(database: Database, catalog: Catalog, text: string, o: CatalogIngestOptions): Promise<CatalogRun> {
  let parsed: CatalogParse;
  try {
    parsed = catalog.parse(text, { url: o.url, observedAt: toIso(o.observedAt) });
  } catch (e) {
    const reason = `${(e as Error).name === 'LayoutChangedError' ? 'layout changed: ' : 'parse failed: '}${(e as Error).message}`;
    const run = await recordFailedFetch(database, catalogAsScraper(catalog, o.url), o.url, reason, o.observedAt);
    return { catalog: catalog.id, url: o.url, outcome: 'failed', reason, runs: [run] };
  }
  const runs: RunSummary[] = [];
  const archiveUrl = o.commit ? `https://github.com/${o.commit.repo ?? catalog.repo}/blob/${o.commit.sha}/${o.commit.path}` : undefined;
  for (const slice of parsed.providers) {
    if (slice.result.observations.length === 0) continue; // a provider the catalog prices nowhere: nothing to say
    await ensureProvider(database, slice);
    const url = sliceUrl(o.url, slice.catalogProvider);
    // One model under one id: the catalog's other ids for it become aliases (src/catalog/identity.ts).
    const same = canonicalizeSlice(slice.provider.id, slice.result, await knownModels(database, slice.provider.id), catalog.identity, catalog.id);
    const body = Buffer.from(JSON.stringify(alignWithProviderLines(slice.provider.id, same.result)), 'utf8');
    const run = await ingestPage(database, {
      scraper: sliceScraper(catalog, slice, url),
      url,
      body,
      contentType: 'application/json',
      observedAt: o.observedAt,
      knownAt: o.knownAt,
      confirmed: o.confirmed,
      archiveUrl,
      emitEvents: (o.emitEvents ?? false) && !o.officialProviders?.has(slice.provider.id),
      etag: o.etag,
      lastModified: o.lastModified,
    });
    runs.push(run);
    if (run.outcome === 'ok' && slice.upstream) {
      const to = new Map(same.collapses.filter((c) => !c.conditions).map((c) => [c.from, c.to]));
      await linkUpstream(database, Object.fromEntries(Object.entries(slice.upstream).map(([id, up]) => [to.get(id) ?? id, up])));
    }
  }
  return { catalog: catalog.id, url: o.url, outcome: 'ok', reason: null, runs };
}

/** A provider the timeline does not know yet gets the catalog's record; a known one keeps its own. */
async function ensureProvider(database: Database, slice: CatalogProviderResult): Promise<void> {
  const p = slice.provider;
  await database.db.run(sql`INSERT INTO providers (id, name, url, record) VALUES (${p.id}, ${p.name}, ${p.url}, ${JSON.stringify(p)}) ON CONFLICT (id) DO NOTHING`);
}

/** The provider's models the timeline holds, and those a page of its own (or a curated fact) prices. */
async function knownModels(database: Database, provider: string): Promise<KnownModels> {
  const ids = await database.db.all<{ id: string }>(sql`SELECT id FROM models WHERE provider = ${provider}`);
  const official = await database.db.all<{ model: string }>(sql`SELECT DISTINCT s.model FROM series s JOIN models m ON m.id = s.model WHERE m.provider = ${provider} AND s.origin = ''`);
  return { ids: new Set(ids.map((r) => r.id)), official: new Set(official.map((r) => r.model)) };
}

/** Hosted models name the model they serve; a link once made stays (the catalog may drop it). An
 * upstream id that is an alias (a collapsed catalog id) links to the model it names. */
async function linkUpstream(database: Database, upstream: Record<string, string>): Promise<void> {
  for (const [id, named] of Object.entries(upstream)) {
    const row = await first<{ record: string }>(database.db, sql`SELECT record FROM models WHERE id = ${id}`);
    if (!row) continue;
    const m = JSON.parse(row.record) as Model;
    if (m.upstream) continue;
    const isModel = await first<{ id: string }>(database.db, sql`SELECT id FROM models WHERE id = ${named}`);
    const viaAlias = isModel ? null : await first<{ model: string }>(database.db, sql`SELECT model FROM aliases WHERE alias = ${named} AND valid_to IS NULL ORDER BY valid_from DESC, model LIMIT 1`);
    const up = viaAlias?.model ?? named;
    const { aliases, note, sources, ...rest } = m;
    const next: Model = { ...rest, upstream: up, ...(aliases ? { aliases } : {}), ...(note ? { note } : {}), ...(sources ? { sources } : {}) };
    await database.db.run(sql`UPDATE models SET record = ${JSON.stringify(orderModel(next))} WHERE id = ${id}`);
  }
}

const MODEL_KEYS = ['id', 'provider', 'name', 'contextWindow', 'maxOutput', 'releasedAt', 'deprecatedAt', 'retiredAt', 'renamedFrom', 'upstream', 'aliases', 'note', 'sources'] as const;
function orderModel(m: Model): Model {
  const out: Record<string, unknown> = {};
  for (const k of MODEL_KEYS) if (m[k] !== undefined) out[k] = m[k];
  return out as Model;
}

/** For recording a failed run of the whole catalog. */
function catalogAsScraper(catalog: Catalog, url: string): Scraper {
  return { id: catalog.id.replace(/\./g, '-'), name: catalog.name, homepage: catalog.homepage, pages: [{ url }], kind: 'static', parse: () => ({ provider: catalog.id, observations: [] }), minRows: 0, changeThreshold: 1, origin: catalog.id, confidence: 'medium' };
}
