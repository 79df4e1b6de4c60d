// Rebuilds data/ from the curated files plus the archived pages of the scraped providers:
//   npx tsx scripts/backfill.ts [provider…]   (default: anthropic deepseek openrouter)
// Starts from a fresh database, imports data/'s curated providers, ingests every dated real page
// oldest first (--confirmed), then exports: the git diff of data/ is what the pages added.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/db/client.ts';
import { importDataset } from '../src/dataset/import.ts';
import { exportDataset } from '../src/dataset/export.ts';
import { backfill } from '../src/dataset/backfill.ts';
import { getScraper } from '../scrapers/registry.ts';

const providers = process.argv.slice(2).length ? process.argv.slice(2) : ['anthropic', 'deepseek', 'openrouter'];
const dataDir = resolve(import.meta.dirname, '../data');
const dir = mkdtempSync(join(tmpdir(), 'tokentrail-backfill-'));
const database = await openDatabase({ url: `file:${join(dir, 'backfill.db')}` });
await importDataset(database, dataDir);
await backfill(database, providers.map(getScraper), (f, r) =>
  console.log(`${f.meta.date}  ${f.scraper.padEnd(10)} ${r.outcome.padEnd(9)} +${r.factsAdded} facts, ${r.factsSuperseded} superseded, ${r.changes.length} changes${r.reason ? ` (${r.reason})` : ''}`),
);
const out = await exportDataset(database.db, dataDir);
console.log(`exported ${out.files.length} files, ${out.written.length} changed`);
database.close();
rmSync(dir, { recursive: true, force: true });
