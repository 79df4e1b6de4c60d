// Writes to the timeline. Facts are only ever added or marked superseded; nothing is deleted.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { CatalogId, Conditions, Source } from '../model.ts';
import { originRank } from '../catalog/precedence.ts';
import { conditionsKey } from '../conditions.ts';
import { normalizeAmount } from '../decimal.ts';
import { factKey } from './rows.ts';

/** A transaction or the database: both run the same statements. */
export type Tx = Pick<Db, 'all' | 'run'>;

/** The first row of a query, or undefined (drizzle's `get` throws on an empty result with libsql). */
export async function first<T>(tx: Tx, query: SQL): Promise<T | undefined> {
  return (await tx.all<T>(query))[0];
}

export interface NewFact {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions: Conditions;
  kind: 'list' | 'promo';
  amount: string;
  validFrom: number;
  validTo: number | null;
  announcedAt: number | null;
  recordedAt: number;
  supersededAt: number | null;
  priorUnknown: boolean;
  free: boolean;
  detectedBetween: [number, number] | null;
  sources: Source[];
  confidence: 'high' | 'medium' | 'low';
  /** A catalog's own series (absent: the provider's). */
  origin?: CatalogId;
  runId?: number | null;
  /** Carried over by import; scraped facts get it from their observations. */
  lastConfirmedAt?: number | null;
}

/** Caches series ids within one writer (series are never deleted, so the cache stays right). */
export class SeriesCache {
  private ids = new Map<string, number>();

  async id(tx: Tx, f: Pick<NewFact, 'model' | 'component' | 'currency' | 'unit' | 'conditions' | 'kind' | 'origin'>): Promise<number> {
    const ck = conditionsKey(f.conditions);
    const origin = f.origin ?? '';
    const key = `${f.model}\u0000${f.component}\u0000${f.currency}\u0000${f.unit}\u0000${ck}\u0000${f.kind}\u0000${origin}`;
    const hit = this.ids.get(key);
    if (hit !== undefined) return hit;
    // One round trip whether the series is new or not (the no-op update makes RETURNING answer).
    const row = await first<{ id: number }>(tx, sql`INSERT INTO series (model, component, currency, unit, conditions, kind, origin, origin_rank)
      VALUES (${f.model}, ${f.component}, ${f.currency}, ${f.unit}, ${ck}, ${f.kind}, ${origin}, ${originRank(f.origin)})
      ON CONFLICT (model, component, currency, unit, conditions, kind, origin) DO UPDATE SET model = excluded.model RETURNING id`);
    const id = Number(row!.id);
    this.ids.set(key, id);
    return id;
  }
}

export function keyOfFact(f: NewFact): string {
  return factKey({
    model: f.model,
    component: f.component,
    currency: f.currency,
    unit: f.unit,
    conditionsKey: conditionsKey(f.conditions),
    kind: f.kind,
    amount: normalizeAmount(f.amount),
    validFrom: f.validFrom,
    validTo: f.validTo,
    recordedAt: f.recordedAt,
    origin: f.origin,
  });
}

/**
 * What a fact already stored (same identity) takes from a new statement of it: its knowledge-time
 * end and its sourcing. Shared by every INSERT INTO facts.
 */
export const FACT_UPSERT_SQL = `ON CONFLICT (fact_key) DO UPDATE SET
    superseded_at = COALESCE(excluded.superseded_at, facts.superseded_at),
    announced_at = excluded.announced_at,
    prior_unknown = excluded.prior_unknown,
    free = excluded.free,
    detected_between = excluded.detected_between,
    sources = excluded.sources,
    confidence = excluded.confidence,
    last_confirmed_at = coalesce(max(facts.last_confirmed_at, excluded.last_confirmed_at), facts.last_confirmed_at, excluded.last_confirmed_at)
  WHERE facts.superseded_at IS NOT excluded.superseded_at OR facts.sources IS NOT excluded.sources
    OR facts.confidence IS NOT excluded.confidence OR facts.announced_at IS NOT excluded.announced_at
    OR facts.prior_unknown IS NOT excluded.prior_unknown OR facts.free IS NOT excluded.free
    OR facts.detected_between IS NOT excluded.detected_between
    OR coalesce(facts.last_confirmed_at, 0) < coalesce(excluded.last_confirmed_at, 0)`;
export const FACT_UPSERT = sql.raw(FACT_UPSERT_SQL);

/**
 * Inserts facts (many rows per statement). A fact already present (same identity) is not added
 * again; its knowledge-time end and its sourcing are brought up to date. Returns how many were new.
 */
export async function insertFacts(tx: Tx, cache: SeriesCache, facts: NewFact[]): Promise<number> {
  if (facts.length === 0) return 0;
  const rows = [];
  for (const f of facts) rows.push({ f, seriesId: await cache.id(tx, f), key: keyOfFact(f) });
  const CHUNK = 200; // stays under SQLite's bound-parameter limit (16 columns × 200)
  let added = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    // New = keys of the chunk not yet stored: index lookups, never a count of the whole table.
    const keys = [...new Set(chunk.map((r) => r.key))];
    const present = await first<{ c: number }>(tx, sql`SELECT count(*) AS c FROM facts WHERE fact_key IN (${sql.join(keys.map((k) => sql`${k}`), sql`, `)})`);
    added += keys.length - Number(present!.c);
    const values = chunk.map(
      ({ f, seriesId, key }) =>
        sql`(${seriesId}, ${normalizeAmount(f.amount)}, ${f.validFrom}, ${f.validTo}, ${f.announcedAt}, ${f.recordedAt},
          ${f.supersededAt}, ${f.priorUnknown ? 1 : 0}, ${f.free ? 1 : 0},
          ${f.detectedBetween ? JSON.stringify(f.detectedBetween) : null}, ${JSON.stringify(f.sources)}, ${f.confidence},
          ${key}, ${f.runId ?? null}, ${f.lastConfirmedAt ?? null})`,
    );
    await tx.run(sql`INSERT INTO facts (series_id, amount, valid_from, valid_to, announced_at, recorded_at, superseded_at,
        prior_unknown, free, detected_between, sources, confidence, fact_key, run_id, last_confirmed_at)
      VALUES ${sql.join(values, sql`, `)}
      ${FACT_UPSERT}`);
  }
  return added;
}

/** Every committed write bumps the data version, which response caches are keyed by. */
export async function bumpDataVersion(tx: Tx): Promise<void> {
  await tx.run(sql`INSERT INTO meta (key, value) VALUES ('data_version', '1')
    ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`);
}

export async function dataVersion(db: Tx): Promise<string> {
  const row = await first<{ value: string }>(db, sql`SELECT value FROM meta WHERE key = 'data_version'`);
  return row?.value ?? '0';
}
