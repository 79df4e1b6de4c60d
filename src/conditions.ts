// Conditions scope a price (tiers, hours, service tier, cache TTL, variant). Their canonical JSON
// (sorted keys) identifies a price line in the database and in diffs.
import type { Conditions } from './model.ts';

export function conditionsKey(c: Conditions): string {
  // Most lines have none: skip the sort (an import keys every fact's conditions three times).
  for (const _ in c) return JSON.stringify(sortKeys(c));
  return '{}';
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

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** ISO weekdays in words, consecutive runs joined: [1,2,3,4,5] → "Mon–Fri", [6,7] → "Sat, Sun"; null for every day. */
export function weekdaysLabel(days: readonly number[] | undefined): string | null {
  if (!days || days.length === 0 || new Set(days).size === 7) return null;
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const [a, b] = [DAY_NAMES[sorted[i] - 1], DAY_NAMES[sorted[j] - 1]];
    runs.push(j - i >= 2 ? `${a}–${b}` : j > i ? `${a}, ${b}` : a);
    i = j + 1;
  }
  return runs.join(', ');
}

/** A context bound in words: "> 200,000 tokens", "≥ 272,000 tokens", "> 128,000 total tokens" (input + output). */
export function contextBoundLabel(c: Conditions): string | null {
  if (c.contextAbove === undefined) return null;
  return `${c.contextInclusive ? '≥' : '>'} ${c.contextAbove.toLocaleString('en-US')} ${c.contextMeasure === 'total' ? 'total tokens' : 'tokens'}`;
}
