// `tokentrail export [dir]`: one deterministic file per provider (stable key order, sorted facts,
// two-space indent, trailing newline, no volatile timestamps), so an unchanged database exports
// byte-identical files and the git history of data/ reads as the price history.
import { mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { PlanRate, PlanTerms, ProviderDataset, type Model, type Provider, type TokenPlan } from '../model.ts';
import { toDatasetInstant } from '../time.ts';
import { FACT_COLUMNS, rowToPriceFact, type FactRow } from '../timeline/rows.ts';
import { componentRank } from '../timeline/changes.ts';

export const SCHEMA_REF = './schema/dataset.schema.json';

interface VersionedRow {
  record: string;
  superseded_at: number | null;
}

/** Rebuilds a plan record with supersededAt in the schema's key order. */
function withSuperseded<T extends z.ZodObject>(schema: T, r: VersionedRow): Record<string, unknown> {
  const rec = JSON.parse(r.record) as Record<string, unknown>;
  if (r.superseded_at !== null) rec.supersededAt = toDatasetInstant(Number(r.superseded_at));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(schema.shape)) if (rec[k] !== undefined) out[k] = rec[k];
  return out;
}

export async function buildProviderDataset(db: Db, providerId: string): Promise<ProviderDataset> {
  const p = await db.all<{ record: string }>(sql`SELECT record FROM providers WHERE id = ${providerId}`);
  const models = await db.all<{ record: string }>(sql`SELECT record FROM models WHERE provider = ${providerId} ORDER BY id`);
  const plans = await db.all<{ record: string }>(sql`SELECT record FROM plans WHERE provider = ${providerId} ORDER BY id`);
  const facts = await db.all<FactRow>(sql`SELECT ${sql.raw(FACT_COLUMNS)} FROM facts f JOIN series s ON s.id = f.series_id
    WHERE s.model IN (SELECT id FROM models WHERE provider = ${providerId})`);
  const terms = await db.all<VersionedRow & { plan: string; valid_from: number; recorded_at: number }>(
    sql`SELECT t.record, t.superseded_at, t.plan, t.valid_from, t.recorded_at FROM plan_terms t JOIN plans p ON p.id = t.plan
        WHERE p.provider = ${providerId} ORDER BY t.plan, t.valid_from, t.recorded_at, t.record`,
  );
  const rates = await db.all<VersionedRow>(
    sql`SELECT r.record, r.superseded_at FROM plan_rates r JOIN plans p ON p.id = r.plan
        WHERE p.provider = ${providerId} ORDER BY r.plan, r.model, r.component, r.valid_from, r.recorded_at, r.record`,
  );
  const sortedFacts = facts.sort(
    (a, b) =>
      a.model.localeCompare(b.model) ||
      componentRank(a.component) - componentRank(b.component) ||
      a.component.localeCompare(b.component) ||
      a.currency.localeCompare(b.currency) ||
      a.conditions.localeCompare(b.conditions) ||
      a.kind.localeCompare(b.kind) ||
      a.origin.localeCompare(b.origin) ||
      Number(a.valid_from) - Number(b.valid_from) ||
      Number(a.recorded_at) - Number(b.recorded_at) ||
      a.amount.localeCompare(b.amount),
  );
  return {
    $schema: SCHEMA_REF,
    provider: JSON.parse(p[0].record) as Provider,
    models: models.map((m) => JSON.parse(m.record) as Model),
    plans: plans.map((x) => JSON.parse(x.record) as TokenPlan),
    facts: sortedFacts.map(rowToPriceFact),
    planTerms: terms.map((t) => withSuperseded(PlanTerms, t)) as PlanTerms[],
    planRates: rates.map((r) => withSuperseded(PlanRate, r)) as PlanRate[],
  };
}

export function serializeDataset(d: ProviderDataset): string {
  return JSON.stringify(d, null, 2) + '\n';
}

/** The JSON Schema of a dataset file, generated from the zod model. */
export function datasetJsonSchema(): string {
  const schema = z.toJSONSchema(ProviderDataset, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return JSON.stringify({ ...schema, $id: 'https://tokentrail.dev/schema/dataset.schema.json', title: 'tokentrail provider dataset' }, null, 2) + '\n';
}

export async function providerIds(db: Db): Promise<string[]> {
  return (await db.all<{ id: string }>(sql`SELECT id FROM providers ORDER BY id`)).map((r) => r.id);
}

/** Writes every provider's file (only when its bytes change) and the schema; returns files written. */
export async function exportDataset(db: Db, dir: string): Promise<{ files: string[]; written: string[] }> {
  mkdirSync(join(dir, 'schema'), { recursive: true });
  const files: string[] = [];
  const written: string[] = [];
  const put = (file: string, text: string) => {
    files.push(file);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
    // Write then rename: a reader never sees half a file.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    written.push(file);
  };
  for (const id of await providerIds(db)) put(join(dir, `${id}.json`), serializeDataset(await buildProviderDataset(db, id)));
  put(join(dir, 'schema', 'dataset.schema.json'), datasetJsonSchema());
  return { files, written };
}
