// Price changes in words, one phrasing for every place a person reads them: Atom entry titles,
// the web page, Slack messages and CLI tables. Pure functions over a change as the API gives it
// (numbers, ISO instants) or as the timeline derives it (decimal strings, epoch ms).
//   "DeepSeek V4-Pro: input −75% (promotion) from 2026-04-25 16:00 UTC"

export interface PhraseChange {
  model: string;
  component: string;
  currency: string;
  unit?: string;
  conditions?: Record<string, unknown>;
  type: string;
  before: number | string | null;
  after: number | string | null;
  listBefore?: number | string | null;
  listAfter?: number | string | null;
  changePct: number | null;
  effectiveAt: string | number;
  upcoming?: boolean;
}

export interface PhraseOptions {
  /** Display names by model id ("DeepSeek-V4-Pro"); the id is used when absent. */
  names?: ReadonlyMap<string, string>;
}

const COMPONENT_WORDS: Record<string, string> = {
  input: 'input',
  cache_read: 'cache read',
  cache_write: 'cache write',
  output: 'output',
};

export function componentWords(component: string): string {
  return COMPONENT_WORDS[component] ?? component.replace(/_/g, ' ');
}

/** 256000 → "256K" (thresholds are published in round numbers). */
function tokens(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}K`;
  return n.toLocaleString('en-US');
}

/** The conditions of a line in a few words: "off-peak", "> 256K context", "batch", "TTL 1h". */
export function conditionWords(conditions: PhraseChange['conditions']): string {
  const c = (conditions ?? {}) as { contextAbove?: number; hours?: { label?: string }; serviceTier?: string; cacheTtl?: string; variant?: string };
  const parts: string[] = [];
  if (typeof c.contextAbove === 'number') parts.push(`> ${tokens(c.contextAbove)} context`);
  if (c.hours) parts.push(c.hours.label ?? 'time-of-day');
  if (c.serviceTier) parts.push(c.serviceTier);
  if (c.cacheTtl) parts.push(`TTL ${c.cacheTtl}`);
  if (c.variant) parts.push(c.variant);
  return parts.join(', ');
}

/** −75 → "−75%", 12.5 → "+12.5%" (true minus sign, at most 2 decimals). */
export function pctWords(p: number): string {
  const text = Number(Math.abs(p).toFixed(2)).toString();
  return p < 0 ? `−${text}%` : p > 0 ? `+${text}%` : '0%';
}

/** An amount as given (decimal strings as published; numbers without float noise). */
export function amountWords(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return 'none';
  return typeof v === 'string' ? v : String(Number(v.toPrecision(12)));
}

/** "2026-04-25 16:00 UTC" */
export function instantWords(instant: string | number): string {
  const t = typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(t)) return String(instant);
  const d = new Date(t).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

function num(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Percent move from a to b, 2 decimals; null when it has no meaning (from none or from 0). */
function movePct(a: number | null, b: number | null): number | null {
  if (a === null || b === null || a === 0) return null;
  return Number((((b - a) / a) * 100).toFixed(2));
}

/**
 * What happened to one line, without the model and date: "−75% (promotion)", "list −75% (effective
 * price unchanged)", "new at 0.435 USD", "removed". A list_changed row reports the list price's move
 * (its effective price stays: that is what makes it list_changed).
 */
export function moveWords(c: PhraseChange): string {
  const cur = c.currency;
  const pct = c.changePct;
  switch (c.type) {
    case 'promo_started':
      return `${pct !== null ? pctWords(pct) : `${amountWords(c.after)} ${cur}`} (promotion)`;
    case 'promo_ended':
      return `${pct !== null ? pctWords(pct) : `${amountWords(c.after)} ${cur}`} (promotion ended)`;
    case 'list_changed': {
      const lp = movePct(num(c.listBefore), num(c.listAfter));
      const list = lp !== null ? `list ${pctWords(lp)}` : `list ${amountWords(c.listBefore)} → ${amountWords(c.listAfter)} ${cur}`;
      return `${list} (effective price unchanged at ${amountWords(c.after)} ${cur})`;
    }
    case 'price_added':
      return `new at ${amountWords(c.after)} ${cur}`;
    case 'first_known':
      return `first known at ${amountWords(c.after)} ${cur}`;
    case 'price_removed':
      return `removed (was ${amountWords(c.before)} ${cur})`;
    case 'tier_removed':
      return `tier removed (was ${amountWords(c.before)} ${cur})`;
    case 'announcement_withdrawn':
      return 'announced change withdrawn';
    default:
      return pct !== null ? pctWords(pct) : `${amountWords(c.before)} → ${amountWords(c.after)} ${cur}`;
  }
}

/** The line's name: "input", "input (off-peak)". */
export function lineWords(c: PhraseChange): string {
  const cond = conditionWords(c.conditions);
  return cond ? `${componentWords(c.component)} (${cond})` : componentWords(c.component);
}

function modelName(model: string, opts: PhraseOptions): string {
  return opts.names?.get(model) ?? model;
}

/** One change as a sentence: "DeepSeek V4-Pro: input −75% (promotion) from 2026-04-25 16:00 UTC". */
export function changeWords(c: PhraseChange, opts: PhraseOptions = {}): string {
  return `${modelName(c.model, opts)}: ${lineWords(c)} ${moveWords(c)} from ${instantWords(c.effectiveAt)}`;
}

/** One model's changes effective at one instant: what a person calls one event. */
export interface ChangeEvent<C extends PhraseChange = PhraseChange> {
  model: string;
  effectiveAt: string | number;
  changes: C[];
}

/** Changes grouped per model and effective instant, in first-seen order (feed order kept). */
export function groupByEvent<C extends PhraseChange>(changes: readonly C[]): Array<ChangeEvent<C>> {
  const out = new Map<string, ChangeEvent<C>>();
  for (const c of changes) {
    const t = typeof c.effectiveAt === 'number' ? c.effectiveAt : Date.parse(c.effectiveAt);
    const key = `${c.model}\u0000${t}`;
    const e = out.get(key);
    if (e) e.changes.push(c);
    else out.set(key, { model: c.model, effectiveAt: c.effectiveAt, changes: [c] });
  }
  return [...out.values()];
}

/** Types read first in a title: the moves a reader acts on. */
const TYPE_ORDER = ['price_cut', 'price_increase', 'promo_started', 'promo_ended', 'list_changed', 'price_added', 'tier_removed', 'price_removed', 'announcement_withdrawn', 'first_known'];
const MAX_TITLE_GROUPS = 3;
/** In a title, lines that appear or go share one word (their amounts are in the entry's lines). */
const TITLE_MOVES: Record<string, string> = {
  price_added: 'new',
  first_known: 'first known',
  price_removed: 'removed',
  tier_removed: 'tier removed',
};
const MAX_NAMED_LINES = 4;

/** A line's move as a title says it: amounts left to the entry's lines, so lines can share it. */
function titleMove(c: PhraseChange): string {
  if (TITLE_MOVES[c.type]) return TITLE_MOVES[c.type];
  if (c.type === 'list_changed') {
    const lp = shownPct(c).pct;
    return lp !== null ? `list ${pctWords(lp)} (effective price unchanged)` : 'list price changed (effective price unchanged)';
  }
  return moveWords(c);
}

/**
 * An event as a title: lines with the same move share it ("input, cache read and output −75%
 * (promotion) from 2026-04-25 16:00 UTC"); more than three kinds of move end in "and N more lines".
 */
export function eventWords(e: ChangeEvent, opts: PhraseOptions = {}): string {
  const groups = new Map<string, { move: string; lines: string[]; rank: number }>();
  for (const c of e.changes) {
    const move = titleMove(c);
    const g = groups.get(move) ?? { move, lines: [], rank: TYPE_ORDER.indexOf(c.type) === -1 ? 99 : TYPE_ORDER.indexOf(c.type) };
    g.lines.push(lineWords(c));
    groups.set(move, g);
  }
  const sorted = [...groups.values()].sort((a, b) => a.rank - b.rank);
  const shown = sorted.slice(0, MAX_TITLE_GROUPS).map((g) => `${listWords(g.lines)} ${g.move}`);
  const rest = sorted.slice(MAX_TITLE_GROUPS).reduce((n, g) => n + g.lines.length, 0);
  if (rest) shown.push(`and ${rest} more ${rest === 1 ? 'line' : 'lines'}`);
  return `${modelName(e.model, opts)}: ${shown.join('; ')} from ${instantWords(e.effectiveAt)}`;
}

/** ["a"] → "a"; ["a","b","c"] → "a, b and c". */
function listWords(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length > MAX_NAMED_LINES) return `${unique.length} lines`;
  return unique.length <= 1 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
}

/**
 * The percent a table shows for a change: the effective move, or for list_changed the list
 * price's (so a 75% list cut under a running promotion does not read "0%").
 */
export function shownPct(c: PhraseChange): { pct: number | null; ofList: boolean } {
  if (c.type === 'list_changed') return { pct: movePct(num(c.listBefore), num(c.listAfter)), ofList: true };
  return { pct: c.changePct, ofList: false };
}

/** The percent cell of a text table (CLI): "−75%", "list −75%" for a list_changed row, "-" for none. */
export function pctLabel(c: PhraseChange): string {
  const { pct, ofList } = shownPct(c);
  if (pct === null) return '-';
  return ofList ? `list ${pctWords(pct)}` : pctWords(pct);
}
