// The calculator's workloads as timed requests, pure (the browser and the tests share them):
//  - a day's requests spread over 96 quarter-hour slots (uniform, business hours in a zone, or an
//    hourly profile read in a zone), each slot's requests at the slot's middle, so time-of-day
//    prices (DeepSeek's peak / off-peak) count the hours they fall in;
//  - an uploaded usage log (CSV or JSONL, the shape of the providers' usage exports) read into rows.
// Requests of equal count share one POST /v1/quote (`requests` multiplies a log of slot instants).

export const SLOTS = 96;
const SLOT_MS = 15 * 60_000;

/** Local hour and minute of an instant in an IANA zone. */
function localTime(ms, tz) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (t) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { hour: get('hour'), minute: get('minute') };
}

/** The middle of slot s of the UTC day `date` (YYYY-MM-DD), in ms. */
export function slotInstant(date, s) {
  return Date.parse(`${date}T00:00:00Z`) + s * SLOT_MS + SLOT_MS / 2;
}

/**
 * Weights of the 96 slots: `uniform`; `business` (09:00–17:00 local in tz); `profile` (24 weights,
 * one per local hour in tz). Throws a sentence when the profile cannot be read.
 */
export function slotWeights(date, spread, tz = 'UTC', profile = []) {
  if (spread === 'uniform') return new Array(SLOTS).fill(1);
  if (spread === 'profile' && (profile.length !== 24 || profile.some((w) => !(w >= 0)) || profile.every((w) => w === 0)))
    throw new Error('the hourly profile needs 24 non-negative numbers, not all 0 (one per hour, 00–23)');
  return Array.from({ length: SLOTS }, (_, s) => {
    const { hour } = localTime(slotInstant(date, s), tz);
    return spread === 'business' ? (hour >= 9 && hour < 17 ? 1 : 0) : profile[hour];
  });
}

/** n requests over the slots by weight (largest remainder: the counts add up to n exactly). */
export function slotCounts(n, weights) {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (n * w) / sum);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) counts[order[k % order.length][1]]++;
  return counts;
}

/**
 * Quote bodies' usage for a day: slots grouped by their request count, each group a log of slot
 * instants to be multiplied by that count. `usage` is one request's token counts.
 */
export function dayGroups(date, counts, usage) {
  const groups = new Map();
  counts.forEach((c, s) => {
    if (c === 0) return;
    const at = new Date(slotInstant(date, s)).toISOString();
    if (!groups.has(c)) groups.set(c, []);
    groups.get(c).push({ at, ...usage });
  });
  return [...groups.entries()].map(([count, log]) => ({ count, log }));
}

/** Parses "1,1,2,…" (24 numbers) as an hourly profile. */
export function parseProfile(text) {
  return String(text)
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(Number);
}

/* ---------------------------------------------------------------- usage logs */

/** Header names the providers' exports use, per field. */
const FIELDS = {
  at: ['timestamp', 'time', 'created', 'created_at', 'date', 'start_time', 'datetime', 'at'],
  model: ['model', 'model_name', 'model_id', 'snapshot_id'],
  input: ['input', 'input_tokens', 'prompt_tokens', 'n_context_tokens_total', 'uncached_input_tokens', 'input_uncached'],
  cached: ['cached', 'cached_tokens', 'cache_read', 'cache_read_tokens', 'cache_read_input_tokens', 'input_cached_tokens', 'prompt_cache_hit_tokens'],
  cacheWrite: ['cache_write', 'cache-write', 'cache_write_tokens', 'cache_creation_input_tokens', 'cache_creation_tokens'],
  output: ['output', 'output_tokens', 'completion_tokens', 'n_generated_tokens_total'],
};
export const MAX_LOG_ROWS = 100_000;

const norm = (s) => String(s).trim().toLowerCase().replace(/[\s-]+/g, '_');

function fieldOf(name) {
  const n = norm(name);
  for (const [field, names] of Object.entries(FIELDS)) if (names.map(norm).includes(n)) return field;
  return null;
}

/** One CSV line into cells (quoted cells may hold commas and doubled quotes). */
function csvCells(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim());
}

function toCount(v) {
  if (v === undefined || v === null || v === '') return 0;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function toInstant(v) {
  if (typeof v === 'number') return new Date(v < 1e12 ? v * 1000 : v).toISOString(); // unix seconds or ms
  const s = String(v ?? '').trim();
  if (/^\d{9,13}$/.test(s)) return toInstant(Number(s));
  // A bare "YYYY-MM-DD HH:MM[:SS]" is read as UTC (the exports' own convention).
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? `${s.replace(' ', 'T')}Z` : /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
  const t = Date.parse(iso);
  return Number.isNaN(t) || !/^\d{4}-/.test(iso) ? null : new Date(t).toISOString();
}

/**
 * A usage log: CSV with a header row, or JSON Lines (one object per line; OpenAI-style nested
 * `usage` objects are read too). `inputIncludesCache`: the input count already holds the cached and
 * cache-write tokens (OpenAI, DeepSeek) or not (Anthropic's input_tokens). Returns the rows priced
 * as POST /v1/quote counts them (inputTokens = every prompt token) and a sentence per bad line.
 */
export function parseUsageLog(text, { inputIncludesCache = true } = {}) {
  const lines = String(text).replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows = [];
  const errors = [];
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first === -1) return { rows, errors: ['the file is empty'] };
  const jsonl = lines[first].trim().startsWith('{');
  let header = null;
  if (!jsonl) {
    header = csvCells(lines[first]).map(fieldOf);
    for (const need of ['at', 'model', 'input', 'output'])
      if (!header.includes(need)) return { rows, errors: [`the CSV header has no ${need} column (e.g. ${FIELDS[need].slice(0, 3).join(', ')})`] };
  }
  for (let i = first + (jsonl ? 0 : 1); i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    if (rows.length >= MAX_LOG_ROWS) {
      errors.push(`more than ${MAX_LOG_ROWS} rows: the rest is not read`);
      break;
    }
    const rec = {};
    if (jsonl) {
      let obj;
      try {
        obj = JSON.parse(line);
      } catch {
        errors.push(`line ${i + 1}: not JSON`);
        continue;
      }
      const flat = { ...obj, ...(obj && typeof obj.usage === 'object' ? obj.usage : {}) };
      const details = flat.prompt_tokens_details ?? flat.input_tokens_details;
      if (details && typeof details.cached_tokens === 'number' && flat.cached_tokens === undefined) flat.cached_tokens = details.cached_tokens;
      for (const [k, v] of Object.entries(flat)) {
        const f = fieldOf(k);
        if (f && rec[f] === undefined) rec[f] = v;
      }
    } else {
      csvCells(line).forEach((v, j) => {
        if (header[j] && rec[header[j]] === undefined) rec[header[j]] = v;
      });
    }
    const at = toInstant(rec.at);
    const model = String(rec.model ?? '').trim();
    const [input, cached, cacheWrite, output] = [rec.input, rec.cached, rec.cacheWrite, rec.output].map(toCount);
    if (!at) errors.push(`line ${i + 1}: no readable timestamp`);
    else if (!model) errors.push(`line ${i + 1}: no model`);
    else if ([input, cached, cacheWrite, output].includes(null)) errors.push(`line ${i + 1}: token counts must be whole non-negative numbers`);
    else {
      const total = inputIncludesCache ? input : input + cached + cacheWrite;
      if (cached + cacheWrite > total) errors.push(`line ${i + 1}: cached and cache-write tokens exceed the input tokens`);
      else rows.push({ at, model, inputTokens: total, cacheReadTokens: cached, cacheWriteTokens: cacheWrite, outputTokens: output });
    }
  }
  return { rows, errors };
}

/** The model id to quote for a name as an API returned it: an id or alias, else one ending in `/name`. */
export function localModelFor(name, models) {
  const n = name.trim().toLowerCase();
  const ids = new Set();
  for (const m of models) {
    ids.add(m.id);
    for (const a of m.aliases ?? []) ids.add(a.alias);
  }
  if (ids.has(n)) return n;
  // A raw API name has no provider prefix; direct providers' ids before aggregators' (openrouter/…).
  const tail = [...ids].filter((id) => id.endsWith(`/${n}`)).sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return tail[0] ?? null;
}
