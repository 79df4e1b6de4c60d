// A seeded server (data/*.json) with the reference rates of data/fx/ imported too.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFx } from '../../src/fx/import.ts';
import type { ProviderDataset } from '../../src/model.ts';
import { DATA_DIR, startSeededServer, type SeededServer } from './server.ts';

/**
 * `data/<provider>.json` without the catalogs' facts of one model: the model as its provider
 * publishes it (Moonshot's kimi-k2-thinking in CNY only; genai-prices also lists it in USD).
 */
export function withoutCatalogFacts(model: string): Record<string, ProviderDataset> {
  const provider = model.slice(0, model.indexOf('/'));
  const file = JSON.parse(readFileSync(join(DATA_DIR, `${provider}.json`), 'utf8')) as ProviderDataset;
  return { [`${provider}.json`]: { ...file, facts: file.facts.filter((f) => f.model !== model || !f.origin) } };
}

export async function startServerWithRates(opts: { providerOnly?: string } = {}): Promise<SeededServer> {
  const s = await startSeededServer(opts.providerOnly ? { extraDatasets: withoutCatalogFacts(opts.providerOnly) } : {});
  await importFx(s.database, DATA_DIR);
  return s;
}

/** A copy of data/ (with data/fx/) in a temp dir, with `withoutCatalogFacts(model)` applied. */
export function dataDirProviderOnly(model: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-fx-data-'));
  for (const f of readdirSync(DATA_DIR)) if (f.endsWith('.json')) cpSync(join(DATA_DIR, f), join(dir, f));
  mkdirSync(join(dir, 'fx'));
  cpSync(join(DATA_DIR, 'fx'), join(dir, 'fx'), { recursive: true });
  for (const [name, content] of Object.entries(withoutCatalogFacts(model))) writeFileSync(join(dir, name), JSON.stringify(content, null, 2) + '\n');
  return dir;
}
