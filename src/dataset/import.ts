// `tokentrail import [dir]`: reads data/<provider>.json files, validates each and writes them all
// in one transaction: a bad file is rejected whole, nothing is half-imported, and importing the
// same files again adds nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { ProviderDataset, type PriceFact, type PlanRate, type PlanTerms } from '../model.ts';
import { DataError } from '../errors.ts';
import { conditionsKey } from '../conditions.ts';
import { normalizeAmount } from '../decimal.ts';
import { parseInstant } from '../time.ts';
import { hashKey } from '../timeline/rows.ts';
import { bumpDataVersion, type NewFact, type Tx } from '../timeline/write.ts';
import { reconcileFacts } from './reconcile-facts.ts';

export interface ImportResult {
  files: number;
  providers: number;
  models: number;
  facts: number;
  factsAdded: number;
  /** Facts the database held that the files no longer state, superseded at the import instant. */
  factsSuperseded: number;
}

export function datasetFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new DataError(`cannot read dataset directory ${dir}`);
  }
  return names
    .filter((n) => n.endsWith('.json') && statSync(join(dir, n)).isFile())
    .sort()
    .map((n) => join(dir, n));
}

/** Parses and validates one dataset file; errors name the file and the JSON path. */
export function readDatasetFile(file: string): ProviderDataset {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`${basename(file)}: not valid JSON (${(e as Error).message})`, { file });
  }
  return validateDataset(raw, basename(file));
}

/** Validates one parsed dataset (`name` is its file name, `<provider>.json`); errors name the JSON path. */
export function validateDataset(raw: unknown, name: string): ProviderDataset {
  const parsed = ProviderDataset.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = formatPath(issue.path);
    throw new DataError(`${name}: ${path}: ${issue.message}`, { file: name, path });
  }
  checkConsistency(parsed.data, name);
  return parsed.data;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '$';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return s;
}

/** Rules zod cannot see: references, provider prefixes, and no two facts of a line live at once. */
function checkConsistency(d: ProviderDataset, name: string): void {
  const fail = (path: string, msg: string) => {
    throw new DataError(`${name}: ${path}: ${msg}`, { file: name, path });
  };
  if (`${d.provider.id}.json` !== name) fail('$.provider.id', `provider ${d.provider.id} belongs in ${d.provider.id}.json`);
  const modelIds = new Set<string>();
  d.models.forEach((m, i) => {
    if (m.provider !== d.provider.id) fail(`$.models[${i}].provider`, `expected ${d.provider.id}`);
    if (!m.id.startsWith(`${d.provider.id}/`)) fail(`$.models[${i}].id`, `model ids of ${d.provider.id} start with "${d.provider.id}/"`);
    if (modelIds.has(m.id)) fail(`$.models[${i}].id`, `duplicate model ${m.id}`);
    modelIds.add(m.id);
  });
  const planIds = new Set(d.plans.map((p) => p.id));
  d.facts.forEach((f, i) => {
    if (!modelIds.has(f.model)) fail(`$.facts[${i}].model`, `unknown model ${f.model} (not in $.models)`);
  });
  d.planTerms.forEach((t, i) => {
    if (!planIds.has(t.plan)) fail(`$.planTerms[${i}].plan`, `unknown plan ${t.plan}`);
  });
  d.planRates.forEach((r, i) => {
    if (!planIds.has(r.plan)) fail(`$.planRates[${i}].plan`, `unknown plan ${r.plan}`);
    if (!modelIds.has(r.model)) fail(`$.planRates[${i}].model`, `unknown model ${r.model}`);
  });
  checkNoOverlap(d.facts, name);
}

/**
 * Within one series, two facts both live at some knowledge time must not overlap in valid time:
 * otherwise "the price at t" would have two answers. A sweep keeps this near-linear.
 */
function checkNoOverlap(facts: PriceFact[], name: string): void {
  const ms = (v: string | null | undefined) => (v ? instantMs(v) : Infinity);
  // Each fact's four instants parsed once: [validFrom, validTo, recordedAt, supersededAt].
  const bySeries = new Map<string, Array<{ i: number; from: number; to: number; rec: number; sup: number }>>();
  facts.forEach((f, i) => {
    const k = `${f.model}\u0000${f.component}\u0000${f.currency}\u0000${f.unit}\u0000${conditionsKey(f.conditions)}\u0000${f.kind}\u0000${f.origin ?? ''}`;
    const e = { i, from: ms(f.validFrom), to: ms(f.validTo), rec: ms(f.recordedAt), sup: ms(f.supersededAt) };
    const arr = bySeries.get(k);
    if (arr) arr.push(e);
    else bySeries.set(k, [e]);
  });
  for (const list of bySeries.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.from - b.from);
    let open: typeof list = [];
    for (const f of list) {
      open = open.filter((g) => g.to > f.from);
      for (const g of open) {
        if (f.rec < g.sup && g.rec < f.sup) {
          const gf = facts[g.i];
          throw new DataError(
            `${name}: $.facts[${f.i}]: overlaps $.facts[${g.i}] (${gf.model} ${gf.component} ${gf.currency} ${gf.kind}) in valid time while both are live; supersede one of them`,
            { file: name, path: `$.facts[${f.i}]` },
          );
        }
      }
      open.push(f);
    }
  }
}

/** Instants repeat across a file (one scrape's recordedAt, one announcement's validFrom): parsed once each. */
const instantCache = new Map<string, number>();
function instantMs(v: string): number {
  let t = instantCache.get(v);
  if (t === undefined) {
    if (instantCache.size > 100_000) instantCache.clear();
    t = parseInstant(v);
    instantCache.set(v, t);
  }
  return t;
}

export function toNewFact(f: PriceFact): NewFact {
  return {
    model: f.model,
    component: f.component,
    currency: f.currency,
    unit: f.unit,
    conditions: f.conditions,
    kind: f.kind,
    amount: normalizeAmount(f.amount),
    validFrom: instantMs(f.validFrom),
    validTo: f.validTo ? instantMs(f.validTo) : null,
    announcedAt: f.announcedAt ? instantMs(f.announcedAt) : null,
    recordedAt: instantMs(f.recordedAt),
    supersededAt: f.supersededAt ? instantMs(f.supersededAt) : null,
    priorUnknown: f.priorUnknown ?? false,
    free: f.free ?? false,
    detectedBetween: f.detectedBetween ? [instantMs(f.detectedBetween[0]), instantMs(f.detectedBetween[1])] : null,
    lastConfirmedAt: f.lastConfirmedAt ? instantMs(f.lastConfirmedAt) : null,
    ...(f.origin ? { origin: f.origin } : {}),
    sources: f.sources,
    confidence: f.confidence,
  };
}

/** Writes one validated dataset inside an open transaction; its facts are reconciled (see below). */
export async function writeDataset(tx: Tx, d: ProviderDataset, now: number, opts: { factIndexesDeferred?: boolean } = {}): Promise<{ added: number; superseded: number }> {
  const p = d.provider;
  await tx.run(sql`INSERT INTO providers (id, name, url, record) VALUES (${p.id}, ${p.name}, ${p.url}, ${JSON.stringify(p)})
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url, record = excluded.record`);
  // Models, their aliases and plans: one statement each, whatever the file's size.
  const models = JSON.stringify(d.models.map((m) => [m.id, m.provider, m.name, JSON.stringify(m)]));
  await tx.run(sql`INSERT INTO models (id, provider, name, record) SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${models}) WHERE true
    ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, name = excluded.name, record = excluded.record`);
  // Aliases are derived from the model records: replaced whole.
  await tx.run(sql`DELETE FROM aliases WHERE model IN (SELECT value ->> 0 FROM json_each(${models}))`);
  const aliases = d.models.flatMap((m) =>
    (m.aliases ?? []).map((a) => [a.alias, m.id, a.validFrom ? parseInstant(a.validFrom) : null, a.validTo ? parseInstant(a.validTo) : null]),
  );
  if (aliases.length)
    await tx.run(sql`INSERT OR REPLACE INTO aliases (alias, model, valid_from, valid_to)
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${JSON.stringify(aliases)})`);
  if (d.plans.length)
    await tx.run(sql`INSERT INTO plans (id, provider, record)
      SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(${JSON.stringify(d.plans.map((pl) => [pl.id, pl.provider, JSON.stringify(pl)]))}) WHERE true
      ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, record = excluded.record`);
  for (const t of d.planTerms) await upsertVersioned(tx, 'plan_terms', t, { plan: t.plan });
  for (const r of d.planRates) await upsertVersioned(tx, 'plan_rates', r, { plan: r.plan, model: r.model, component: r.component });
  return reconcileFacts(tx, p.id, d.facts.map(toNewFact), now, opts);
}

async function upsertVersioned(
  tx: Tx,
  table: 'plan_terms' | 'plan_rates',
  rec: PlanTerms | PlanRate,
  cols: { plan: string; model?: string; component?: string },
): Promise<void> {
  const { supersededAt, ...record } = rec;
  const validFrom = parseInstant(rec.validFrom);
  const validTo = rec.validTo ? parseInstant(rec.validTo) : null;
  const recordedAt = parseInstant(rec.recordedAt);
  const superseded = supersededAt ? parseInstant(supersededAt) : null;
  const identity = { ...record, sources: undefined, confidence: undefined, announcedAt: undefined };
  const key = hashKey(identity);
  if (table === 'plan_terms') {
    await tx.run(sql`INSERT INTO plan_terms (plan, valid_from, valid_to, recorded_at, superseded_at, record, fact_key)
      VALUES (${cols.plan}, ${validFrom}, ${validTo}, ${recordedAt}, ${superseded}, ${JSON.stringify(record)}, ${key})
      ON CONFLICT (fact_key) DO UPDATE SET superseded_at = COALESCE(excluded.superseded_at, plan_terms.superseded_at), record = excluded.record`);
  } else {
    await tx.run(sql`INSERT INTO plan_rates (plan, model, component, valid_from, valid_to, recorded_at, superseded_at, record, fact_key)
      VALUES (${cols.plan}, ${cols.model!}, ${cols.component!}, ${validFrom}, ${validTo}, ${recordedAt}, ${superseded}, ${JSON.stringify(record)}, ${key})
      ON CONFLICT (fact_key) DO UPDATE SET superseded_at = COALESCE(excluded.superseded_at, plan_rates.superseded_at), record = excluded.record`);
  }
}

/**
 * Imports every file of `dir` in one transaction. Each file is read and validated just before it
 * is written, so only one file's data is held at a time; a file that fails validation rolls the
 * whole transaction back, so a bad file still leaves nothing half-imported.
 */
export async function importDataset(database: Database, dir: string, onProgress?: (msg: string) => void, now = Date.now()): Promise<ImportResult> {
  const files = datasetFiles(dir);
  function* validated(): Generator<ProviderDataset> {
    for (const f of files) {
      onProgress?.(`validating ${basename(f)}`);
      yield readDatasetFile(f);
    }
  }
  return importDatasets(database, validated(), onProgress, now);
}

/** Imports validated datasets in one transaction (the library seeds its in-memory database so). */
export async function importDatasets(database: Database, datasets: Iterable<ProviderDataset>, onProgress?: (msg: string) => void, now = Date.now()): Promise<ImportResult> {
  const r: ImportResult = { files: 0, providers: 0, models: 0, facts: 0, factsAdded: 0, factsSuperseded: 0 };
  await database.db.transaction(async (tx) => {
    let deferred = await deferFactIndexes(tx);
    const seen = new Set<string>();
    for (const d of datasets) {
      // A provider met twice is reconciled against its first part: that needs the indexes.
      if (deferred && seen.has(d.provider.id)) deferred = await restoreIndexes(tx, deferred);
      seen.add(d.provider.id);
      onProgress?.(`importing ${d.provider.id} (${d.facts.length} facts)`);
      const w = await writeDataset(tx, d, now, { factIndexesDeferred: deferred !== null });
      r.files++;
      r.providers++;
      r.models += d.models.length;
      r.facts += d.facts.length;
      r.factsAdded += w.added;
      r.factsSuperseded += w.superseded;
    }
    if (deferred) await restoreIndexes(tx, deferred);
    await bumpDataVersion(tx);
  });
  return r;
}

/**
 * A seed into an empty facts table (a fresh database): its indexes are dropped and built once
 * after the load — one sort each instead of 3 × 10⁴ scattered B-tree inserts. Their definitions
 * are read back from the schema, so they are rebuilt exactly as the migrations made them; a
 * duplicate fact key (which validation already refuses) would fail the unique index and the import.
 */
async function deferFactIndexes(tx: Tx): Promise<string[] | null> {
  if ((await tx.all(sql`SELECT 1 AS one FROM facts LIMIT 1`)).length) return null;
  const indexes = await tx.all<{ name: string; sql: string }>(sql`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'facts' AND sql IS NOT NULL`);
  for (const i of indexes) await tx.run(sql.raw(`DROP INDEX "${i.name.replace(/"/g, '""')}"`));
  return indexes.map((i) => i.sql);
}

async function restoreIndexes(tx: Tx, ddl: string[]): Promise<null> {
  for (const d of ddl) await tx.run(sql.raw(d));
  return null;
}
