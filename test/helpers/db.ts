// A fresh libsql database file in a temp directory, migrated; optionally seeded from data/.
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { importDataset } from '../../src/dataset/import.ts';
import { DATA_DIR, tempDir } from './cli.ts';

export async function freshDatabase(opts: { seed?: boolean } = {}): Promise<Database & { file: string }> {
  const file = join(tempDir(), 'test.db');
  const d = await openDatabase({ url: `file:${file}` });
  if (opts.seed) await importDataset(d, DATA_DIR);
  return Object.assign(d, { file });
}

export async function factCount(d: Database): Promise<number> {
  const r = await d.client.execute('SELECT count(*) AS c FROM facts');
  return Number(r.rows[0].c);
}
