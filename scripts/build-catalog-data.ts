// Rebuilds data/ with the catalogs: imports data/ without its catalog facts (the providers' own
// pages and curated facts as they are), backfills each catalog from a local git mirror of its
// repository, and exports data/ again (deterministic files). Starting the catalogs from nothing
// makes the build reproducible: the same mirrors give the same files. Usage:
//   npx tsx scripts/build-catalog-data.ts <mirrors dir> [--out data] [--models-dev-every-days 7] [--litellm-every-days 7]
// where <mirrors dir>/<owner>+<name>/repo are git directories (e.g. from `git clone --mirror`).
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { openDatabase, PACKAGE_ROOT } from '../src/db/client.ts';
import { datasetFiles, importDataset, importDatasets, readDatasetFile } from '../src/dataset/import.ts';
import { exportDataset } from '../src/dataset/export.ts';
import { backfillCatalog } from '../src/catalog/backfill.ts';
import { catalogs, getCatalog } from '../scrapers/catalogs.ts';
import { scrapers } from '../scrapers/registry.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const mirrors = args[0];
if (!mirrors || mirrors.startsWith('--')) {
  process.stderr.write('usage: npx tsx scripts/build-catalog-data.ts <mirrors dir> [--out data] [--models-dev-every-days 7] [--litellm-every-days 7]\n');
  process.exit(2);
}
const out = resolve(flag('--out') ?? join(PACKAGE_ROOT, 'data'));
const everyDays = Number(flag('--models-dev-every-days') ?? 7);
const litellmEveryDays = Number(flag('--litellm-every-days') ?? 7);
const dbFile = join(tmpdir(), `tokentrail-catalog-build-${process.pid}.db`);
rmSync(dbFile, { force: true });
const d = await openDatabase({ url: `file:${dbFile}` });
// A model only catalogs made (all its facts, or its only sources, a catalog's) goes with their facts:
// the backfill makes it again under the id the catalogs' identity rules give it (src/catalog/identity.ts),
// so an id a rule now reads as an alias of another model does not linger as a model of its own.
const catalogUrls = catalogs.flatMap((c) => c.urls);
const fromCatalog = (url: string) => catalogUrls.some((u) => url.startsWith(u)) || url.startsWith('https://raw.githubusercontent.com/simonw/llm-prices/');
await importDatasets(
  d,
  datasetFiles(join(PACKAGE_ROOT, 'data')).map((f) => {
    const ds = readDatasetFile(f);
    const own = new Set(ds.facts.filter((x) => !x.origin).map((x) => x.model));
    const priced = new Set(ds.facts.map((x) => x.model));
    const catalogMade = (m: (typeof ds.models)[number]) =>
      !own.has(m.id) && (priced.has(m.id) || (m.sources !== undefined && m.sources.length > 0 && m.sources.every((s) => fromCatalog(s.url))));
    // A kept model's aliases a catalog gave go too (the backfill gives them again), so the build
    // depends on the providers' own data only, not on the data/ it rebuilds.
    const models = ds.models
      .filter((m) => !catalogMade(m))
      .map(({ aliases, ...m }) => {
        const kept = (aliases ?? []).filter((a) => !(a.sources.length > 0 && a.sources.every((s) => fromCatalog(s.url))));
        return kept.length ? { ...m, aliases: kept } : m;
      });
    return { ...ds, models, facts: ds.facts.filter((x) => !x.origin) };
  }),
);
const official = new Set(scrapers.map((s) => s.id));
const plan = [
  { id: 'llm-prices', repo: 'simonw+llm-prices' },
  { id: 'genai-prices', repo: 'pydantic+genai-prices' },
  { id: 'models.dev', repo: 'anomalyco+models.dev', everyDays },
  // LiteLLM's repository is too large to mirror here; its published file's history is read from
  // the public hourly archive of it (hundreds of commits of a 1.5 MB file: sampled like models.dev).
  { id: 'litellm', repo: 'RoCry+llm-api-price', archive: 'RoCry/llm-api-price', everyDays: litellmEveryDays },
];
for (const p of plan) {
  const t = Date.now();
  const r = await backfillCatalog(d, getCatalog(p.id), join(mirrors, p.repo, 'repo'), { officialProviders: official, everyDays: p.everyDays, archive: p.archive });
  process.stdout.write(`${JSON.stringify(r)} ${Date.now() - t} ms\n`);
}
mkdirSync(out, { recursive: true });
await exportDataset(d.db, out);
d.close();
rmSync(dbFile, { force: true });
// Once more through import: records the pipeline updated in place get the schema's key order, so
// the files are a fixed point of import → export (byte-identical round trip).
const again = await openDatabase({ url: `file:${dbFile}` });
await importDataset(again, out);
const e = await exportDataset(again.db, out);
process.stdout.write(`exported ${e.files.length} files to ${out} (${e.written.length} rewritten in schema order)\n`);
again.close();
rmSync(dbFile, { force: true });
