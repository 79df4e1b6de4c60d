// Model names as APIs return them → tokentrail model ids. Pure: the index is built from the
// models and aliases tables (src/resolve/index-db.ts); each answer names the rule that matched.
// Rules, in order (the first that yields a known model wins):
//   exact          `anthropic/claude-opus-4-6`, or `claude-opus-4-6` with provider= or a home provider
//   alias          an alias in effect at `at` (aliases keep their own validity)
//   wrapper        `models/gemini-2.5-pro`, a provider prefix (`openai/gpt-4o`, OpenRouter slugs
//                  `x-ai/grok-4`), Bedrock `us.anthropic.claude-…-v1:0`, Vertex `…@20241022`
//   normalised     case and separators (`Claude_3.5 Sonnet` → `claude-3-5-sonnet`)
//   snapshot       a dated or `-latest` name → its undated model (`gpt-4o-2024-08-06` → `gpt-4o`
//                  when no dated model is listed)
//   qualified      with provider=: a host's id that qualifies the name (`anthropic.claude-fable-5`)
//   prefix         the longest known model the name starts with at a `-` boundary (genai-prices'
//                  starts_with rules)
//   completion     with provider=: the shortest known id the name is the start of
// An unknown name gets up to five suggestions by token overlap and edit distance.

export interface ResolveIndex {
  /** Every model id. */
  models: string[];
  aliases: Array<{ alias: string; model: string; validFrom: number | null; validTo: number | null }>;
  /** Model ids that carry a price (preferred when a name is ambiguous). */
  priced?: ReadonlySet<string>;
  /** Providers whose own page we read (preferred over resellers for a bare name). */
  official?: ReadonlySet<string>;
}

export type ResolveRule = 'exact' | 'alias' | 'wrapper' | 'normalised' | 'snapshot' | 'qualified' | 'prefix' | 'completion';

export interface Resolved {
  name: string;
  model: string;
  provider: string;
  rule: ResolveRule;
  /** The alias the name was, when rule = alias. */
  alias?: string;
  /** What was stripped or rewritten, e.g. `bedrock region+vendor prefix, version suffix`. */
  detail?: string;
}

export interface Unresolved {
  name: string;
  suggestions: string[];
}

/** API vendor prefixes (OpenRouter slugs, LiteLLM, Bedrock vendor segment) → tokentrail provider. */
export const VENDOR_PREFIXES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  gemini: 'google',
  'x-ai': 'xai',
  xai: 'xai',
  'meta-llama': 'meta',
  meta: 'meta',
  mistralai: 'mistral',
  mistral: 'mistral',
  deepseek: 'deepseek',
  'deepseek-ai': 'deepseek',
  moonshotai: 'moonshot',
  moonshot: 'moonshot',
  qwen: 'alibaba',
  alibaba: 'alibaba',
  'z-ai': 'zai',
  zai: 'zai',
  'zai-org': 'zai',
  zhipuai: 'zhipuai',
  minimax: 'minimax',
  xiaomi: 'xiaomi',
  cohere: 'cohere',
  amazon: 'amazon-bedrock',
  bedrock: 'amazon-bedrock',
  vertex_ai: 'google-vertex',
  azure: 'azure',
  groq: 'groq',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  perplexity: 'perplexity',
  openrouter: 'openrouter',
};

/** Where a bare model family lives when no provider is given (the model maker's own API). */
const HOME: Array<[RegExp, string]> = [
  [/^claude/, 'anthropic'],
  [/^(gpt|o[1-9]|chatgpt|text-embedding|dall-e|whisper|tts|davinci|babbage|codex|omni-moderation|computer-use)/, 'openai'],
  [/^(gemini|gemma|imagen|veo|learnlm)/, 'google'],
  [/^grok/, 'xai'],
  [/^(mistral|mixtral|codestral|ministral|magistral|devstral|pixtral|open-mistral|open-mixtral|voxtral)/, 'mistral'],
  [/^deepseek/, 'deepseek'],
  [/^(kimi|moonshot)/, 'moonshot'],
  [/^(qwen|qwq|qvq)/, 'alibaba'],
  [/^glm/, 'zai'],
  [/^(minimax|abab)/, 'minimax'],
  [/^mimo/, 'xiaomi'],
  [/^(command|embed-|rerank-|c4ai-aya|aya)/, 'cohere'],
  [/^(llama|meta-llama)/, 'meta'],
  [/^(nova|titan)/, 'amazon-bedrock'],
  [/^sonar/, 'perplexity'],
];

const BEDROCK_REGION = /^(us|eu|apac|ap|global|us-gov|jp|au|ca|regional)\./;
const BEDROCK_VENDOR = /^(anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer|stability|twelvelabs|moonshot|moonshotai|minimax|google|nvidia)\./;

/** Separators and case do not tell models apart: `Claude_3.5 Sonnet` ~ `claude-3-5-sonnet`. */
export function nameKey(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[\s_.]+/g, '-')
    .replace(/-+/g, '-');
}

function localOf(id: string): string {
  return id.slice(id.indexOf('/') + 1);
}
function providerOf(id: string): string {
  return id.slice(0, id.indexOf('/'));
}

/** Snapshot forms → the undated name: dates, `-latest`, Bedrock/Vertex version suffixes. */
function undated(local: string): string[] {
  const out: string[] = [];
  const push = (s: string) => s && s !== local && !out.includes(s) && out.push(s);
  push(local.replace(/-latest$/, ''));
  push(local.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, ''));
  push(local.replace(/-(\d{4})$/, '')); // -0613, -1106 (OpenAI), -2411 (Mistral)
  push(local.replace(/-(\d{2}-\d{4})$/, '')); // -03-2025 (Gemini previews)
  push(local.replace(/-(preview|exp)(-\d{2}-\d{2}|-\d{4}-\d{2}-\d{2})?$/, ''));
  push(local.replace(/-\d{3}$/, '')); // gemini-1.5-pro-002
  return out;
}

interface Prepared {
  byId: Set<string>;
  /** nameKey(local) → ids. */
  byKey: Map<string, string[]>;
  index: ResolveIndex;
}

const prepared = new WeakMap<ResolveIndex, Prepared>();

function prepare(index: ResolveIndex): Prepared {
  const hit = prepared.get(index);
  if (hit) return hit;
  const byKey = new Map<string, string[]>();
  for (const id of index.models) {
    const k = nameKey(localOf(id));
    const list = byKey.get(k);
    if (list) list.push(id);
    else byKey.set(k, [id]);
  }
  const p = { byId: new Set(index.models), byKey, index };
  prepared.set(index, p);
  return p;
}

/** Among several ids for one name: the asked provider, else the home provider, else official, priced, shortest. */
function pick(p: Prepared, ids: string[], provider: string | undefined, local: string): string | null {
  if (ids.length === 0) return null;
  if (provider) {
    const own = ids.filter((i) => providerOf(i) === provider);
    return own.length ? own.sort()[0] : null;
  }
  const home = HOME.find(([re]) => re.test(local))?.[1];
  const rank = (id: string) => [
    providerOf(id) === home ? 0 : 1,
    p.index.official?.has(providerOf(id)) ? 0 : 1,
    p.index.priced?.has(id) ? 0 : 1,
    id.split('/').length,
  ];
  return [...ids].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return a.localeCompare(b);
  })[0];
}

/** Ids whose local name is `local` exactly (lowercased), or whose full id is `provider/local`. */
function exactIds(p: Prepared, local: string, provider?: string): string[] {
  const l = local.toLowerCase();
  if (provider) return p.byId.has(`${provider}/${l}`) ? [`${provider}/${l}`] : [];
  return (p.byKey.get(nameKey(l)) ?? []).filter((id) => localOf(id) === l);
}

function aliasAt(index: ResolveIndex, alias: string, at: number): string | null {
  const hits = index.aliases.filter((a) => a.alias === alias && (a.validFrom === null || a.validFrom <= at) && (a.validTo === null || a.validTo > at));
  hits.sort((a, b) => (b.validFrom ?? 0) - (a.validFrom ?? 0) || a.model.localeCompare(b.model));
  return hits[0]?.model ?? null;
}

/** Rewrites of a raw name: [local name, provider hint, what was done]. */
function wrappers(raw: string, provider: string | undefined): Array<{ local: string; provider?: string; detail: string }> {
  const out: Array<{ local: string; provider?: string; detail: string }> = [];
  let s = raw.trim().toLowerCase();
  if (s.startsWith('models/')) {
    s = s.slice(7);
    out.push({ local: s, provider, detail: 'models/ prefix' });
  }
  // `cerebras:gpt-oss-120b`, `groq:llama-…` (a provider named before a colon).
  const colon = /^([a-z0-9_-]+):(.+)$/.exec(s);
  if (colon && !/^(ft|\d)/.test(colon[1])) {
    const mapped = VENDOR_PREFIXES[colon[1]] ?? colon[1];
    out.push({ local: colon[2], provider: provider ?? mapped, detail: `${colon[1]}: prefix` });
  }
  const slash = s.indexOf('/');
  if (slash > 0) {
    const vendor = s.slice(0, slash);
    const rest = s.slice(slash + 1);
    const mapped = VENDOR_PREFIXES[vendor] ?? vendor;
    // With provider=openrouter (or any aggregator) the slug is the model's own name there.
    if (provider) out.push({ local: s, provider, detail: 'slug kept under the asked provider' });
    out.push({ local: rest, provider: provider && provider !== mapped ? provider : mapped, detail: `${vendor}/ prefix` });
    out.push({ local: rest, provider, detail: `${vendor}/ prefix` });
    s = rest;
  }
  const br = s.replace(BEDROCK_REGION, '');
  const bv = br.replace(BEDROCK_VENDOR, '');
  if (bv !== s) {
    const vendor = BEDROCK_VENDOR.exec(br)?.[1];
    const bare = bv.replace(/-v\d+(:\d+)?$/, '').replace(/:\d+$/, '');
    if (provider) out.push({ local: br, provider, detail: 'bedrock region prefix' });
    out.push({ local: bare, provider: provider ?? (vendor ? (VENDOR_PREFIXES[vendor] ?? vendor) : undefined), detail: 'bedrock region/vendor prefix, version suffix' });
  }
  const at = /^(.+?)@(\d{8}|latest|\d{3}|default)$/.exec(s);
  if (at) {
    const base = at[1];
    const ver = at[2];
    const dated = /^\d{8}$/.test(ver) ? [`${base}-${ver}`, `${base.replace(/-v\d+$/, '')}-${ver}`] : [];
    for (const d of dated) out.push({ local: d, provider, detail: 'vertex @version as a dated name' });
    out.push({ local: base, provider, detail: 'vertex @version dropped' });
  }
  // Azure names GPT-3.5 without the dot.
  if (/^gpt-35/.test(s)) out.push({ local: s.replace(/^gpt-35/, 'gpt-3.5'), provider, detail: 'azure gpt-35 spelling' });
  // Claude's two orders: version first up to 3.x (`claude-3-5-sonnet`), family first since 4
  // (`claude-sonnet-4-5`); names in the other order (`claude-4-sonnet`, `claude-4.5-opus`) exist.
  const claude = /^claude-(\d+(?:[.-]\d+)?)-(opus|sonnet|haiku)(.*)$/.exec(s) ?? null;
  if (claude) out.push({ local: `claude-${claude[2]}-${claude[1].replace(/\.0$/, '')}${claude[3]}`, provider, detail: 'claude version/family order' });
  const claude2 = /^claude-(opus|sonnet|haiku)-(\d+(?:[.-]\d+)?)(.*)$/.exec(s) ?? null;
  if (claude2) out.push({ local: `claude-${claude2[2]}-${claude2[1]}${claude2[3]}`, provider, detail: 'claude version/family order' });
  if (/[@:-]$/.test(s)) out.push({ local: s.replace(/[@:-]+$/, ''), provider, detail: 'trailing separator' });
  return out;
}

export function resolveName(index: ResolveIndex, raw: string, opts: { provider?: string; at: number }): Resolved | Unresolved {
  const p = prepare(index);
  const name = raw.trim();
  const lower = name.toLowerCase();
  const provider = opts.provider?.trim().toLowerCase() || undefined;
  // A bare family name (`claude-…`, `qwen-…`) is the maker's model before any reseller's copy.
  const home = !provider && !lower.includes('/') ? HOME.find(([re]) => re.test(lower))?.[1] : undefined;
  if (home && index.models.some((m) => m.startsWith(`${home}/`))) {
    const r = resolveWith(p, name, lower, home, opts.at);
    if (r) return r;
  }
  return resolveWith(p, name, lower, provider, opts.at) ?? { name, suggestions: suggest(index, name, provider) };
}

function resolveWith(p: Prepared, name: string, lower: string, provider: string | undefined, at: number): Resolved | null {
  const index = p.index;
  const opts = { at };
  const done = (model: string, rule: ResolveRule, extra: Partial<Resolved> = {}): Resolved => ({ name, model, provider: providerOf(model), rule, ...extra });

  // exact: a full id, or a local name under the asked / home provider.
  if (p.byId.has(lower) && (!provider || providerOf(lower) === provider)) return done(lower, 'exact');
  // A full id that is an alias (a catalog id collapsed into a model, src/catalog/identity.ts) names
  // that model, before another provider's local name that happens to spell it (OpenRouter's
  // `anthropic/claude-3.5-sonnet` for Anthropic's collapsed `anthropic/claude-3.5-sonnet`).
  if (lower.includes('/')) {
    const m = aliasAt(index, lower, opts.at);
    if (m && (!provider || providerOf(m) === provider)) return done(m, 'alias', { alias: lower });
  }
  const ex = pick(p, exactIds(p, lower, provider), provider, lower);
  if (ex) return done(ex, 'exact');
  // alias, as a full id or under the provider
  for (const a of provider ? [`${provider}/${lower}`, lower] : [lower, ...candidatesUnderProviders(p, lower)]) {
    const m = aliasAt(index, a, opts.at);
    if (m && (!provider || providerOf(m) === provider)) return done(m, 'alias', { alias: a });
  }
  const attempts: Array<{ local: string; provider?: string; detail?: string }> = [{ local: lower, provider }, ...wrappers(lower, provider)];
  for (const rule of ['wrapper', 'normalised', 'snapshot', 'qualified', 'prefix', 'completion'] as const) {
    for (const t of attempts) {
      let found: string | null = null;
      if (rule === 'wrapper') {
        if (t === attempts[0]) continue;
        found = pick(p, exactIds(p, t.local, t.provider), t.provider, t.local);
        if (!found) {
          const m = aliasAt(index, t.provider ? `${t.provider}/${t.local}` : t.local, opts.at);
          if (m) found = m;
        }
      } else if (rule === 'normalised') {
        found = pick(p, p.byKey.get(nameKey(t.local)) ?? [], t.provider, t.local);
      } else if (rule === 'snapshot') {
        for (const u of undated(t.local)) {
          found = pick(p, p.byKey.get(nameKey(u)) ?? [], t.provider, u);
          if (found) break;
        }
      } else if (rule === 'qualified') {
        // A host's id qualifies the maker's name: `anthropic.claude-fable-5`, `…-v1:0`.
        if (!t.provider) continue;
        const k = nameKey(t.local);
        const hits = index.models.filter((m) => {
          if (providerOf(m) !== t.provider) return false;
          const l = nameKey(localOf(m)).replace(/-v\d+(:\d+)?$/, '');
          return l === k || l.endsWith(`-${k}`) || l.endsWith(`/${k}`);
        });
        found = hits.sort((a, b) => a.split('.').length - b.split('.').length || a.length - b.length || a.localeCompare(b))[0] ?? null;
      } else if (rule === 'completion') {
        // A name cut short (genai-prices' starts_with values): the shortest known id it begins.
        if (!t.provider) continue;
        const k = nameKey(t.local);
        const hits = index.models.filter((m) => providerOf(m) === t.provider && nameKey(localOf(m)).startsWith(`${k}-`));
        found = hits.sort((a, b) => a.length - b.length || a.localeCompare(b))[0] ?? null;
      } else {
        const k = nameKey(t.local).split('-');
        for (let n = k.length - 1; n >= 1 && !found; n--) found = pick(p, p.byKey.get(k.slice(0, n).join('-')) ?? [], t.provider, k.slice(0, n).join('-'));
      }
      if (found) return done(found, rule, t.detail ? { detail: t.detail } : {});
    }
  }
  return null;
}

function candidatesUnderProviders(p: Prepared, lower: string): string[] {
  const home = HOME.find(([re]) => re.test(lower))?.[1];
  return home ? [`${home}/${lower}`] : [];
}

/* ------------------------------------------------------------------ suggestions */

const tokens = (s: string) => new Set(nameKey(s).split(/[-/:]+/).filter(Boolean));

let rowA = new Uint16Array(64);
let rowB = new Uint16Array(64);

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (rowA.length <= b.length) {
    rowA = new Uint16Array(b.length + 1);
    rowB = new Uint16Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const del = prev[j] + 1;
      const ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length];
}

/** Per model: its local name key and tokens, computed once per index. */
const suggestCache = new WeakMap<ResolveIndex, Array<{ id: string; provider: string; key: string; tokens: Set<string> }>>();

/** Up to five known ids nearest the name: token overlap first, then edit distance of the local names. */
export function suggest(index: ResolveIndex, name: string, provider?: string, limit = 5): string[] {
  let all = suggestCache.get(index);
  if (!all) {
    all = index.models.map((id) => ({ id, provider: providerOf(id), key: nameKey(localOf(id)), tokens: tokens(localOf(id)) }));
    suggestCache.set(index, all);
  }
  const want = tokens(name);
  const key = nameKey(name.replace(/^.*\//, ''));
  const scored: Array<{ id: string; score: number }> = [];
  for (const m of all) {
    if (provider && m.provider !== provider) continue;
    let common = 0;
    for (const t of want) if (m.tokens.has(t)) common++;
    const overlap = common / Math.max(1, want.size + m.tokens.size - common);
    const dist = editDistance(key, m.key) / Math.max(key.length, m.key.length, 1);
    scored.push({ id: m.id, score: overlap + (1 - dist) + (index.official?.has(m.provider) ? 0.05 : 0) });
  }
  scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return scored.slice(0, limit).map((s) => s.id);
}
