// Writing the stored reference rates back to data/fx/<source>.json (`tokentrail export`), so days
// the worker fetched become part of the published, git-diffable dataset. Deterministic: importing
// a file and exporting it reproduces it byte for byte.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { FxDataset, FxOrigin } from './contract.ts';
import { formatFxDataset, mergeSpans } from './dataset.ts';
import { fxDir } from './import.ts';
import { FX_SOURCE_META } from './store.ts';

export async function fxDatasetFromDb(db: Db, source: string): Promise<FxDataset | null> {
  const meta = FX_SOURCE_META[source];
  if (!meta) return null;
  const rows = await db.all<{ date: string; rates: string; origin: string }>(sql`SELECT date, rates, origin FROM fx_days WHERE source = ${source} ORDER BY date`);
  if (rows.length === 0) return null;
  const days: FxDataset['days'] = rows.map((r) => ({ date: r.date, origin: r.origin, rates: JSON.parse(r.rates) as Record<string, string> }));
  const spans = await db.all<{ from: string; to: string; origin: string }>(sql`SELECT first_date AS "from", last_date AS "to", origin FROM fx_spans WHERE source = ${source}`);
  const origins = await db.all<{ id: string; record: string }>(sql`SELECT id, record FROM fx_origins WHERE source = ${source} ORDER BY id`);
  const used = new Set([...days.map((d) => d.origin), ...spans.map((s) => s.origin)]);
  return {
    source,
    ...meta,
    complete: mergeSpans(spans),
    origins: Object.fromEntries(origins.filter((o) => used.has(o.id)).map((o) => [o.id, JSON.parse(o.record) as FxOrigin])),
    days,
  };
}

/** Writes data/fx/<source>.json for every source with stored rates; returns the files written (changed ones). */
export async function exportFx(db: Db, dataDir: string): Promise<{ files: string[]; written: string[] }> {
  const out = { files: [] as string[], written: [] as string[] };
  for (const source of Object.keys(FX_SOURCE_META)) {
    const ds = await fxDatasetFromDb(db, source);
    if (!ds) continue;
    const dir = fxDir(dataDir);
    const file = join(dir, `${source}.json`);
    const text = formatFxDataset(ds);
    out.files.push(file);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    out.written.push(file);
  }
  return out;
}
