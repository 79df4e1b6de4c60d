// One answer: the SQL price-at (priceSheet, with IN_FORCE_ORDER_SQL) and the JS rule
// (series-state's knownAt + lineStateAt over every fact, superseded ones included) agree on random
// (model, at, asOf) over the real dataset in data/, imported into a temp libsql file.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './helpers/db.ts';
import type { Database } from '../src/db/client.ts';
import { priceSheet } from '../src/timeline/queries.ts';
import { FACT_COLUMNS, rowToLiveFact, type FactRow } from '../src/timeline/rows.ts';
import { groupByLine, type LiveFact } from '../src/timeline/changes.ts';
import { knownAt, lineStateAt } from '../src/timeline/series-state.ts';
import { amountToNumber } from '../src/decimal.ts';
import { conditionsKey } from '../src/conditions.ts';

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let database: Database;
let facts: Array<LiveFact & { supersededAt: number | null }>;
let instants: number[];

beforeAll(async () => {
  database = await freshDatabase({ seed: true });
  const rows = await database.db.all<FactRow>(sql.raw(`SELECT ${FACT_COLUMNS} FROM facts f JOIN series s ON s.id = f.series_id`));
  facts = rows.map((r) => ({ ...rowToLiveFact(r), supersededAt: r.superseded_at === null ? null : Number(r.superseded_at) }));
  const s = new Set<number>();
  for (const f of facts) for (const x of [f.validFrom, f.validTo, f.recordedAt, f.supersededAt]) if (x !== null) [x - 1, x, x + 1].forEach((v) => s.add(v));
  instants = [...s].sort((a, b) => a - b);
});
afterAll(() => database?.close());

/** The JS rule: every line of the model, effective and list amounts, as known at asOf. */
function jsSheet(model: string, at: number, asOf: number): string[] {
  const known = facts.filter((f) => f.model === model && knownAt(f, asOf));
  const out: string[] = [];
  for (const line of groupByLine(known).values()) {
    const st = lineStateAt(line, at);
    if (!st.effective) continue;
    out.push(`${line[0].component}|${line[0].currency}|${line[0].conditionsKey}|${st.effective.kind}|${amountToNumber(st.effective.amount)}|${st.list ? amountToNumber(st.list.amount) : null}`);
  }
  return out.sort();
}

describe('one answer for a series at (valid time, knowledge time)', () => {
  it('SQL price-at equals the JS rule on 600 random (model, at, asOf) over data/', async () => {
    const models = [...new Set(facts.map((f) => f.model))].sort();
    expect(models.length).toBeGreaterThan(50);
    const rand = rng(20260817);
    const pick = () => (rand() < 0.7 ? instants[Math.floor(rand() * instants.length)] : instants[0] + Math.floor(rand() * (instants.at(-1)! - instants[0])));
    let nonEmpty = 0;
    for (let i = 0; i < 600; i++) {
      const model = models[Math.floor(rand() * models.length)];
      const at = pick();
      const asOf = rand() < 0.2 ? Date.now() : pick();
      const sheet = await priceSheet(database.db, { model, at, asOf });
      const sql = sheet.prices.map((p) => `${p.component}|${p.currency}|${conditionsKey(p.conditions)}|${p.kind}|${p.amount}|${p.listAmount}`).sort();
      expect(sql, `${model} at ${new Date(at).toISOString()} asOf ${new Date(asOf).toISOString()}`).toEqual(jsSheet(model, at, asOf));
      if (sql.length) nonEmpty++;
    }
    // The sample says something: most draws land where the model has prices.
    expect(nonEmpty).toBeGreaterThan(200);
  });
});
