// Import throughput on a large dataset derived from the real one: every fact of data/ replicated
// under synthetic model ids (`<provider>/synthetic-copy-<n>-<model>`), in a temp directory only —
// the copies are labelled synthetic in each model's note and never published.
//   npx tsx test/bench/import.bench.ts [--copies 40]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/client.ts';
import { datasetFiles, importDataset, readDatasetFile } from '../../src/dataset/import.ts';
import type { ProviderDataset } from '../../src/model.ts';

const DATA_DIR = join(import.meta.dirname, '../../data');

/** data/ with each provider's models and facts copied `copies` times under synthetic ids. */
export function replicatedDataset(dir: string, copies: number): number {
  let facts = 0;
  for (const file of datasetFiles(DATA_DIR)) {
    const d = JSON.parse(readFileSync(file, 'utf8')) as ProviderDataset;
    const p = d.provider.id;
    const rename = (id: string, n: number) => `${p}/synthetic-copy-${n}-${id.slice(p.length + 1).replace(/\//g, '-')}`;
    const out: ProviderDataset = { ...d, models: [], facts: [], plans: [], planTerms: [], planRates: [] };
    for (let n = 0; n < copies; n++) {
      for (const m of d.models) out.models.push({ id: rename(m.id, n), provider: p, name: `${m.name} (synthetic copy ${n})`, note: 'synthetic benchmark copy of a real model; not a real model' });
      for (const f of d.facts) out.facts.push({ ...f, model: rename(f.model, n) });
    }
    facts += out.facts.length;
    writeFileSync(join(dir, `${p}.json`), JSON.stringify(out));
  }
  return facts;
}

export async function runImportBench(copies = 40) {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-import-bench-'));
  try {
    const data = join(dir, 'data');
    mkdirSync(data);
    const facts = replicatedDataset(data, copies);
    // Validation alone (JSON, zod, the overlap sweep), to tell it from the writes.
    const v0 = performance.now();
    for (const f of datasetFiles(data)) readDatasetFile(f);
    const validateS = (performance.now() - v0) / 1000;
    const database = await openDatabase({ url: `file:${join(dir, 'bench.db')}` });
    // Wall time, and this process's CPU time (a fairer figure on a shared, loaded machine).
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
    const t0 = performance.now();
    const c0 = cpu();
    const first = await importDataset(database, data);
    const firstS = (performance.now() - t0) / 1000;
    const firstCpu = cpu() - c0;
    const t1 = performance.now();
    const c1 = cpu();
    const again = await importDataset(database, data);
    const againS = (performance.now() - t1) / 1000;
    const againCpu = cpu() - c1;
    database.close();
    return {
      facts,
      factsAdded: first.factsAdded,
      validateSeconds: +validateS.toFixed(2),
      firstImportSeconds: +firstS.toFixed(2),
      firstImportWriteFactsPerSecond: Math.round(facts / (firstS - validateS)),
      firstImportFactsPerSecond: Math.round(facts / firstS),
      firstImportFactsPerCpuSecond: Math.round(facts / firstCpu),
      reimportAdded: again.factsAdded,
      reimportSeconds: +againS.toFixed(2),
      reimportWriteFactsPerSecond: Math.round(facts / (againS - validateS)),
      reimportFactsPerSecond: Math.round(facts / againS),
      reimportFactsPerCpuSecond: Math.round(facts / againCpu),
      loadAverage: (await import('node:os')).loadavg()[0].toFixed(1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--copies');
  console.log(JSON.stringify(await runImportBench(i > 0 ? Number(process.argv[i + 1]) : 40), null, 2));
}
