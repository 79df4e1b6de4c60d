// Catalog lines in the provider's own terms. Anthropic's page prices cache writes per TTL (5-minute
// writes 1.25× input, 1-hour writes 2×); the catalogs give one unconditioned cache-write price,
// which is the 5-minute one (e.g. Claude Sonnet: 3.75 = 1.25 × 3). Stored under the provider's
// condition, the catalog's figure is the same price line as the page's, so the page wins it and a
// difference between them is a disagreement, not a second line nobody else states.
import type { CacheTtl, ParseResult } from '../model.ts';

/** Providers whose pages state cache writes per TTL, and the TTL a catalog's unconditioned price is. */
const CACHE_WRITE_DEFAULT_TTL: Record<string, CacheTtl> = { anthropic: '5m' };

export function alignWithProviderLines(provider: string, result: ParseResult): ParseResult {
  const ttl = CACHE_WRITE_DEFAULT_TTL[provider];
  if (!ttl) return result;
  return {
    ...result,
    observations: result.observations.map((o) =>
      o.component === 'cache_write' && o.conditions.cacheTtl === undefined ? { ...o, conditions: { ...o.conditions, cacheTtl: ttl } } : o,
    ),
  };
}
