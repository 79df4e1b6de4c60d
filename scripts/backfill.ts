// Rebuilds data/ from the curated files plus the archived pages of the scraped providers:
//   npx tsx scripts/backfill.ts [--rederive] [provider…]   (default: every provider with real dated pages)
// Starts from a fresh database, imports data/, ingests every dated real page oldest first
// (--confirmed), then exports: the git diff of data/ is what the pages added.
// --rederive first leaves out every fact data/ holds from a provider page (origin '' with a page
// snapshot in its sources), so those facts are derived again by today's scrapers and pipeline
// (curated facts and catalog facts stay as they are).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/db/client.ts';
import { importDataset } from '../src/dataset/import.ts';
import { exportDataset } from '../src/dataset/export.ts';
import { backfill } from '../src/dataset/backfill.ts';
import { getScraper } from '../scrapers/registry.ts';
import type { PriceFact, ProviderDataset } from '../src/model.ts';

const args = process.argv.slice(2);
const rederive = args.includes('--rederive');
const named = args.filter((a) => !a.startsWith('--'));
const providers = named.length ? named : ['anthropic', 'deepseek', 'openrouter', 'openai', 'google', 'moonshot', 'minimax'];
const dataDir = resolve(import.meta.dirname, '../data');
const dir = mkdtempSync(join(tmpdir(), 'tokentrail-backfill-'));

const fromPage = (f: PriceFact) => !f.origin && f.sources.some((s) => s.snapshot !== undefined);

/**
 * The file without what pages taught: their facts, and what their reconciles did to curated facts
 * (a curated fact superseded at a page's knowledge instant, replaced by a closed copy recorded
 * then): the copy goes, the original is live again, and the pages are read anew.
 */
function withoutPageKnowledge(facts: PriceFact[]): PriceFact[] {
  const pageInstants = new Set(facts.filter(fromPage).map((f) => f.recordedAt));
  const rest = facts.filter((f) => !fromPage(f));
  const key = (f: PriceFact) => JSON.stringify([f.model, f.component, f.currency, f.unit, f.conditions, f.kind, f.origin ?? '', f.amount, f.validFrom]);
  const copies = new Set(
    rest.filter((c) => pageInstants.has(c.recordedAt) && rest.some((o) => o !== c && key(o) === key(c) && o.supersededAt === c.recordedAt)),
  );
  return rest
    .filter((f) => !copies.has(f))
    .map((f) => {
      if (!f.supersededAt || !pageInstants.has(f.supersededAt)) return f;
      const { supersededAt: _s, ...live } = f;
      return live as PriceFact;
    });
}
let source = dataDir;
if (rederive) {
  source = join(dir, 'data');
  mkdirSync(source, { recursive: true });
  for (const name of readdirSync(dataDir)) {
    if (!name.endsWith('.json')) continue;
    const file = JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as ProviderDataset;
    const kept = providers.includes(file.provider.id) ? withoutPageKnowledge(file.facts) : file.facts;
    if (kept.length !== file.facts.length) console.log(`${name}: ${file.facts.length - kept.length} page facts left out, to be derived again`);
    writeFileSync(join(source, name), JSON.stringify({ ...file, facts: kept }));
  }
}
const database = await openDatabase({ url: `file:${join(dir, 'backfill.db')}` });
await importDataset(database, source);
await backfill(database, providers.map(getScraper), (f, r) =>
  console.log(`${f.meta.date}  ${f.scraper.padEnd(10)} ${r.outcome.padEnd(9)} +${r.factsAdded} facts, ${r.factsSuperseded} superseded, ${r.changes.length} changes${r.reason ? ` (${r.reason.slice(0, 160)})` : ''}`),
);
const out = await exportDataset(database.db, dataDir);
console.log(`exported ${out.files.length} files, ${out.written.length} changed`);
database.close();
rmSync(dir, { recursive: true, force: true });
