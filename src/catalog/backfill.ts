// `tokentrail backfill <catalog> <git dir>`: walks the catalog's git log oldest first; each commit
// that touched its files is an observation of the published file(s) at the commit time (knowledge
// time). A changed price without a date in the file is detected between the previous commit and
// this one (the pipeline's detectedBetween); a date the file states (start_date, from_date) wins.
import type { Database } from '../db/client.ts';
import { BadInputError } from '../errors.ts';
import type { Catalog } from './contract.ts';
import { commitsTouching, showFile, treeFiles, type CommitInfo } from './git.ts';
import { ingestCatalog, type CatalogRun } from './ingest.ts';

export interface BackfillOptions {
  /** Only commits at or after this instant (ms). */
  since?: number;
  /** Only the last n commits of the walk. */
  last?: number;
  /** Sample: the last commit of each window of this many days (detectedBetween widens to match). */
  everyDays?: number;
  /** Walk these commits instead of the log (tests replay a slice in any order). */
  commits?: CommitInfo[];
  officialProviders?: ReadonlySet<string>;
  /** The git dir is this public archive of the catalog's published file (`owner/name`), not the
   * catalog's own repository: its commits are cited there. */
  archive?: string;
  onProgress?: (msg: string) => void;
}

export interface BackfillResult {
  catalog: string;
  commits: number;
  runs: number;
  failed: number;
  suspect: number;
  factsAdded: number;
}

export async function backfillCatalog(database: Database, catalog: Catalog, gitDir: string, o: BackfillOptions = {}): Promise<BackfillResult> {
  // Observations are replayed in commit order whatever order they are given in, so a set of
  // commits always yields one timeline (each change detected between its neighbours).
  if (o.archive !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(o.archive)) throw new BadInputError(`--archive: "${o.archive}" is not owner/name`, { field: 'archive' });
  let commits = [...(o.commits ?? commitsTouching(gitDir, catalog.history.paths))].sort((a, b) => a.at - b.at || a.sha.localeCompare(b.sha));
  if (o.since !== undefined) commits = commits.filter((c) => c.at >= o.since!);
  if (o.everyDays !== undefined) {
    if (!(o.everyDays > 0)) throw new BadInputError('--every-days must be a positive number', { field: 'everyDays' });
    const w = o.everyDays * 86_400_000;
    commits = commits.filter((c, i) => i === commits.length - 1 || Math.floor(commits[i + 1].at / w) !== Math.floor(c.at / w));
  }
  if (o.last !== undefined) {
    if (!Number.isInteger(o.last) || o.last < 1) throw new BadInputError('--last must be a positive integer', { field: 'last' });
    commits = commits.slice(-o.last);
  }
  const out: BackfillResult = { catalog: catalog.id, commits: commits.length, runs: 0, failed: 0, suspect: 0, factsAdded: 0 };
  for (const [i, c] of commits.entries()) {
    o.onProgress?.(`${catalog.id}: commit ${i + 1}/${commits.length} ${c.sha.slice(0, 10)} ${new Date(c.at).toISOString().slice(0, 10)}`);
    const files = catalog.history.files({
      show: (path) => showFile(gitDir, c.sha, path),
      tree: (dir, filter) => treeFiles(gitDir, c.sha, dir, filter),
    });
    for (const f of files) {
      const run: CatalogRun = await ingestCatalog(database, catalog, f.text, {
        url: f.url,
        observedAt: c.at,
        confirmed: true,
        commit: { sha: c.sha, path: f.path, ...(o.archive ? { repo: o.archive } : {}) },
        officialProviders: o.officialProviders,
      });
      for (const r of run.runs) {
        out.runs++;
        if (r.outcome === 'failed') out.failed++;
        if (r.outcome === 'suspect') out.suspect++;
        out.factsAdded += r.factsAdded;
      }
    }
  }
  return out;
}
