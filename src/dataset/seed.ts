// At start-up the database is brought up to date with data/: imported when the files changed since
// the last seed (import is idempotent, so this is only a saving, never a correctness matter).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { first } from '../timeline/write.ts';
import type { Database } from '../db/client.ts';
import { datasetFiles, importDataset, type ImportResult } from './import.ts';

export function datasetDigest(dir: string): string {
  const h = createHash('sha256');
  for (const f of datasetFiles(dir)) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

export async function seedFromDataset(database: Database, dir: string): Promise<ImportResult | null> {
  const digest = datasetDigest(dir);
  const row = await first<{ value: string }>(database.db, sql`SELECT value FROM meta WHERE key = 'seed_digest'`);
  if (row?.value === digest) return null;
  const result = await importDataset(database, dir);
  await database.db.run(sql`INSERT INTO meta (key, value) VALUES ('seed_digest', ${digest})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  return result;
}
