import { openDatabase } from '/work/wt/cat/src/db/client.ts';
import { importDataset } from '/work/wt/cat/src/dataset/import.ts';
import { exportDataset } from '/work/wt/cat/src/dataset/export.ts';
import { backfillCatalog } from '/work/wt/cat/src/catalog/backfill.ts';
import { getCatalog } from '/work/wt/cat/scrapers/catalogs.ts';
import { scrapers } from '/work/wt/cat/scrapers/registry.ts';
import { rmSync, mkdirSync } from 'node:fs';
const [out, gpLast, mdLast, llLast] = process.argv.slice(2);
rmSync('/tmp/build.db', { force: true });
const d = await openDatabase({ url: 'file:/tmp/build.db' });
await importDataset(d, '/work/wt/cat/data');
const official = new Set(scrapers.map((s) => s.id));
const M = '/work/.mirror/';
for (const [id, dir, last] of [['llm-prices', 'simonw+llm-prices', llLast], ['genai-prices', 'pydantic+genai-prices', gpLast], ['models.dev', 'anomalyco+models.dev', mdLast]] as const) {
  const t = Date.now();
  const r = await backfillCatalog(d, getCatalog(id), M + dir + '/repo', { last: Number(last) || undefined, officialProviders: official });
  console.log(JSON.stringify(r), Date.now() - t, 'ms');
}
mkdirSync(out, { recursive: true });
const e = await exportDataset(d.db, out);
console.log('files', e.files.length);
d.close();
