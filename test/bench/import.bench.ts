// Import throughput: `importDataset` of data/ (validation included) into a fresh libsql file,
// against the real alternative measured in the same run — a plain @libsql/client bulk insert of
// the very rows the import wrote, into the same tables (the migrated schema, indexes included), in
// one transaction: per-row INSERTs in one `client.batch`, and multi-row INSERT … VALUES. Rounds alternate import, baseline, import… and the
// medians are reported. A re-import of the same files into the filled database (the reconcile
// path, every fact matched) is timed too.
//   npm run bench -- import                 (BENCH_ROUNDS=5)
//   npx tsx test/bench/import.bench.ts [--copies 40]
// --copies N replicates every fact of data/ under synthetic model ids
// (`<provider>/synthetic-copy-<n>-<model>`), in a temp directory only — the copies are labelled
// synthetic in each model's note and never published.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../../src/db/client.ts';
import { datasetFiles, importDataset } from '../../src/dataset/import.ts';
import type { ProviderDataset } from '../../src/model.ts';

const DATA_DIR = join(import.meta.dirname, '../../data');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

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

const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** The tables an import fills, in the order their foreign keys need. */
const TABLES = ['providers', 'models', 'aliases', 'series', 'plans', 'plan_terms', 'plan_rates', 'facts'] as const;

/** Every row the import wrote, table by table, as positional values. */
async function writtenRows(url: string): Promise<Array<{ table: string; columns: string[]; rows: unknown[][] }>> {
  const d = await openDatabase({ url, migrate: false });
  try {
    const out = [];
    for (const table of TABLES) {
      const r = await d.client.execute(`SELECT * FROM ${table}`);
      out.push({ table, columns: r.columns, rows: r.rows.map((row) => r.columns.map((_, i) => row[i])) });
    }
    return out;
  } finally {
    d.close();
  }
}

export interface ImportBenchResult {
  facts: number;
  models: number;
  providers: number;
  rounds: number;
  /** importDataset, wall time (median of the rounds): validation, reconcile and writes. */
  import: { seconds: number; factsPerSecond: number; factsPerCpuSecond: number };
  /** The plain bulk insert of the same rows, per-row INSERTs in one `client.batch` (median). */
  baseline: { seconds: number; factsPerSecond: number; rows: number };
  /** import facts/s ÷ baseline facts/s, median of the per-round ratios. */
  ratio: number;
  /** The same rows as multi-row INSERT … VALUES (≤ 500 rows a statement) in one transaction (median). */
  baselineMultiRow: { seconds: number; factsPerSecond: number };
  /** import facts/s ÷ multi-row baseline facts/s, median of the per-round ratios. */
  ratioMultiRow: number;
  /** The same files imported again into the filled database (nothing added). */
  reimport: { seconds: number; factsPerSecond: number; added: number };
  loadAverage: string;
}

export async function runImportBench(copies = 1): Promise<ImportBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-import-bench-'));
  try {
    let data = DATA_DIR;
    if (copies > 1) {
      data = join(dir, 'data');
      mkdirSync(data);
      replicatedDataset(data, copies);
    }
    const imports: Array<{ s: number; cpu: number }> = [];
    const baselines: number[] = [];
    const multiRows: number[] = [];
    const reimports: number[] = [];
    let result: Awaited<ReturnType<typeof importDataset>> | undefined;
    let reimportAdded = 0;
    let rows: Awaited<ReturnType<typeof writtenRows>> = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      // Round 0 warms the JIT and the page cache and is not counted.
      const url = `file:${join(dir, `import-${r}.db`)}`;
      const database = await openDatabase({ url });
      const t0 = performance.now();
      const c0 = cpu();
      result = await importDataset(database, data);
      const s = (performance.now() - t0) / 1000;
      const c = cpu() - c0;
      const t1 = performance.now();
      const again = await importDataset(database, data);
      const reS = (performance.now() - t1) / 1000;
      database.close();
      if (r === 0) rows = await writtenRows(url);
      rmSync(join(dir, `import-${r}.db`), { force: true });
      rmSync(join(dir, `import-${r}.db-wal`), { force: true });
      rmSync(join(dir, `import-${r}.db-shm`), { force: true });

      // Baselines: the same rows in one transaction, as per-row INSERTs in one `batch` (the
      // client's bulk API) and as multi-row INSERT … VALUES of up to 500 rows (the fast plain way).
      const base = await openDatabase({ url: `file:${join(dir, `base-${r}.db`)}` });
      const t2 = performance.now();
      await base.client.batch(
        rows.flatMap(({ table, columns, rows: tableRows }) => {
          const text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
          return tableRows.map((args) => ({ sql: text, args: args as never }));
        }),
        'write',
      );
      const baseS = (performance.now() - t2) / 1000;
      base.close();
      const multi = await openDatabase({ url: `file:${join(dir, `multi-${r}.db`)}` });
      const t3 = performance.now();
      const tx = await multi.client.transaction('write');
      for (const { table, columns, rows: tableRows } of rows) {
        const per = Math.max(1, Math.min(500, Math.floor(30_000 / columns.length)));
        const one = `(${columns.map(() => '?').join(', ')})`;
        for (let k = 0; k < tableRows.length; k += per) {
          const part = tableRows.slice(k, k + per);
          await tx.execute({ sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(part.length).fill(one).join(', ')}`, args: part.flat() as never });
        }
      }
      await tx.commit();
      const multiS = (performance.now() - t3) / 1000;
      multi.close();
      for (const name of [`base-${r}.db`, `multi-${r}.db`]) for (const s of ['', '-wal', '-shm']) rmSync(join(dir, name + s), { force: true });
      if (r === 0) continue;
      imports.push({ s, cpu: c });
      baselines.push(baseS);
      multiRows.push(multiS);
      reimports.push(reS);
      reimportAdded = again.factsAdded;
    }
    const facts = result!.facts;
    const importS = median(imports.map((i) => i.s));
    const baseS = median(baselines);
    return {
      facts,
      models: result!.models,
      providers: result!.providers,
      rounds: ROUNDS,
      import: { seconds: round(importS, 3), factsPerSecond: round(facts / importS), factsPerCpuSecond: round(facts / median(imports.map((i) => i.cpu))) },
      baseline: { seconds: round(baseS, 3), factsPerSecond: round(facts / baseS), rows: rows.reduce((n, t) => n + t.rows.length, 0) },
      ratio: round(median(imports.map((i, k) => baselines[k] / i.s)), 2),
      baselineMultiRow: { seconds: round(median(multiRows), 3), factsPerSecond: round(facts / median(multiRows)) },
      ratioMultiRow: round(median(imports.map((i, k) => multiRows[k] / i.s)), 2),
      reimport: { seconds: round(median(reimports), 3), factsPerSecond: round(facts / median(reimports)), added: reimportAdded },
      loadAverage: loadavg().map((l) => l.toFixed(2)).join(' '),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--copies');
  console.log(JSON.stringify(await runImportBench(i > 0 ? Number(process.argv[i + 1]) : 1), null, 2));
}
