// The contract every catalog scraper implements (kind `catalog`, DESIGN §4). A catalog is one
// published file (or a tree of files at one commit) that lists prices for many providers; its parse
// is pure, like a page's, and answers per tokentrail provider with the same ParseResult a page
// scraper gives, plus the provider record the catalog states.
import { z } from 'zod';
import { CatalogId, ModelId, ParseResult, Provider } from '../model.ts';
import type { ParseContext } from '../scrape/contract.ts';
import type { CatalogIdentity } from './identity.ts';

export const CatalogProviderResult = z
  .object({
    /** The catalog's own id for the provider (`moonshotai`), before mapping. */
    catalogProvider: z.string().min(1),
    provider: Provider,
    /** What the catalog says of this provider's prices; coverage.read = the models it lists. */
    result: ParseResult,
    /** Hosted or regional model → the upstream model it serves (Bedrock, Vertex, Azure, resellers). */
    upstream: z.record(ModelId, ModelId).optional(),
  })
  .strict();
export type CatalogProviderResult = z.infer<typeof CatalogProviderResult>;

export const CatalogParse = z
  .object({
    catalog: CatalogId,
    providers: z.array(CatalogProviderResult),
    /** What the parse skipped and why (unmapped providers, zero prices, unknown keys). */
    notes: z.array(z.string()),
  })
  .strict();
export type CatalogParse = z.infer<typeof CatalogParse>;

/** Reads one commit of a catalog's repository (src/catalog/git.ts does the I/O). */
export interface GitReader {
  show(path: string): string | null;
  tree(dir: string, filter: (path: string) => boolean): Map<string, string>;
}

export interface Catalog {
  id: CatalogId;
  name: string;
  homepage: string;
  /** The published file(s) the live scheduler polls; each is parsed on its own. */
  urls: string[];
  /** The public repository whose git history backfills it, and the path(s) read there. */
  repo: string;
  licence: string;
  parse(text: string, ctx: ParseContext): CatalogParse;
  /** How the catalog's git history is read for backfill: the paths whose commits matter, and the
   * published file(s) as they stood at one commit (built from the repo's files by `read`). */
  history: {
    paths: string[];
    files(read: GitReader): Array<{ url: string; path: string; text: string }>;
  };
  /** Fewer observations than this for the whole catalog make the run suspect. */
  minRows: number;
  /** The catalog's own identity table (variant prefixes, context-tier entries), beyond the rules
   * every catalog's ids go through (src/catalog/identity.ts). */
  identity?: CatalogIdentity;
}

/** A catalog's model id as a tokentrail model id: lowercased; characters ids cannot hold become `-`. */
export function catalogModelId(provider: string, raw: string): string {
  const local = raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._:/-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return `${provider}/${local}`;
}
