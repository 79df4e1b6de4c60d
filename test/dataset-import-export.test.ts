// data/ is the published dataset: import is idempotent and atomic, export reproduces it byte for byte.
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { importDataset, readDatasetFile } from '../src/dataset/import.ts';
import { exportDataset, datasetJsonSchema } from '../src/dataset/export.ts';
import { DataError } from '../src/errors.ts';
import { DATA_DIR, runCli, tempDb, tempDir } from './helpers/cli.ts';

const jsonFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

async function count(url: string): Promise<number> {
  const d = await openDatabase({ url });
  const r = await d.client.execute('SELECT count(*) AS c FROM facts');
  d.close();
  return Number(r.rows[0].c);
}

describe('dataset import/export', () => {
  it('importing twice adds no facts', async () => {
    const db = tempDb();
    const first = await runCli(['import', '--json'], { db });
    expect(first.code, first.stderr).toBe(0);
    const n = await count(db);
    expect(JSON.parse(first.stdout).factsAdded).toBe(n);
    const second = await runCli(['import', '--json'], { db });
    expect(JSON.parse(second.stdout).factsAdded).toBe(0);
    expect(await count(db)).toBe(n);
  });

  it('import then export reproduces every file byte for byte, and the schema with it', async () => {
    const db = tempDb();
    const out = tempDir();
    expect((await runCli(['import'], { db })).code).toBe(0);
    expect((await runCli(['export', out], { db })).code).toBe(0);
    for (const f of jsonFiles(DATA_DIR)) {
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(DATA_DIR, f), 'utf8'));
    }
    expect(readFileSync(join(out, 'schema/dataset.schema.json'), 'utf8')).toBe(readFileSync(join(DATA_DIR, 'schema/dataset.schema.json'), 'utf8'));
    expect(readFileSync(join(DATA_DIR, 'schema/dataset.schema.json'), 'utf8')).toBe(datasetJsonSchema());
  });

  it('every committed file validates and every fact cites a source', () => {
    for (const f of jsonFiles(DATA_DIR)) {
      const d = readDatasetFile(join(DATA_DIR, f));
      for (const fact of d.facts) {
        expect(fact.sources.length).toBeGreaterThan(0);
        for (const s of fact.sources) expect(s.url).toMatch(/^https?:\/\//);
      }
    }
  });

  it('a corrupted file is rejected whole, naming file and JSON path; nothing is half-imported', async () => {
    const dir = tempDir();
    cpSync(DATA_DIR, dir, { recursive: true, filter: (src) => !/\.db/.test(src) });
    const file = join(dir, 'xiaomi.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.facts[3].amount = '0,435';
    writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
    const db = tempDb();
    const r = await runCli(['import', dir], { db });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^tokentrail: xiaomi\.json: \$\.facts\[3\]\.amount: /);
    // deepseek.json sorts first and is valid, yet nothing of it was written.
    expect(await count(db)).toBe(0);
  });

  it('rejects files that break the rules zod cannot see', async () => {
    const dir = tempDir();
    const base = JSON.parse(readFileSync(join(DATA_DIR, 'deepseek.json'), 'utf8'));
    const cases: Array<[string, (d: any) => void, RegExp]> = [
      ['unknown model', (d) => (d.facts[0].model = 'deepseek/ghost'), /\$\.facts\[0\]\.model: unknown model deepseek\/ghost/],
      ['overlapping live facts', (d) => d.facts.push({ ...d.facts.find((f: any) => !f.supersededAt), amount: '9', recordedAt: '2026-06-01T00:00:00Z' }), /overlaps/],
      ['zero not stated as free', (d) => (d.facts[0].amount = '0'), /stated as free/],
      ['validTo before validFrom', (d) => (d.facts[0].validTo = '2020-01-01T00:00:00Z'), /validTo must be after validFrom/],
      ['not JSON', () => undefined, /not valid JSON/],
    ];
    for (const [name, mutate, message] of cases) {
      const d = structuredClone(base);
      mutate(d);
      const f = join(dir, 'deepseek.json');
      writeFileSync(f, name === 'not JSON' ? '{"provider": ' : JSON.stringify(d));
      expect(() => readDatasetFile(f), name).toThrow(DataError);
      expect(() => readDatasetFile(f), name).toThrow(message);
    }
  });

  it('re-exporting an unchanged database writes nothing', async () => {
    const url = `file:${tempDb()}`;
    const d = await openDatabase({ url });
    await importDataset(d, DATA_DIR);
    const out = tempDir();
    const first = await exportDataset(d.db, out);
    const second = await exportDataset(d.db, out);
    d.close();
    expect(first.written.length).toBe(first.files.length);
    expect(second.written).toEqual([]);
  });
});
