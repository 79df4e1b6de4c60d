// The response cache is keyed by the data version stored in the database, so two instances on one
// database both notice a write (within the ~1 s version check) and never serve the old answer after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { join } from 'node:path';
import { openDatabase, type Database } from '../src/db/client.ts';
import { bumpDataVersion } from '../src/timeline/write.ts';
import { startServer, type RunningServer } from '../api/server.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

let a: SeededServer;
let secondDb: Database;
let b: RunningServer;
beforeAll(async () => {
  a = await startSeededServer();
  // A second instance: its own connection to the same database file.
  secondDb = await openDatabase({ url: `file:${join(a.dir, 'tokentrail.db')}` });
  b = await startServer({ database: secondDb, port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await b?.close();
  secondDb?.close();
  await a?.close();
});

const PATH = '/v1/prices?model=xiaomi/mimo-v2.5-pro&at=2026-06-01T00:00:00Z&asOf=2030-01-01T00:00:00Z&currency=CNY';
const input = (body: any) => body.prices.find((p: any) => p.component === 'input' && Object.keys(p.conditions).length === 0).amount;

describe('response cache across instances', () => {
  it('serves cached answers until the data version moves, then the new data on every instance', async () => {
    const first = [await request(a.url, PATH), await request(b.url, PATH)];
    expect(first.map((r) => input(r.body))).toEqual(['3', '3']);
    expect((await request(a.url, PATH)).headers.get('x-cache')).toBe('hit');

    // A write that does not bump the version is invisible to the caches (writers always bump it).
    const db = a.database.db;
    await db.run(sql`UPDATE facts SET amount = '2.5' WHERE id IN (
      SELECT f.id FROM facts f JOIN series s ON s.id = f.series_id
      WHERE s.model = 'xiaomi/mimo-v2.5-pro' AND s.component = 'input' AND s.currency = 'CNY' AND s.conditions = '{}' AND f.valid_to IS NULL)`);
    await new Promise((r) => setTimeout(r, 1100));
    expect(input((await request(a.url, PATH)).body)).toBe('3');

    await bumpDataVersion(db);
    await new Promise((r) => setTimeout(r, 1100));
    const after = [await request(a.url, PATH), await request(b.url, PATH)];
    expect(after.map((r) => input(r.body))).toEqual(['2.5', '2.5']);
    expect(after.map((r) => r.headers.get('x-cache'))).toEqual(['miss', 'miss']);
    expect(after[0].headers.get('etag')).not.toBe(first[0].headers.get('etag'));
  });
});
