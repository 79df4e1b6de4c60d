// The offline engine behind the library: answers quotes, price sheets and histories from a dataset
// snapshot, with the same code as the API (src/quote.ts, src/timeline/queries.ts). Today it is an
// embedded in-memory libsql database seeded from the snapshot; the interface is what the library
// depends on, so a lighter engine (an in-memory index) can replace it without touching callers.
import { openDatabase } from '../db/client.ts';
import { attachTimelineIndex, TimelineIndexHolder } from '../timeline/memory-index.ts';
import { importDatasets } from '../dataset/import.ts';
import type { ProviderDataset } from '../model.ts';
import { quote, type QuoteRequest } from '../quote.ts';
import { history, priceSheet, type PriceSheet } from '../timeline/queries.ts';

export type QuoteResult = Awaited<ReturnType<typeof quote>>;
export type HistoryResult = Awaited<ReturnType<typeof history>>;
export interface HistoryQuery {
  model: string;
  from?: number;
  to?: number;
  asOf: number;
  currency?: string;
  includeSuperseded?: boolean;
}

export interface PriceEngine {
  /** A validated POST /v1/quote body; `now` is the default `at` and `asOf`. */
  quote(body: QuoteRequest, now: number, opts?: { staleAfterMs?: number }): Promise<QuoteResult>;
  priceSheet(q: { model: string; at: number; asOf: number; currency?: string; staleAfterMs?: number }): Promise<PriceSheet>;
  history(q: HistoryQuery): Promise<HistoryResult>;
  close(): void;
}

/** An in-memory libsql database holding exactly the given datasets. */
export async function libsqlEngine(datasets: ProviderDataset[]): Promise<PriceEngine> {
  const database = await openDatabase({ url: ':memory:' });
  try {
    await importDatasets(database, datasets);
  } catch (e) {
    database.close();
    throw e;
  }
  const db = database.db;
  // The snapshot never changes: price-at from memory, built once (no data-version read per call).
  attachTimelineIndex(db, new TimelineIndexHolder(db, () => 'snapshot'));
  return {
    quote: (body, now, opts) => quote(db, body, now, opts),
    priceSheet: (q) => priceSheet(db, q),
    history: (q) => history(db, q),
    close: () => database.close(),
  };
}
