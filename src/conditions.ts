// Conditions scope a price (tiers, hours, service tier, cache TTL, variant). Their canonical JSON
// (sorted keys) identifies a price line in the database and in diffs.
import type { Conditions } from './model.ts';

export function conditionsKey(c: Conditions): string {
  return JSON.stringify(sortKeys(c));
}

export function parseConditionsKey(key: string): Conditions {
  return JSON.parse(key) as Conditions;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** Conditions that select among rows by the request (tier, time window); others are chosen by the caller. */
export function withoutTierConditions(c: Conditions): Conditions {
  const { contextAbove: _a, contextInclusive: _i, contextMeasure: _m, hours: _h, ...rest } = c;
  return rest;
}
