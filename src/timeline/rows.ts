// Conversions between database rows and the model's records.
import { createHash } from 'node:crypto';
import type { Conditions, PriceFact, Source } from '../model.ts';
import { parseConditionsKey } from '../conditions.ts';
import { toDatasetInstant } from '../time.ts';
import type { LiveFact } from './changes.ts';

/** A facts row joined with its series. */
export interface FactRow {
  id: number;
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions: string;
  kind: 'list' | 'promo';
  amount: string;
  valid_from: number;
  valid_to: number | null;
  announced_at: number | null;
  recorded_at: number;
  superseded_at: number | null;
  prior_unknown: number;
  free: number;
  detected_between: string | null;
  sources: string;
  confidence: 'high' | 'medium' | 'low';
  last_confirmed_at: number | null;
  /** '' = the provider's own series; else the catalog that states it. */
  origin: string;
}

export const FACT_COLUMNS = `f.id, s.model, s.component, s.currency, s.unit, s.conditions, s.kind, f.amount,
  f.valid_from, f.valid_to, f.announced_at, f.recorded_at, f.superseded_at, f.prior_unknown, f.free,
  f.detected_between, f.sources, f.confidence, f.last_confirmed_at, s.origin`;

const FACT_FIELDS = ['id', 'model', 'component', 'currency', 'unit', 'conditions', 'kind', 'amount', 'valid_from', 'valid_to', 'announced_at', 'recorded_at', 'superseded_at', 'prior_unknown', 'free', 'detected_between', 'sources', 'confidence', 'last_confirmed_at', 'origin'] as const;

/**
 * The same columns packed into one JSON array per row: the libsql client builds JS rows column
 * by column, which costs several times more than one JSON.parse when thousands of rows come back.
 */
export const FACT_COLUMNS_PACKED = `json_array(${FACT_COLUMNS}) AS packed`;

export function unpackFactRows(rows: ReadonlyArray<{ packed?: unknown }>): FactRow[] {
  return rows.map((row) => {
    const v = JSON.parse(String(row.packed)) as unknown[];
    const out: Record<string, unknown> = {};
    FACT_FIELDS.forEach((k, i) => (out[k] = v[i]));
    return out as unknown as FactRow;
  });
}

export function rowToLiveFact(r: FactRow): LiveFact {
  return {
    model: r.model,
    component: r.component,
    currency: r.currency,
    unit: r.unit,
    conditions: parseConditionsKey(r.conditions),
    conditionsKey: r.conditions,
    kind: r.kind,
    amount: r.amount,
    validFrom: Number(r.valid_from),
    validTo: r.valid_to === null ? null : Number(r.valid_to),
    announcedAt: r.announced_at === null ? null : Number(r.announced_at),
    recordedAt: Number(r.recorded_at),
    priorUnknown: Boolean(r.prior_unknown),
    detectedBetween: r.detected_between ? (JSON.parse(r.detected_between) as [number, number]) : null,
    sources: JSON.parse(r.sources) as Source[],
    id: Number(r.id),
  };
}

/** The dataset record of a fact row: exactly the fields the row carries, in the model's order. */
export function rowToPriceFact(r: FactRow): PriceFact {
  const f: PriceFact = {
    model: r.model,
    component: r.component,
    currency: r.currency,
    unit: r.unit,
    conditions: parseConditionsKey(r.conditions) as Conditions,
    amount: r.amount,
    kind: r.kind,
    validFrom: toDatasetInstant(Number(r.valid_from)),
    validTo: r.valid_to === null ? null : toDatasetInstant(Number(r.valid_to)),
    recordedAt: toDatasetInstant(Number(r.recorded_at)),
    sources: JSON.parse(r.sources) as Source[],
    confidence: r.confidence,
  };
  // Optional fields only when set, so exports stay byte-identical to what was imported.
  const ordered: Record<string, unknown> = {};
  for (const k of ['model', 'component', 'currency', 'unit', 'conditions', 'amount', 'kind', 'validFrom', 'validTo'] as const) ordered[k] = f[k];
  if (r.announced_at !== null) ordered.announcedAt = toDatasetInstant(Number(r.announced_at));
  ordered.recordedAt = f.recordedAt;
  if (r.superseded_at !== null) ordered.supersededAt = toDatasetInstant(Number(r.superseded_at));
  if (r.last_confirmed_at !== null && r.last_confirmed_at !== undefined) ordered.lastConfirmedAt = toDatasetInstant(Number(r.last_confirmed_at));
  if (r.prior_unknown) ordered.priorUnknown = true;
  if (r.free) ordered.free = true;
  if (r.detected_between) ordered.detectedBetween = (JSON.parse(r.detected_between) as number[]).map(toDatasetInstant);
  if (r.origin) ordered.origin = r.origin;
  ordered.sources = f.sources;
  ordered.confidence = f.confidence;
  return ordered as PriceFact;
}

/** Identity of a fact: the same price line, amount, valid time and knowledge time is the same fact. */
export function factKey(parts: {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditionsKey: string;
  kind: string;
  amount: string;
  validFrom: number;
  validTo: number | null;
  recordedAt: number;
  origin?: string;
}): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        // A catalog's series is another fact than the provider's; the provider's keys stay as they were.
        ...(parts.origin ? [parts.origin] : []),
        parts.model,
        parts.component,
        parts.currency,
        parts.unit,
        parts.conditionsKey,
        parts.kind,
        parts.amount,
        parts.validFrom,
        parts.validTo,
        parts.recordedAt,
      ]),
    )
    .digest('hex');
}

export function hashKey(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
