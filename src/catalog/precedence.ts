// Which source answers for a price line. The provider's own page (or a curated fact citing it) is
// the effective price wherever it states the line; a catalog answers only for lines no better
// source states. Catalogs are ranked once, here: genai-prices (dated changes, match rules),
// models.dev (widest), llm-prices (dated history, few vendors), LiteLLM.
import type { CatalogId } from '../model.ts';

export const CATALOG_ORDER: readonly CatalogId[] = ['genai-prices', 'models.dev', 'llm-prices', 'litellm'];

/** 0 for the provider's own series; 1… for catalogs in CATALOG_ORDER. */
export function originRank(origin: CatalogId | '' | undefined | null): number {
  if (!origin) return 0;
  const i = CATALOG_ORDER.indexOf(origin);
  if (i < 0) throw new Error(`unknown catalog ${origin}`);
  return i + 1;
}

/**
 * SQL condition on a series aliased `s`: no better-ranked source has a series for the same line
 * (model, component, currency, unit, conditions). The line belongs to its best source from the
 * moment that source first states it; the one price-at rule then runs inside that series.
 */
export const OWNS_LINE_SQL = (s: string) => `NOT EXISTS (SELECT 1 FROM series b WHERE b.model = ${s}.model AND b.component = ${s}.component
  AND b.currency = ${s}.currency AND b.unit = ${s}.unit AND b.conditions = ${s}.conditions AND b.origin_rank < ${s}.origin_rank)`;

/**
 * The same in JS: of every fact of the given series (whatever is known when, as series exist in
 * SQL), the ones whose origin is the best-ranked among the origins stating their line.
 */
export function ownedFacts<F extends { origin?: CatalogId | '' | null }>(facts: readonly F[], lineKey: (f: F) => string): F[] {
  const best = new Map<string, number>();
  for (const f of facts) {
    const k = lineKey(f);
    best.set(k, Math.min(best.get(k) ?? Infinity, originRank(f.origin)));
  }
  return facts.filter((f) => originRank(f.origin) === best.get(lineKey(f)));
}
