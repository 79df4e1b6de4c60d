// A provider's first import (nothing of it in the database, as in a fresh seed) writes its facts
// straight into facts; any later import stages and reconciles them. Both must leave the very same
// rows — values and SQLite types — or a seeded database would answer differently from an imported
// one. Real data/ files (DeepSeek: superseded facts, detectedBetween, catalog origins, conditions;
// Xiaomi: token plans), copied to temp dirs. A seed into an empty facts table also builds the
// facts indexes after the load: they must come back exactly.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { importDataset, importDatasets, readDatasetFile } from '../src/dataset/import.ts';
import type { ProviderDataset } from '../src/model.ts';
import { DATA_DIR, tempDb, tempDir } from './helpers/cli.ts';

const NOW = Date.parse('2026-11-20T00:00:00Z');
const PROVIDERS = ['deepseek', 'xiaomi'];
const COLUMNS = [
  's.model', 's.component', 's.currency', 's.unit', 's.conditions', 's.kind', 's.origin', 's.origin_rank',
  'f.amount', 'f.valid_from', 'f.valid_to', 'f.announced_at', 'f.recorded_at', 'f.superseded_at', 'f.prior_unknown', 'f.free',
  'f.detected_between', 'f.sources', 'f.confidence', 'f.fact_key', 'f.run_id', 'f.last_confirmed_at',
];

/** Every fact with its series, each value beside its SQLite type, in fact_key order. */
async function factRows(url: string): Promise<unknown[][]> {
  const d = await openDatabase({ url });
  try {
    const r = await d.client.execute(
      `SELECT ${COLUMNS.map((c) => `${c}, typeof(${c})`).join(', ')} FROM facts f JOIN series s ON s.id = f.series_id
       WHERE ${PROVIDERS.map((p) => `s.model LIKE '${p}/%'`).join(' OR ')} ORDER BY f.fact_key`,
    );
    return r.rows.map((row) => COLUMNS.flatMap((_, i) => [row[2 * i], row[2 * i + 1]]));
  } finally {
    d.close();
  }
}

/** Imports `before` (a second earlier), then `dir`; returns the second import's result. */
async function importAfter(url: string, before: string, dir: string) {
  const d = await openDatabase({ url });
  try {
    await importDataset(d, before, undefined, NOW - 1000);
    return await importDataset(d, dir, undefined, NOW);
  } finally {
    d.close();
  }
}

describe("a provider's first import and a reconciling import write the same rows", () => {
  it('fresh database vs one already holding a fact of each provider', async () => {
    const full = tempDir();
    for (const p of PROVIDERS) copyFileSync(join(DATA_DIR, `${p}.json`), join(full, `${p}.json`));

    // A: nothing there yet, every provider takes the first-import path.
    const a = `file:${tempDb()}`;
    const da = await openDatabase({ url: a });
    const ra = await importDataset(da, full, undefined, NOW);
    const indexes = await da.client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'facts' ORDER BY name");
    da.close();
    expect(indexes.rows.map((x) => x.name)).toEqual(['facts_key', 'facts_recorded', 'facts_series_valid']);
    expect(String(indexes.rows[0].sql)).toMatch(/^CREATE UNIQUE INDEX/);

    // B: first each provider's file cut to one fact (its first, superseded or not), then the full
    // files: the one fact is matched by key, the rest staged and reconciled, nothing superseded.
    const cut = tempDir();
    for (const p of PROVIDERS) {
      const d = JSON.parse(readFileSync(join(full, `${p}.json`), 'utf8')) as ProviderDataset;
      writeFileSync(join(cut, `${p}.json`), JSON.stringify({ ...d, facts: d.facts.slice(0, 1) }));
    }
    const b = `file:${tempDb()}`;
    const rb = await importAfter(b, cut, full);

    expect(ra.factsAdded).toBe(ra.facts);
    expect(rb.factsAdded).toBe(rb.facts - PROVIDERS.length);
    expect(rb.factsSuperseded).toBe(0);
    const rowsA = await factRows(a);
    expect(rowsA.length).toBe(ra.facts);
    // Integers stay integers on both paths (bound JS numbers arrive as REAL).
    expect(new Set(rowsA.map((r) => r[COLUMNS.indexOf('f.valid_from') * 2 + 1]))).toEqual(new Set(['integer']));
    expect(await factRows(b)).toEqual(rowsA);

    // C: another provider's facts already there, so the facts table is not empty: the providers'
    // first import goes straight in with the indexes kept up.
    const other = tempDir();
    copyFileSync(join(DATA_DIR, 'minimax.json'), join(other, 'minimax.json'));
    const c = `file:${tempDb()}`;
    const rc = await importAfter(c, other, full);
    expect(rc.factsAdded).toBe(rc.facts);
    expect(await factRows(c)).toEqual(rowsA);
  });

  it('a provider met twice in one import is reconciled against its first part', async () => {
    const d = readDatasetFile(join(DATA_DIR, 'deepseek.json'));
    const database = await openDatabase({ url: `file:${tempDb()}` });
    const r = await importDatasets(database, [d, d], undefined, NOW);
    const n = await database.client.execute('SELECT count(*) AS n FROM facts');
    const idx = await database.client.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'facts' ORDER BY name");
    database.close();
    expect(r.factsAdded).toBe(d.facts.length);
    expect(Number(n.rows[0].n)).toBe(d.facts.length);
    expect(idx.rows.map((x) => x.name)).toEqual(['facts_key', 'facts_recorded', 'facts_series_valid']);
  });

  it('a provider file stating no facts adds nothing', async () => {
    const dir = tempDir();
    const d = JSON.parse(readFileSync(join(DATA_DIR, 'deepseek.json'), 'utf8')) as ProviderDataset;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'deepseek.json'), JSON.stringify({ ...d, facts: [] }));
    const database = await openDatabase({ url: `file:${tempDb()}` });
    const r = await importDataset(database, dir, undefined, NOW);
    database.close();
    expect(r).toMatchObject({ facts: 0, factsAdded: 0, factsSuperseded: 0 });
  });
});
