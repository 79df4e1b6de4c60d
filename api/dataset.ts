// The whole dataset as one JSON document and as CSV (one row per price fact), built from the
// database with the same code as `tokentrail export`.
import type { Db } from '../src/db/client.ts';
import { buildProviderDataset, providerIds } from '../src/dataset/export.ts';
import type { ProviderDataset } from '../src/model.ts';

export async function buildDataset(db: Db): Promise<{ providers: ProviderDataset[] }> {
  const providers: ProviderDataset[] = [];
  for (const id of await providerIds(db)) providers.push(await buildProviderDataset(db, id));
  return { providers };
}

export const CSV_COLUMNS = [
  'provider',
  'model',
  'component',
  'currency',
  'unit',
  'conditions',
  'amount',
  'kind',
  'validFrom',
  'validTo',
  'announcedAt',
  'recordedAt',
  'supersededAt',
  'lastConfirmedAt',
  'priorUnknown',
  'free',
  'confidence',
  'origin',
  'sourceUrl',
  'sourceCount',
] as const;

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function datasetCsv(d: { providers: ProviderDataset[] }): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const p of d.providers) {
    for (const f of p.facts) {
      const record: Record<(typeof CSV_COLUMNS)[number], string> = {
        provider: p.provider.id,
        model: f.model,
        component: f.component,
        currency: f.currency,
        unit: f.unit,
        conditions: JSON.stringify(f.conditions),
        amount: f.amount,
        kind: f.kind,
        validFrom: f.validFrom,
        validTo: f.validTo ?? '',
        announcedAt: f.announcedAt ?? '',
        recordedAt: f.recordedAt,
        supersededAt: f.supersededAt ?? '',
        lastConfirmedAt: f.lastConfirmedAt ?? '',
        priorUnknown: f.priorUnknown ? 'true' : 'false',
        free: f.free ? 'true' : 'false',
        confidence: f.confidence,
        // '' = the provider's own page or a curated fact; else the catalog that states it.
        origin: f.origin ?? '',
        sourceUrl: f.sources[0]?.url ?? '',
        sourceCount: String(f.sources.length),
      };
      rows.push(CSV_COLUMNS.map((c) => csvField(record[c])).join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}
