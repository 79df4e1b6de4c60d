// Formatting shared by the server-rendered views and the browser scripts (one module, so a price
// or a condition reads the same in a table and in a chart legend). Plain JS: served as is.

/** Components in reading order; others follow alphabetically. */
export const COMPONENT_ORDER = ['input', 'cache_read', 'cache_write', 'output'];

const COMPONENT_LABELS = {
  input: 'Input (cache miss)',
  cache_read: 'Cache read (hit)',
  cache_write: 'Cache write',
  output: 'Output',
};

export function componentLabel(component) {
  if (COMPONENT_LABELS[component]) return COMPONENT_LABELS[component];
  const words = String(component).replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function compareComponents(a, b) {
  const ia = COMPONENT_ORDER.indexOf(a);
  const ib = COMPONENT_ORDER.indexOf(b);
  if (ia !== ib) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 256000 → "256K", 1000000 → "1M" (thresholds are published in such round numbers). */
export function formatTokens(n) {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}K`;
  return n.toLocaleString('en-US');
}

/** Conditions as short phrases, e.g. ["prompt > 256K tokens", "peak 09:00–12:00 (Asia/Shanghai)"]. */
export function conditionParts(conditions) {
  const c = conditions || {};
  const parts = [];
  if (c.contextAbove !== undefined)
    parts.push(`${c.contextMeasure === 'total' ? 'prompt + output' : 'prompt'} ${c.contextInclusive ? '≥' : '>'} ${formatTokens(c.contextAbove)} tokens`);
  if (c.hours) {
    const ranges = c.hours.ranges.map(([a, b]) => `${a}–${b}`).join(', ');
    const days = weekdaysLabel(c.hours.days);
    parts.push(`${c.hours.label ?? 'hours'} ${ranges} (${c.hours.tz}${days ? `, ${days}` : ''})`);
  }
  if (c.serviceTier) parts.push(`${c.serviceTier} tier`);
  if (c.cacheTtl) parts.push(`cache TTL ${c.cacheTtl}`);
  if (c.variant) parts.push(c.variant);
  return parts;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** ISO weekdays in words (the browser's copy of src/conditions.ts weekdaysLabel): [1,…,5] → "Mon–Fri". */
export function weekdaysLabel(days) {
  if (!Array.isArray(days) || days.length === 0 || new Set(days).size === 7) return null;
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const [a, b] = [DAY_NAMES[sorted[i] - 1], DAY_NAMES[sorted[j] - 1]];
    runs.push(j - i >= 2 ? `${a}–${b}` : j > i ? `${a}, ${b}` : a);
    i = j + 1;
  }
  return runs.join(', ');
}

/** A short name for legends: "standard", "peak", "> 256K", "batch", "TTL 1h · us-only". */
export function conditionsShort(conditions) {
  const c = conditions || {};
  const parts = [];
  if (c.contextAbove !== undefined) parts.push(`${c.contextInclusive ? '≥' : '>'} ${formatTokens(c.contextAbove)}${c.contextMeasure === 'total' ? ' total' : ''}`);
  if (c.hours) parts.push(c.hours.label ?? 'hours');
  if (c.serviceTier) parts.push(c.serviceTier);
  if (c.cacheTtl) parts.push(`TTL ${c.cacheTtl}`);
  if (c.variant) parts.push(c.variant);
  return parts.length ? parts.join(' · ') : 'standard';
}

/** Stable key of a conditions object (key order does not matter). */
export function conditionsKey(conditions) {
  const sort = (v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]))
      : Array.isArray(v)
        ? v.map(sort)
        : v;
  return JSON.stringify(sort(conditions || {}));
}

/**
 * THE number format of the site: exact as given (no rounding), the integer part grouped, trailing
 * zeros trimmed. 0.003625 → "0.003625", 1650 → "1,650", 53.2875 → "53.2875", "8.00" → "8".
 * Takes the API's numbers (their shortest round-trip digits) or decimal strings.
 */
export function formatDecimal(v) {
  if (v === null || v === undefined || v === '') return '—';
  let s = typeof v === 'string' ? v.trim() : plainDigits(v);
  if (!/^-?\d+(\.\d+)?$/.test(s)) return String(v);
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  const [intPart, frac = ''] = s.split('.');
  const int = intPart.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = frac.replace(/0+$/, '');
  const text = trimmed ? `${int}.${trimmed}` : int;
  return neg && /[1-9]/.test(text) ? `−${text}` : text;
}

/** A number's shortest round-trip digits without an exponent (3.625e-7 → "0.0000003625"). */
function plainDigits(n) {
  if (!Number.isFinite(n)) return String(n);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mant, expText] = s.split(/e/i);
  const neg = mant.startsWith('-');
  const [i, f = ''] = (neg ? mant.slice(1) : mant).split('.');
  const digits = i + f;
  const point = i.length + Number(expText);
  const out =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}

/** A published amount, in the one number format. */
export function formatAmount(n) {
  return formatDecimal(n);
}

/** Money with its currency code, in the one number format: "CNY 1.82", "USD 0.0005", "CNY 54.6". */
export function formatMoney(n, currency) {
  if (n === null || n === undefined) return '—';
  return currency ? `${currency} ${formatDecimal(n)}` : formatDecimal(n);
}

/** −75.5 → "−75.5%", 50 → "+50%", null → "—". */
export function formatPct(p) {
  if (p === null || p === undefined) return '—';
  const text = Math.abs(p).toLocaleString('en-US', { maximumFractionDigits: 2 });
  return p < 0 ? `−${text}%` : p > 0 ? `+${text}%` : '0%';
}

/** "2026-05-31 16:00" (UTC, as everywhere on the site), or just the date at midnight. */
export function formatInstant(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const s = d.toISOString();
  const date = s.slice(0, 10);
  const time = s.slice(11, 16);
  return time === '00:00' ? date : `${date} ${time}`;
}

/** The date part (YYYY-MM-DD) of an instant, for date inputs. */
export function isoDate(msOrIso) {
  return new Date(msOrIso).toISOString().slice(0, 10);
}

/** How long before `nowMs` an instant was, in whole days: "today", "1 day ago", "412 days ago". */
export function formatAge(iso, nowMs) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const days = Math.floor((nowMs - t) / 86_400_000);
  if (days < 0) return 'in the future';
  return days === 0 ? 'today' : days === 1 ? '1 day ago' : `${days.toLocaleString('en-US')} days ago`;
}

/** Badge of a change: a label and a tone (cut, increase, promo, added, removed, info). */
export function changeBadge(type) {
  switch (type) {
    case 'price_cut':
      return { label: 'cut', tone: 'cut' };
    case 'price_increase':
      return { label: 'increase', tone: 'increase' };
    case 'promo_started':
      return { label: 'promo started', tone: 'promo' };
    case 'promo_ended':
      return { label: 'promo ended', tone: 'promo' };
    case 'price_added':
      return { label: 'added', tone: 'added' };
    case 'price_removed':
      return { label: 'removed', tone: 'removed' };
    case 'tier_removed':
      return { label: 'tier removed', tone: 'removed' };
    case 'list_changed':
      return { label: 'list changed', tone: 'info' };
    case 'first_known':
      return { label: 'first known', tone: 'info' };
    default:
      return { label: String(type).replace(/_/g, ' '), tone: 'info' };
  }
}

/** /models/openrouter/anthropic/claude-opus-4.6 — each segment escaped, the slashes kept. */
export function modelHref(id) {
  return `/models/${String(id).split('/').map(encodeURIComponent).join('/')}`;
}

/** A problem+json body (or anything thrown) as one sentence for the reader. */
export function problemText(problem) {
  if (!problem) return 'Something went wrong.';
  if (typeof problem === 'string') return problem;
  const title = problem.title ?? 'Error';
  return problem.detail ? `${title}: ${problem.detail}` : title;
}
