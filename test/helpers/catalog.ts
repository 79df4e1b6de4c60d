// Shared by the catalog tests: a real history slice replayed into a temp git repository (original
// commit times), the timeline a backfill of it leaves, and a provider's own facts from data/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalog } from '../../src/catalog/contract.ts';
import { backfillCatalog, type BackfillOptions } from '../../src/catalog/backfill.ts';
import type { CommitInfo } from '../../src/catalog/git.ts';
import { importDataset } from '../../src/dataset/import.ts';
import type { Database } from '../../src/db/client.ts';
import { SCRAPERS_DIR } from '../../src/scrape/fixtures.ts';
import { DATA_DIR, tempDir } from './cli.ts';
import { freshDatabase } from './db.ts';

export interface HistorySlice {
  paths: string[];
  commits: Array<{ sha: string; committedAt: string; files: Record<string, string> }>;
}

export function readHistorySlice(folder: string, file: string): HistorySlice {
  return JSON.parse(readFileSync(join(SCRAPERS_DIR, folder, 'history', file), 'utf8')) as HistorySlice;
}

/** Each commit of the slice as a commit of a new repository, at its original time; the git dir. */
export function replayHistory(slice: HistorySlice): string {
  const work = join(tempDir(), 'repo');
  mkdirSync(work, { recursive: true });
  const git = (args: string[], env: Record<string, string> = {}) => execFileSync('git', ['-C', work, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  git(['init', '-q']);
  for (const c of slice.commits) {
    for (const [p, text] of Object.entries(c.files)) {
      mkdirSync(dirname(join(work, p)), { recursive: true });
      writeFileSync(join(work, p), text);
    }
    git(['add', '-A']);
    git(['-c', 'user.name=replay', '-c', 'user.email=replay@example.invalid', 'commit', '-q', '--allow-empty', '-m', `replay ${c.sha}`], { GIT_AUTHOR_DATE: c.committedAt, GIT_COMMITTER_DATE: c.committedAt });
  }
  return join(work, '.git');
}

/** The timeline as known after backfilling `order` into a fresh database: every live fact. */
export async function backfillTimeline(catalog: Catalog, gitDir: string, order: CommitInfo[], opened: Database[], o: BackfillOptions = {}) {
  const d = await freshDatabase();
  opened.push(d);
  const result = await backfillCatalog(d, catalog, gitDir, { ...o, commits: order });
  const rows = await d.client.execute(`SELECT s.model, s.component, s.currency, s.conditions, s.kind, s.origin, f.amount, f.valid_from, f.valid_to, f.detected_between
    FROM facts f JOIN series s ON s.id = f.series_id WHERE f.superseded_at IS NULL
    ORDER BY s.model, s.component, s.conditions, s.kind, f.valid_from`);
  return { result, rows: rows.rows.map((x) => ({ ...x })), db: d };
}

/** A provider's own facts from data/ (the file also holds the catalogs' series, which tests add themselves). */
export async function importOwnFacts(d: Database, provider: string, o: { ownModelsOnly?: boolean } = {}): Promise<void> {
  const dir = join(tempDir(), 'data');
  mkdirSync(dir);
  const own = JSON.parse(readFileSync(join(DATA_DIR, `${provider}.json`), 'utf8'));
  own.facts = own.facts.filter((f: { origin?: string }) => !f.origin);
  // Only the models the provider's own facts price (a catalog's models come with its ingest).
  if (o.ownModelsOnly) own.models = own.models.filter((m: { id: string }) => own.facts.some((f: { model: string }) => f.model === m.id));
  writeFileSync(join(dir, `${provider}.json`), JSON.stringify(own));
  await importDataset(d, dir);
}
