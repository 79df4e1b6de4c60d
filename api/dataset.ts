// The whole dataset as one JSON document and as CSV (one row per price fact), built from the
// database with the same code as `tokentrail export`.
import type { Db } from '../src/db/client.ts';
import { buildProviderDataset, providerIds } from '../src/dataset/export.ts';
import type { ProviderDataset } from '../src/model.ts';
import { datasetFreshness, laterOf, sourcesConfirmedAt } from '../src/timeline/freshness.ts';
import { toIsoOrNull } from '../src/time.ts';

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
  'stale',
  'staleFrom',
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

/**
 * One row per fact. `lastConfirmedAt` is the latest confirmation (an observation, or a cited
 * source's retrieval); `stale` and `staleFrom` are judged at `now` for facts in force or announced
 * then (src/timeline/freshness.ts), empty for facts that ended or were superseded.
 */
export function datasetCsv(d: { providers: ProviderDataset[] }, fresh: { now: number; staleAfterMs: number }): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const p of d.providers) {
    const judged = datasetFreshness(p.facts, fresh.now, fresh.staleAfterMs);
    for (const f of p.facts) {
      const j = judged.get(f);
      const confirmed = j ? j.lastConfirmedAt : toIsoOrNull(laterOf(f.lastConfirmedAt ? Date.parse(f.lastConfirmedAt) : null, sourcesConfirmedAt(f.sources, Infinity)));
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
        lastConfirmedAt: confirmed ?? '',
        stale: j ? String(j.stale) : '',
        staleFrom: j ? j.staleFrom : '',
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
