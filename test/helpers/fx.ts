// A seeded server (data/*.json) with the reference rates of data/fx/ imported too.
import { importFx } from '../../src/fx/import.ts';
import { DATA_DIR, startSeededServer, type SeededServer } from './server.ts';

export async function startServerWithRates(): Promise<SeededServer> {
  const s = await startSeededServer();
  await importFx(s.database, DATA_DIR);
  return s;
}
