// Seeding reference rates from data/fx/<source>.json (called by `tokentrail import` and at server
// start next to the price dataset's seed). Skipped when the files did not change since the last
// seed (a digest in meta); the import itself is idempotent.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { first } from '../timeline/write.ts';
import { readFxDataset } from './dataset.ts';
import { writeFxDays } from './store.ts';

/** data/fx/: beside the per-provider files, not among them (data/*.json are provider datasets). */
export const fxDir = (dataDir: string) => join(dataDir, 'fx');

function fxFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((n) => join(dir, n));
  } catch {
    return [];
  }
}

export interface FxImportResult {
  files: number;
  days: number;
  daysWritten: number;
}

export async function importFxFile(database: Database, file: string): Promise<{ days: number; daysWritten: number }> {
  const ds = readFxDataset(file);
  const daysWritten = await writeFxDays(database, ds.source, {
    days: ds.days,
    spans: ds.complete.map((c) => ({ from: c.from, to: c.to, origin: c.origin })),
    origins: ds.origins,
  });
  return { days: ds.days.length, daysWritten };
}

export async function importFx(database: Database, dataDir: string, opts: { force?: boolean } = {}): Promise<FxImportResult | null> {
  const files = fxFiles(fxDir(dataDir));
  if (files.length === 0) return null;
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  const digest = h.digest('hex');
  const row = await first<{ value: string }>(database.db, sql`SELECT value FROM meta WHERE key = 'fx_seed_digest'`);
  if (!opts.force && row?.value === digest) return null;
  const out: FxImportResult = { files: files.length, days: 0, daysWritten: 0 };
  for (const f of files) {
    const r = await importFxFile(database, f);
    out.days += r.days;
    out.daysWritten += r.daysWritten;
  }
  await database.db.run(sql`INSERT INTO meta (key, value) VALUES ('fx_seed_digest', ${digest})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  return out;
}
