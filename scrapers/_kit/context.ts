// Context bounds as the page states them: "<272K context length" (the short tier: the long tier
// starts at 272K inclusive), "≥272K", ">200K", "200K and above", "prompts > 200k tokens",
// "8,192 < 长度 ≤ 32,768". Returns the lower bound of the tier a row belongs to as contextAbove,
// whether the bound is inclusive, and (from the caller) what is counted.
import { LayoutChangedError } from '../../src/errors.ts';
import type { Conditions } from '../../src/model.ts';
import { parseTokenCount } from './money.ts';

export interface ContextBound {
  /** The tier applies above (or, inclusive, from) this many tokens. */
  contextAbove: number;
  inclusive: boolean;
}

const COUNT = '(\\d{1,3}(?:,\\d{3})+|\\d+(?:\\.\\d+)?)\\s*([KkMm]?)';

/**
 * A lower bound stated for a tier: ">200K" / "over 200K" (exclusive), "≥272K" / "272K and above" /
 * "272K+" / "at least 272K" (inclusive). undefined when the text states no lower bound.
 */
export function lowerBound(text: string, where: string): ContextBound | undefined {
  const t = text.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/\s+/g, ' ').trim();
  let m = new RegExp(`(?:>=|≥|at least |from )\\s*${COUNT}`, 'i').exec(t) ?? new RegExp(`${COUNT}\\s*(?:tokens? )?(?:and above|and more|or more|\\+|及以上|以上)`, 'i').exec(t);
  if (m) return { contextAbove: parseTokenCount(m[1] + m[2], where), inclusive: true };
  m = new RegExp(`(?:>|over |above |more than |exceeds? )\\s*${COUNT}`, 'i').exec(t) ?? new RegExp(`${COUNT}\\s*(?:tokens?\\s*)?<\\s*(?:长度|length|context)`, 'i').exec(t);
  if (m) return { contextAbove: parseTokenCount(m[1] + m[2], where), inclusive: false };
  return undefined;
}

/**
 * An upper bound stated for the short tier ("<272K context length", "≤ 200K", "prompts <= 200k"):
 * the long tier above it starts at the bound — inclusive for "<", exclusive for "≤".
 */
export function tierAboveUpperBound(text: string, where: string): ContextBound | undefined {
  const t = text.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/\s+/g, ' ').trim();
  const m = new RegExp(`(<=|≤|<|up to |under |below )\\s*${COUNT}`, 'i').exec(t);
  if (!m) return undefined;
  const n = parseTokenCount(m[2] + m[3], where);
  const strict = m[1] === '<' || /under|below/i.test(m[1]);
  return { contextAbove: n, inclusive: strict };
}

/** Conditions for a context tier: contextAbove, contextInclusive when inclusive, contextMeasure when total. */
export function contextConditions(bound: ContextBound, measure: 'input' | 'total' = 'input'): Pick<Conditions, 'contextAbove' | 'contextInclusive' | 'contextMeasure'> {
  if (!Number.isInteger(bound.contextAbove) || bound.contextAbove <= 0) throw new LayoutChangedError(`context bound ${bound.contextAbove} is not a positive token count`);
  const out: Pick<Conditions, 'contextAbove' | 'contextInclusive' | 'contextMeasure'> = { contextAbove: bound.contextAbove };
  if (bound.inclusive) out.contextInclusive = true;
  if (measure === 'total') out.contextMeasure = 'total';
  return out;
}
