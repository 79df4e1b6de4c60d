// Start-up seeding imports data/ only when its files changed since the last seed: unchanged files
// are recognised by their recorded stat (paths, sizes, ns mtimes) without being read, touched but
// equal files by their content digest, and an edit — even one that keeps the file's size — is
// imported. Real data/ files, copied to a temp dir (the edit is made in the copy only).
import { copyFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { seedFromDataset } from '../src/dataset/seed.ts';
import type { ProviderDataset } from '../src/model.ts';
import { DATA_DIR, tempDb, tempDir } from './helpers/cli.ts';

describe('seeding from data/ at start-up', () => {
  it('skips unchanged and touched files, imports an edit of the same size', async () => {
    const dir = tempDir();
    for (const p of ['deepseek', 'minimax']) copyFileSync(join(DATA_DIR, `${p}.json`), join(dir, `${p}.json`));
    const database = await openDatabase({ url: `file:${tempDb()}` });
    const metaValue = async (key: string) => (await database.client.execute({ sql: 'SELECT value FROM meta WHERE key = ?', args: [key] })).rows[0]?.value;

    const first = await seedFromDataset(database, dir);
    expect(first?.factsAdded).toBeGreaterThan(0);
    expect(await seedFromDataset(database, dir)).toBeNull();

    // Touched (a checkout rewrites files): the stat differs, the digest does not — no import.
    const file = join(dir, 'deepseek.json');
    const stat1 = await metaValue('seed_stat');
    utimesSync(file, new Date('2026-11-30T00:00:00Z'), new Date('2026-11-30T00:00:00Z'));
    expect(await seedFromDataset(database, dir)).toBeNull();
    const stat2 = await metaValue('seed_stat');
    expect(stat2).not.toBe(stat1);
    expect(await seedFromDataset(database, dir)).toBeNull();

    // Edited, same size: one live amount's digit changed (a constructed edit of the copy).
    const text = readFileSync(file, 'utf8');
    const d = JSON.parse(text) as ProviderDataset;
    const f = d.facts.find((x) => !x.supersededAt && x.validTo === null && /[1-8]$/.test(x.amount))!;
    const edited = f.amount.slice(0, -1) + String(Number(f.amount.at(-1)) + 1);
    f.amount = edited;
    const out = JSON.stringify(d, null, 2) + '\n';
    expect(out.length).toBe(text.length);
    writeFileSync(file, out);
    const again = await seedFromDataset(database, dir);
    database.close();
    expect(again).toMatchObject({ factsAdded: 1, factsSuperseded: 1 });
  });
});
