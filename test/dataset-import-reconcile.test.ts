// Import reconciles each series against the file: a fact the file no longer states is superseded
// at the import instant (never deleted), an edited file imported twice adds nothing the second
// time, and export → import → export stays byte-identical. Real data/ files, copied to temp dirs.
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.ts';
import { importDataset } from '../src/dataset/import.ts';
import { exportDataset } from '../src/dataset/export.ts';
import { history, priceSheet } from '../src/timeline/queries.ts';
import { insertFacts, SeriesCache } from '../src/timeline/write.ts';
import { toNewFact } from '../src/dataset/import.ts';
import { DATA_DIR, runCli, tempDb, tempDir } from './helpers/cli.ts';
import type { PriceFact, ProviderDataset } from '../src/model.ts';

const IMPORT_1 = Date.parse('2026-11-01T00:00:00Z');
const IMPORT_2 = Date.parse('2026-11-15T00:00:00Z');
const AT = Date.parse('2026-10-01T00:00:00Z');

function copyData(): string {
  const dir = tempDir();
  cpSync(DATA_DIR, dir, { recursive: true, filter: (src) => !/\.db/.test(src) });
  return dir;
}

/** The live, open, unconditional USD input list price of a real Anthropic model in the copy. */
function liveInput(d: ProviderDataset): PriceFact {
  const f = d.facts.find(
    (x) => x.model === 'anthropic/claude-opus-4-6' && x.component === 'input' && x.currency === 'USD' && x.kind === 'list' && !x.supersededAt && x.validTo === null && Object.keys(x.conditions).length === 0,
  );
  expect(f, 'the real dataset has a live Opus 4.6 input price').toBeDefined();
  return f!;
}

async function open(): Promise<Database> {
  return openDatabase({ url: `file:${tempDb()}` });
}

const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('import reconciles each series against the file', () => {
  it('an edited amount supersedes the old fact at the import instant; price-at answers the new value; history keeps both', async () => {
    const dir = copyData();
    const db = await open();
    const first = await importDataset(db, dir, undefined, IMPORT_1);
    expect(first.factsSuperseded).toBe(0);

    const file = join(dir, 'anthropic.json');
    const d = JSON.parse(readFileSync(file, 'utf8')) as ProviderDataset;
    const fact = liveInput(d);
    const oldAmount = fact.amount;
    fact.amount = '5.5'; // the edit (a constructed correction in a temp copy, never published)
    expect(oldAmount).not.toBe('5.5');
    writeFileSync(file, JSON.stringify(d, null, 2) + '\n');

    const second = await importDataset(db, dir, undefined, IMPORT_2);
    expect(second.factsAdded).toBe(1);
    expect(second.factsSuperseded).toBe(1);

    const input = (s: Awaited<ReturnType<typeof priceSheet>>) => s.prices.find((p) => p.component === 'input' && p.currency === 'USD' && Object.keys(p.conditions).length === 0)!;
    const now = await priceSheet(db.db, { model: fact.model, at: AT, asOf: IMPORT_2 });
    expect(input(now).amount).toBe('5.5');
    // As known before the second import, the database answered the old value.
    const before = await priceSheet(db.db, { model: fact.model, at: AT, asOf: IMPORT_2 - 1 });
    expect(input(before).amount).toBe(oldAmount);

    const h = await history(db.db, { model: fact.model, asOf: IMPORT_2, currency: 'USD', includeSuperseded: true });
    const lines = h.facts.filter((f) => f.component === 'input' && f.kind === 'list' && Object.keys(f.conditions).length === 0 && f.validFrom === new Date(Date.parse(fact.validFrom)).toISOString());
    expect(lines.map((f) => [f.amount, f.supersededAt])).toEqual(
      expect.arrayContaining([
        [oldAmount, new Date(IMPORT_2).toISOString()],
        ['5.5', null],
      ]),
    );

    // Importing the same edited file again adds and supersedes nothing.
    const third = await importDataset(db, dir, undefined, Date.parse('2026-11-20T00:00:00Z'));
    expect([third.factsAdded, third.factsSuperseded]).toEqual([0, 0]);

    // export → import (fresh database) → export is byte-identical, and so is a re-import here.
    const out1 = tempDir();
    await exportDataset(db.db, out1);
    const again = await importDataset(db, out1, undefined, Date.parse('2026-11-21T00:00:00Z'));
    expect([again.factsAdded, again.factsSuperseded]).toEqual([0, 0]);
    const fresh = await open();
    await importDataset(fresh, out1, undefined, Date.parse('2026-11-22T00:00:00Z'));
    const out2 = tempDir();
    await exportDataset(fresh.db, out2);
    for (const f of files(out1)) expect(readFileSync(join(out2, f), 'utf8'), f).toBe(readFileSync(join(out1, f), 'utf8'));
    const freshNow = await priceSheet(fresh.db, { model: fact.model, at: AT, asOf: IMPORT_2 });
    expect(input(freshNow).amount).toBe('5.5');
    db.close();
    fresh.close();
  });

  it('a fact removed from the file is superseded, not deleted', async () => {
    const dir = copyData();
    const db = await open();
    await importDataset(db, dir, undefined, IMPORT_1);
    const count = async () => Number((await db.client.execute('SELECT count(*) AS c FROM facts')).rows[0].c);
    const n = await count();
    const file = join(dir, 'anthropic.json');
    const d = JSON.parse(readFileSync(file, 'utf8')) as ProviderDataset;
    const fact = liveInput(d);
    d.facts = d.facts.filter((f) => f !== fact);
    writeFileSync(file, JSON.stringify(d, null, 2) + '\n');
    const r = await importDataset(db, dir, undefined, IMPORT_2);
    expect([r.factsAdded, r.factsSuperseded]).toEqual([0, 1]);
    expect(await count()).toBe(n);
    const sheet = await priceSheet(db.db, { model: fact.model, at: AT, asOf: IMPORT_2 });
    expect(sheet.prices.some((p) => p.component === 'input' && p.currency === 'USD' && Object.keys(p.conditions).length === 0 && p.kind === 'list')).toBe(false);
    db.close();
  });

  it('refuses, in one line naming the series, a file whose fact would overlap a later fact it does not know', async () => {
    const dir = copyData();
    const url = tempDb();
    const db = await openDatabase({ url: `file:${url}` });
    await importDataset(db, dir, undefined, IMPORT_1);
    const d = JSON.parse(readFileSync(join(dir, 'anthropic.json'), 'utf8')) as ProviderDataset;
    const fact = liveInput(d);
    // A writer that broke the rule: a second live fact of the series, recorded after the file's knowledge.
    await db.db.transaction((tx) =>
      insertFacts(tx, new SeriesCache(), [{ ...toNewFact(fact), amount: '7', recordedAt: Date.parse('2026-10-15T00:00:00Z'), sources: [{ url: 'https://example.com/constructed', note: 'constructed overlap for a test' }] }]),
    );
    const before = Number((await db.client.execute('SELECT count(*) AS c FROM facts')).rows[0].c);
    db.close();
    const r = await runCli(['import', dir], { db: `file:${url}` });
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/anthropic\.json: two facts of series anthropic\/claude-opus-4-6 input USD per 1M tokens \(list\) would both be live at .* import refused/);
    const after = await openDatabase({ url: `file:${url}` });
    expect(Number((await after.client.execute('SELECT count(*) AS c FROM facts')).rows[0].c)).toBe(before);
    after.close();
  });
});
