// Reference exchange rates: what an FX source (kind `fx`, e.g. scrapers/ecb-fx/) parses and the
// shapes stored and served. A rate is units of `currency` per one unit of the source's base
// currency (the ECB: per 1 EUR), an exact decimal string as published.
import { z } from 'zod';
import { Currency } from '../model.ts';
import type { ParseContext } from '../scrape/contract.ts';

export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** One publication: the rates of one business day. */
export const FxDay = z
  .object({
    date: IsoDate,
    rates: z.record(Currency, z.string().regex(/^\d+(\.\d+)?$/, 'positive decimal')),
  })
  .strict();
export type FxDay = z.infer<typeof FxDay>;

/**
 * What one file yields. `complete` is true when the file holds every publication between its
 * first and last day (the ECB's history and 90-day files), so a day inside that span with no
 * entry is known to have had no publication.
 */
export interface FxParseResult {
  base: string;
  days: FxDay[];
  complete: boolean;
}

export interface FxSource {
  /** Folder name under scrapers/, e.g. `ecb-fx`. */
  id: string;
  /** The short id rates are stored under and cited by, e.g. `ecb`. */
  source: string;
  name: string;
  kind: 'fx';
  base: string;
  homepage: string;
  pages: Array<{ url: string }>;
  /** Cron pattern (UTC) of the scheduled fetch; env TOKENTRAIL_FX_SCHEDULE overrides it. */
  schedule: string;
  parse(text: string, ctx: ParseContext): FxParseResult;
}

/** Where a stored run of days came from: the publisher's URL and, for a copy, its git origin. */
export const FxOrigin = z
  .object({
    url: z.url(),
    title: z.string(),
    retrievedAt: z.string().optional(),
    copy: z.object({ repo: z.url(), commit: z.string().regex(/^[0-9a-f]{40}$/), path: z.string() }).strict().optional(),
    note: z.string().optional(),
  })
  .strict();
export type FxOrigin = z.infer<typeof FxOrigin>;

/** data/fx/<source>.json: every publication, oldest first, with where each run came from. */
export const FxDataset = z
  .object({
    source: z.string(),
    name: z.string(),
    base: Currency,
    homepage: z.url(),
    /** Spans (inclusive) in which the file holds every publication; outside them it knows nothing. */
    complete: z.array(z.object({ from: IsoDate, to: IsoDate, origin: z.string() }).strict()),
    origins: z.record(z.string(), FxOrigin),
    days: z.array(FxDay.extend({ origin: z.string() }).strict()),
  })
  .strict();
export type FxDataset = z.infer<typeof FxDataset>;
