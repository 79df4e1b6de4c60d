// One answer: the SQL price-at (priceSheet, with IN_FORCE_ORDER_SQL) and the JS rule
// (series-state's knownAt + lineStateAt over every fact, superseded ones included, each line
// answered by its best source as src/catalog/precedence.ts ranks them) agree on random
// (model, at, asOf) over the real dataset in data/ — provider pages and catalogs — imported into a
// temp libsql file.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './helpers/db.ts';
import type { Database } from '../src/db/client.ts';
import { priceSheet } from '../src/timeline/queries.ts';
import { FACT_COLUMNS, rowToLiveFact, type FactRow } from '../src/timeline/rows.ts';
import { groupByLine, priceLineKey, type LiveFact } from '../src/timeline/changes.ts';
import { ownedFacts } from '../src/catalog/precedence.ts';
import type { CatalogId } from '../src/model.ts';
import { knownAt, lineStateAt } from '../src/timeline/series-state.ts';
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
let facts: Array<LiveFact & { supersededAt: number | null; origin: CatalogId | '' }>;
/** Per model: every instant its facts start, end, are recorded or superseded, ±1 ms. */
let instants: Map<string, number[]>;

beforeAll(async () => {
  database = await freshDatabase({ seed: true });
  const rows = await database.db.all<FactRow>(sql.raw(`SELECT ${FACT_COLUMNS} FROM facts f JOIN series s ON s.id = f.series_id`));
  facts = rows.map((r) => ({ ...rowToLiveFact(r), supersededAt: r.superseded_at === null ? null : Number(r.superseded_at), origin: r.origin as CatalogId | '' }));
  const byModel = new Map<string, Set<number>>();
  for (const f of facts) {
    const s = byModel.get(f.model) ?? byModel.set(f.model, new Set()).get(f.model)!;
    for (const x of [f.validFrom, f.validTo, f.recordedAt, f.supersededAt]) if (x !== null) [x - 1, x, x + 1].forEach((v) => s.add(v));
  }
  instants = new Map([...byModel].map(([m, s]) => [m, [...s].sort((a, b) => a - b)]));
});
afterAll(() => database?.close());

/** The JS rule: every line of the model from its best source, effective and list amounts, as known at asOf. */
function jsSheet(model: string, at: number, asOf: number, ownPagesOnly = false): string[] {
  const known = ownedFacts(
    facts.filter((f) => f.model === model && (!ownPagesOnly || f.origin === '')),
    priceLineKey,
  ).filter((f) => knownAt(f, asOf));
  const out: string[] = [];
  for (const line of groupByLine(known).values()) {
    const st = lineStateAt(line, at);
    if (!st.effective) continue;
    out.push(`${line[0].component}|${line[0].currency}|${line[0].conditionsKey}|${st.effective.kind}|${st.effective.amount}|${st.list ? st.list.amount : null}`);
  }
  return out.sort();
}

describe('one answer for a series at (valid time, knowledge time)', () => {
  it('SQL price-at equals the JS rule on 600 random (model, at, asOf) over data/', async () => {
    const models = [...new Set(facts.map((f) => f.model))].sort();
    expect(models.length).toBeGreaterThan(50);
    const rand = rng(20260817);
    // Mostly the model's own boundaries (where an off-by-one would show), else anywhere in its span.
    const pick = (model: string) => {
      const xs = instants.get(model)!;
      return rand() < 0.7 ? xs[Math.floor(rand() * xs.length)] : xs[0] + Math.floor(rand() * (xs.at(-1)! - xs[0]));
    };
    // Models with a line stated by more than one source, where precedence decides the answer.
    const contested = new Set<string>();
    const originsByLine = new Map<string, Set<string>>();
    for (const f of facts) originsByLine.set(priceLineKey(f), (originsByLine.get(priceLineKey(f)) ?? new Set()).add(f.origin));
    for (const f of facts) if (originsByLine.get(priceLineKey(f))!.size > 1) contested.add(f.model);
    let nonEmpty = 0;
    let contestedDraws = 0;
    for (let i = 0; i < 600; i++) {
      const model = models[Math.floor(rand() * models.length)];
      const at = pick(model);
      const asOf = rand() < 0.2 ? Date.now() : pick(model);
      const sheet = await priceSheet(database.db, { model, at, asOf });
      const sql = sheet.prices.map((p) => `${p.component}|${p.currency}|${conditionsKey(p.conditions)}|${p.kind}|${p.amount}|${p.listAmount}`).sort();
      const where = `${model} at ${new Date(at).toISOString()} asOf ${new Date(asOf).toISOString()}`;
      // A model that is also an alias answers with its target when its provider's pages give it no
      // price of its own then (catalogs' leftover prices for the name do not count).
      if (sheet.model !== model) expect(jsSheet(model, at, asOf, true), where).toEqual([]);
      expect(sql, where).toEqual(jsSheet(sheet.model, at, asOf));
      if (sql.length) nonEmpty++;
      if (contested.has(model)) contestedDraws++;
    }
    // The sample says something: most draws land where the model has prices.
    expect(nonEmpty).toBeGreaterThan(200);
    expect(contestedDraws).toBeGreaterThan(50);
  });
});
