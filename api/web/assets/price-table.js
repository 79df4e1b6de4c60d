// The overview's price table as pure functions over GET /v1/overview rows: search, filter, sort,
// page and the step sparkline. The server renders the first answer with them (no JavaScript
// needed); the browser re-runs them on every click, so both always agree.

import { changeBadge, formatAge, formatDecimal, formatInstant, formatPct, formatTokens, modelHref } from './format.js';

export const PAGE_SIZE = 50;
/** Currencies the table can be shown in (converted at the ECB reference rate where not published). */
export const SHOW_CURRENCIES = ['CNY', 'EUR', 'USD'];

/** Sortable columns: key → how to read the value of a row (null sorts last either way). */
const SORT_VALUE = {
  provider: (r) => r.providerName.toLowerCase(),
  model: (r) => r.name.toLowerCase(),
  // Amounts are exact decimal strings; a double orders them well enough to sort.
  input: (r) => amountKey(r.input),
  cacheRead: (r) => amountKey(r.cacheRead),
  cacheWrite: (r) => amountKey(r.cacheWrite),
  output: (r) => amountKey(r.output),
  context: (r) => r.contextWindow,
  freshness: (r) => r.lastConfirmedAt,
  change: (r) => r.lastChange?.at ?? null,
  currency: (r) => r.currency,
};
export const SORT_KEYS = Object.keys(SORT_VALUE);

function amountKey(cell) {
  return cell ? Number(cell.amount) : null;
}

/** Lowercase words of letters and digits: "Claude Opus 4.6" and "claude-opus-4-6" read alike. */
export function words(s) {
  return String(s)
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Text a row is searched in: its id, name and provider, as words and squeezed together. */
export function searchText(row) {
  const w = words(`${row.model} ${row.name} ${row.providerName}`);
  return { words: w, squeezed: w.join('') };
}

/** One edit (insert, delete, substitute, swap) apart, or equal: "sonet" ≈ "sonnet". */
function nearly(a, b) {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1 || Math.min(a.length, b.length) < 4) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i);
  const restB = b.slice(i);
  return (
    restA.slice(1) === restB.slice(1) || restA.slice(1) === restB || restA === restB.slice(1) || (restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2))
  );
}

/**
 * Local matching (the fallback when the API's resolver does not answer): every query word is in
 * the row's words (as a prefix or within the squeezed id), or one typo away from one of them.
 */
export function matchesQuery(row, q) {
  const terms = words(q);
  if (terms.length === 0) return true;
  const t = searchText(row);
  const squeezedQuery = terms.join('');
  if (t.squeezed.includes(squeezedQuery)) return true;
  return terms.every((term) => t.squeezed.includes(term) || t.words.some((w) => nearly(term, w) || (w.length > term.length && nearly(term, w.slice(0, term.length)))));
}

/**
 * The rows a view shows. `state`: {q, provider, currency, feature, sort, dir}; `resolved`: model
 * ids the resolver matched for q (or null: match locally).
 */
export function selectRows(rows, state, resolved = null) {
  return sortRows(filterRows(rows, state, resolved), state.sort, state.dir);
}

/** The rows a view's filters and search keep, in their order. */
export function filterRows(rows, state, resolved = null) {
  return rows.filter(
    (r) =>
      (!state.provider || r.provider === state.provider) &&
      (!state.currency || r.currency === state.currency) &&
      (!state.feature || r.features.includes(state.feature)) &&
      (!state.q || (resolved ? resolved.has(r.model) || matchesQuery(r, state.q) : matchesQuery(r, state.q))),
  );
}

export function sortRows(rows, sort = 'provider', dir = 'asc') {
  const value = SORT_VALUE[sort] ?? SORT_VALUE.provider;
  const sign = dir === 'desc' ? -1 : 1;
  // Keys read once per row, not per comparison (thousands of rows).
  const keyed = rows.map((r) => ({ r, v: value(r), p: r.providerName.toLowerCase() }));
  const tie = (a, b) => cmp(a.p, b.p) || cmp(a.r.model, b.r.model) || cmp(a.r.currency, b.r.currency);
  keyed.sort((a, b) => {
    if (a.v === null && b.v === null) return tie(a, b);
    if (a.v === null) return 1;
    if (b.v === null) return -1;
    return sign * cmp(a.v, b.v) || tie(a, b);
  });
  return keyed.map((k) => k.r);
}

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Page `page` (1-based, clamped) of the rows, with the page count. */
export function pageOf(rows, page) {
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const p = Math.min(Math.max(1, Math.floor(Number(page) || 1)), pages);
  return { page: p, pages, rows: rows.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE) };
}

/** The table's state in a URL's query (defaults left out, so URLs stay short). */
export function stateFromParams(params) {
  const sort = params.get('sort');
  return {
    q: (params.get('q') ?? '').trim().slice(0, 100),
    provider: params.get('provider') ?? '',
    currency: (params.get('currency') ?? '').toUpperCase(),
    feature: params.get('feature') ?? '',
    show: SHOW_CURRENCIES.includes((params.get('show') ?? '').toUpperCase()) ? params.get('show').toUpperCase() : '',
    sort: SORT_KEYS.includes(sort) ? sort : 'provider',
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
    page: Number(params.get('page')) || 1,
  };
}

/** The query parameters of a table state, defaults left out (URLs stay short). */
export function stateParams(s) {
  return {
    q: s.q,
    provider: s.provider,
    currency: s.currency,
    feature: s.feature,
    show: s.show ?? '',
    sort: s.sort === 'provider' ? '' : s.sort,
    dir: s.dir === 'asc' ? '' : s.dir,
    page: s.page > 1 ? String(s.page) : '',
  };
}

/**
 * The sparkline's path over `w`×`h`: horizontal runs joined by vertical steps (a price holds until
 * it changes). Log scale, so a −98% cut reads as a drop, not a flat line at 0. Empty for < 1 point.
 */
export function sparkPath(points, nowMs, w = 80, h = 20) {
  const pts = points.filter(([, v]) => v !== null && Number(v) > 0).map(([t, v]) => [Date.parse(t), Math.log(Number(v))]);
  if (pts.length === 0) return '';
  const t0 = pts[0][0];
  const t1 = Math.max(nowMs, pts[pts.length - 1][0] + 1);
  const vs = pts.map((p) => p[1]);
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  const x = (t) => ((t - t0) / (t1 - t0)) * (w - 2) + 1;
  const y = (v) => (hi === lo ? h / 2 : h - 2 - ((v - lo) / (hi - lo)) * (h - 4));
  let d = `M${x(pts[0][0]).toFixed(1)} ${y(pts[0][1]).toFixed(1)}`;
  for (let i = 1; i < pts.length; i++) d += `H${x(pts[i][0]).toFixed(1)}V${y(pts[i][1]).toFixed(1)}`;
  return `${d}H${(w - 1).toFixed(1)}`;
}

/* ---------------------------------------------------------------- rendering (server and browser) */


/** The table's columns: sort key, header, and whether it holds a number. */
export const COLUMNS = [
  { key: 'provider', label: 'Provider' },
  { key: 'model', label: 'Model' },
  { key: 'currency', label: 'Cur.', title: 'Currency as published, or the one chosen under “Show in” (a converted row names its rate)' },
  { key: 'input', label: 'Input', title: 'Input (cache miss), per 1M tokens', num: true },
  { key: 'cacheRead', label: 'Cache read', title: 'Cache read (hit), per 1M tokens', num: true },
  { key: 'cacheWrite', label: 'Cache write', title: 'Cache write, per 1M tokens', num: true },
  { key: 'output', label: 'Output', title: 'Output, per 1M tokens', num: true },
  { key: 'context', label: 'Context', title: 'Context window, tokens', num: true },
  { key: 'freshness', label: 'Confirmed', title: 'How long ago a source last showed these prices unchanged (the oldest of the row’s lines)' },
  { key: 'change', label: 'Last change' },
];

function priceCell(label, cell, row) {
  if (!cell) return ['td', { class: 'num price none', 'data-label': label }, '—'];
  const parts = [];
  if (cell.conditioned) parts.push(['span', { class: 'muted small', title: 'No standard price: the cheapest of the conditioned lines (e.g. off-peak)' }, 'from ']);
  parts.push(['span', { class: 'amt' }, formatDecimal(cell.amount)], ['span', { class: 'cur-m' }, ` ${row.currency}`]);
  if (cell.list !== null && cell.list !== undefined) parts.push(' ', ['span', { class: 'badge badge-promo' }, 'promo'], ['span', { class: 'muted small list-note' }, ` list ${formatDecimal(cell.list)}`]);
  if (cell.variants > 0)
    parts.push(' ', ['a', { class: 'variants small', href: modelHref(row.model), title: `${cell.variants} more ${cell.variants === 1 ? 'line' : 'lines'} (time of day, long context, tiers…): see the model` }, `+${cell.variants}`]);
  return ['td', { class: 'num price', 'data-label': label, 'data-amount': String(cell.amount) }, ...parts];
}

/** "N days ago" since the oldest confirmation; stale rows marked in words, with the reason. */
function freshCell(row, nowMs) {
  const reason = row.staleReason?.message;
  const badge = row.stale ? ['span', { class: 'badge badge-stale', title: reason }, 'stale'] : '';
  const why = row.stale && reason ? ['span', { class: 'visually-hidden' }, ` (${reason})`] : '';
  if (row.lastConfirmedAt)
    return [
      'td',
      { 'data-label': 'Confirmed', class: row.stale ? 'fresh is-stale' : 'fresh', title: reason ?? `last confirmed ${formatInstant(row.lastConfirmedAt)}` },
      ['time', { datetime: row.lastConfirmedAt }, formatAge(row.lastConfirmedAt, nowMs)],
      row.stale ? ' ' : '',
      badge,
      why,
    ];
  // Null: no source says when (stale by the rule), or the timeline does not judge freshness at all.
  if (row.stale) return ['td', { 'data-label': 'Confirmed', class: 'fresh is-stale', title: reason }, 'never ', badge, why];
  return ['td', { 'data-label': 'Confirmed', class: 'muted' }, 'unknown'];
}

/** The row's currency; a converted row says from what and at which rate. */
function currencyCell(row) {
  if (!row.fx) return ['td', { 'data-label': 'Currency' }, row.currency];
  const f = row.fx;
  return [
    'td',
    { 'data-label': 'Currency', class: 'converted', 'data-converted-from': f.convertedFrom, title: `converted from ${f.convertedFrom} at ${f.rate} ${row.currency}/${f.convertedFrom}, ECB reference rate of ${f.rateDate}${f.rateNote ? ` (${f.rateNote})` : ''}` },
    row.currency,
    ['span', { class: 'muted small fx-note' }, ` from ${f.convertedFrom} at ${f.rate} (ECB ${f.rateDate})`],
  ];
}

/** One row as a neutral tree: [tag, attrs, ...children] (strings are text). */
export function rowSpec(row, nowMs) {
  const head = ['th', { scope: 'row' }, ['a', { href: modelHref(row.model) }, row.name], ' ', ['span', { class: 'muted small model-sub' }, row.model]];
  if (row.status !== 'active') head.push(' ', ['span', { class: `badge badge-${row.status === 'retired' ? 'removed' : 'info'}` }, row.status]);
  if (row.disputed) head.push(' ', ['a', { class: 'badge badge-disputed', href: `${modelHref(row.model)}#disagreements-h`, title: 'Sources disagree on a price of this model: see which, and since when' }, 'sources disagree']);
  const fresh = freshCell(row, nowMs);
  const c = row.lastChange;
  // A line with one step says nothing a date does not.
  const d = row.spark.length > 1 ? sparkPath(row.spark, nowMs) : '';
  const spark = d
    ? ['svg', { class: 'spark', viewBox: '0 0 80 20', width: '80', height: '20', role: 'img', 'aria-label': `${row.spark.length} price ${row.spark.length === 1 ? 'step' : 'steps'} since ${formatInstant(row.spark[0][0]).slice(0, 10)}` }, ['path', { d }]]
    : '';
  const change = c
    ? [
        'td',
        { 'data-label': 'Last change', class: 'change', title: c.words },
        ['time', { datetime: c.at }, formatInstant(c.at).slice(0, 10)],
        ' ',
        c.pct !== null && c.pct !== 0 ? ['span', { class: `pct ${c.pct < 0 ? 'down' : 'up'}` }, `${formatPct(c.pct)}${c.list ? ' list' : ''}`] : ['span', { class: 'muted small' }, changeBadge(c.type).label],
        ' ',
        spark,
      ]
    : ['td', { 'data-label': 'Last change', class: 'change' }, ['span', { class: 'muted small' }, row.pricedSince ? `since ${formatInstant(row.pricedSince).slice(0, 10)}` : '—'], ' ', spark];
  return [
    'tr',
    { 'data-model': row.model, 'data-currency': row.currency, 'data-provider': row.provider, class: row.stale ? 'stale' : undefined, 'data-stale': row.stale ? 'true' : undefined },
    ['td', { 'data-label': 'Provider', class: 'provider' }, row.providerName],
    head,
    currencyCell(row),
    priceCell('Input', row.input, row),
    priceCell('Cache read', row.cacheRead, row),
    priceCell('Cache write', row.cacheWrite, row),
    priceCell('Output', row.output, row),
    ['td', { class: 'num', 'data-label': 'Context' }, row.contextWindow ? formatTokens(row.contextWindow) : '—'],
    fresh,
    change,
  ];
}

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => ESC[ch]);

/** A tree as escaped HTML (the server's rendering). */
export function specToHtml(spec) {
  if (spec === null || spec === undefined || spec === '') return '';
  if (typeof spec === 'string') return esc(spec);
  const [tag, attrs, ...children] = spec;
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== null && v !== false)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  return `<${tag}${a}>${children.map(specToHtml).join('')}</${tag}>`;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A tree as DOM nodes (the browser's rendering; text is always text). */
export function specToDom(spec, svg = false) {
  if (spec === null || spec === undefined || spec === '') return document.createTextNode('');
  if (typeof spec === 'string') return document.createTextNode(spec);
  const [tag, attrs, ...children] = spec;
  const inSvg = svg || tag === 'svg';
  const el = inSvg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
  for (const c of children) el.append(specToDom(c, inSvg));
  return el;
}

/* ---------------------------------------------------------------- seams to routes still landing */

/**
 * Model ids in an answer of GET /v1/models/resolve or GET /v1/disagreements, whatever their exact
 * shape: `{model}`, `{id}`, or a list under data / matches / candidates / results of ids or objects
 * with `model` / `id`. Nothing recognisable → an empty set (then the page matches locally).
 */
export function modelIdsIn(body) {
  const out = new Set();
  const take = (v) => {
    if (typeof v === 'string' && v.includes('/')) out.add(v.toLowerCase());
    else if (v && typeof v === 'object') {
      if (typeof v.model === 'string') out.add(v.model.toLowerCase());
      else if (typeof v.id === 'string') out.add(v.id.toLowerCase());
    }
  };
  if (!body || typeof body !== 'object') return out;
  take(body);
  for (const k of ['data', 'matches', 'candidates', 'results']) if (Array.isArray(body[k])) body[k].forEach(take);
  return out;
}
