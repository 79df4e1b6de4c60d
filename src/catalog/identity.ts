// Model identity across catalogs (issue #11, "Names as APIs return them"): catalog ids that name one
// model become ONE tokentrail model, the other ids its aliases; ids that name a model under a
// condition (LiteLLM's `fast/…`, a ">200k" entry) become lines of that model with the condition.
// Pure: a catalog's slice for one provider, plus the provider's models the timeline already holds,
// in; the slice in canonical ids and the collapses made (each with its rule), out.
//
// Rules, applied to each catalog id of the slice (docs/decisions.md, "Model identity"):
//   variant       a prefix the catalog's table names (LiteLLM `fast/` → variant fast-mode) is a
//                 condition of the model after it (CatalogIdentity.variantPrefixes)
//   context-tier  an entry the catalog's table reads as a context tier of another entry
//                 (llm-prices `claude-sonnet-4.5-200k` "… >200k") → contextAbove on that entry's model
//   separator     case, `.` and `_` do not tell ids apart (`claude-3.5-sonnet` ~ `claude-3-5-sonnet`)
//   order         Claude's two orders (`claude-4-opus` ~ `claude-opus-4`) and Anthropic's `-0`
//                 aliases (`claude-opus-4-0` = `claude-opus-4`)
//   latest        `X-latest` is X (the moving alias of X) when X is a model
//   snapshot      `X-20250514` / `X-2024-08-06` is X when X is a model and it is the ONLY dated
//                 snapshot of X the catalog lists: then it is the one X names. Two snapshots of X
//                 (claude-3-5-sonnet-20240620 and -20241022) stay models of their own.
// The id the group becomes: the provider's own page's id, else the provider's spelling (Anthropic:
// dashes, family-first from Claude 4), else the dotted spelling APIs use for versions (`gpt-4.1`,
// `gemini-3.1-pro-preview`, not llm-prices' `gemini-3-1-pro-preview`), else one the timeline already
// holds, else the first in order.
// A collapse never makes one catalog state two prices for one line: an id whose prices differ from
// those already gathered under the target stays a model of its own (a note says so).
import { Decimal } from 'decimal.js';
import { conditionsKey } from '../conditions.ts';
import { ModelId, type Conditions, type CoverageScope, type Observation, type ObservedModel, type ParseResult } from '../model.ts';

export type IdentityRule = 'separator' | 'order' | 'latest' | 'snapshot' | 'variant' | 'context-tier';

/** What a catalog's own table says of its ids, beyond the rules every catalog shares. */
export interface CatalogIdentity {
  /** provider → local-id prefix (with its `/`) → the condition it names. Longest prefix wins. */
  variantPrefixes?: Record<string, Record<string, Conditions>>;
  /** An entry that is a context tier of another: the other entry's local id and the tier's bound. */
  contextTier?: (local: string, model: ObservedModel | undefined) => { base: string; contextAbove: number } | null;
}

/** The provider's models the timeline holds: every id, and those its own page (or curated facts) price. */
export interface KnownModels {
  ids: ReadonlySet<string>;
  official: ReadonlySet<string>;
}

export interface Collapse {
  from: string;
  to: string;
  rule: IdentityRule;
  /** The condition the id stands for (variant, context tier), when it is one. */
  conditions?: Conditions;
}

export interface IdentityOutcome {
  result: ParseResult;
  collapses: Collapse[];
  notes: string[];
}

const localOf = (id: string) => id.slice(id.indexOf('/') + 1);
const DATED = /^(.+)-(\d{8}|\d{4}-\d{2}-\d{2})$/;
const FAMILIES = new Set(['opus', 'sonnet', 'haiku']);
const isNum = (t: string | undefined) => t !== undefined && /^\d+$/.test(t);
const isDigit = (t: string | undefined) => t !== undefined && /^\d$/.test(t);

// Claude names are read token by token (split at `-`), not by one regex: Node 20's irregexp answers a
// lookahead inside an optional group differently once the regex tiers up (first call right, later wrong).

/** Claude's family-first form of a name segment: `claude-3-5-sonnet-x` → `claude-sonnet-3-5-x`; `-0` dropped. */
function claudeFamilyFirst(seg: string): string {
  const t = seg.split('-');
  if (t[0] !== 'claude') return seg;
  if (isNum(t[1]) && isDigit(t[2]) && FAMILIES.has(t[3])) t.splice(1, 3, t[3], t[1], t[2]);
  else if (isNum(t[1]) && FAMILIES.has(t[2])) t.splice(1, 2, t[2], t[1]);
  if (FAMILIES.has(t[1]) && isNum(t[2]) && t[3] === '0') t.splice(3, 1);
  return t.join('-');
}

/** The key ids of one model share: separators and case folded, Claude's order and `-0` folded. */
export function identityKey(local: string): string {
  const folded = local.trim().toLowerCase().replace(/[._\s]+/g, '-').replace(/-+/g, '-');
  return folded
    .split('/')
    .map((seg) => claudeFamilyFirst(seg))
    .join('/');
}

/** Anthropic's API spelling of a Claude 3+ name: dashes; version first up to 3.x, family first from 4 on. */
function anthropicSpelling(local: string): string {
  return local
    .split('/')
    .map((raw) => {
      // Names before Claude 3 keep their dots (`claude-2.1`, `claude-instant-1.2` are the API's ids).
      const seg = identityKey(raw);
      const t = seg.split('-');
      if (t[0] !== 'claude' || !FAMILIES.has(t[1])) return raw;
      if (!isNum(t[2]) || Number(t[2]) >= 4) return seg;
      const version = isDigit(t[3]) ? [t[2], t[3]] : [t[2]];
      return ['claude', ...version, t[1], ...t.slice(2 + version.length)].join('-');
    })
    .join('/');
}

/** Providers whose API ids follow one spelling: a catalog's other spelling is rewritten into it. */
const PROVIDER_SPELLING: Record<string, (local: string) => string> = { anthropic: anthropicSpelling };

const dots = (s: string) => (s.match(/\./g) ?? []).length;

/** The id a group of one model's ids becomes (see the header). */
function canonicalOf(provider: string, members: string[], known: KnownModels): string {
  const official = members.filter((m) => known.official.has(m)).sort();
  if (official.length) return official[0];
  const spell = PROVIDER_SPELLING[provider];
  if (spell) {
    const id = `${provider}/${spell(localOf(members[0]))}`;
    if (ModelId.safeParse(id).success) return id;
  }
  const held = (m: string) => (known.ids.has(m) ? 0 : 1);
  return [...members].sort((a, b) => dots(b) - dots(a) || held(a) - held(b) || a.localeCompare(b))[0];
}

const lineKey = (o: Observation) =>
  JSON.stringify([o.component, o.currency, o.unit, conditionsKey(o.conditions), o.kind, o.validFrom ?? null, o.validTo ?? null]);

// Variants and tiers last: they follow where the id they name went (step 4).
const RULE_RANK: Record<IdentityRule, number> = { separator: 0, order: 0, latest: 1, snapshot: 2, 'context-tier': 3, variant: 3 };

interface Plan {
  from: string;
  to: string;
  /** For a variant or tier id: the id of the model it names before the rules (`fast/x` → `x`). */
  base?: string;
  rule: IdentityRule | null;
  conditions: Conditions;
}

/** The slice in canonical ids: observations, models (with the collapsed ids as aliases), coverage. */
export function canonicalizeSlice(provider: string, result: ParseResult, known: KnownModels, identity: CatalogIdentity = {}, catalog = 'catalog'): IdentityOutcome {
  const notes: string[] = [];
  const observedModels = new Map((result.models ?? []).map((m) => [m.id, m]));
  const ids = [...new Set([...result.observations.map((o) => o.model), ...observedModels.keys()])].sort();
  const prefixes = Object.entries(identity.variantPrefixes?.[provider] ?? {}).sort(([a], [b]) => b.length - a.length);

  // 1. Conditions an id stands for (variant prefix, context tier) and the id of the model itself.
  const stripped = new Map<string, { local: string; conditions: Conditions; rule: IdentityRule | null }>();
  for (const id of ids) {
    let local = localOf(id);
    let conditions: Conditions = {};
    let rule: IdentityRule | null = null;
    const pre = prefixes.find(([p]) => local.startsWith(p));
    if (pre && local.length > pre[0].length) {
      local = local.slice(pre[0].length);
      conditions = { ...pre[1] };
      rule = 'variant';
    }
    const tier = identity.contextTier?.(local, observedModels.get(id));
    if (tier) {
      local = tier.base;
      conditions = { ...conditions, contextAbove: tier.contextAbove };
      rule ??= 'context-tier';
    }
    stripped.set(id, { local, conditions, rule });
  }

  // 2. Groups by identity key, over the slice's model ids and the provider's known ones.
  const groups = new Map<string, Set<string>>();
  const add = (key: string, id: string) => {
    const g = groups.get(key);
    if (g) g.add(id);
    else groups.set(key, new Set([id]));
  };
  for (const id of known.ids) add(identityKey(localOf(id)), id);
  for (const [id, s] of stripped) add(identityKey(s.local), s.local === localOf(id) ? id : `${provider}/${s.local}`);
  const canonical = new Map<string, string>();
  const canonicalFor = (key: string): string | null => {
    const g = groups.get(key);
    if (!g) return null;
    let c = canonical.get(key);
    if (!c) canonical.set(key, (c = canonicalOf(provider, [...g].filter((m) => ModelId.safeParse(m).success), known)));
    return c;
  };
  // Dated snapshots per undated key, as the catalog lists them (the uniqueness of the snapshot rule).
  const snapshotsOf = new Map<string, Set<string>>();
  for (const s of stripped.values()) {
    const m = DATED.exec(identityKey(s.local));
    if (m) (snapshotsOf.get(m[1]) ?? snapshotsOf.set(m[1], new Set()).get(m[1])!).add(m[2]);
  }

  // 3. Each id's target.
  const plans: Plan[] = [];
  for (const [id, s] of stripped) {
    const key = identityKey(s.local);
    let to = canonicalFor(key) ?? id;
    let rule: IdentityRule | null = s.rule;
    const latest = /^(.+)-latest$/.exec(key);
    const dated = DATED.exec(key);
    if (latest && groups.has(latest[1])) {
      to = canonicalFor(latest[1])!;
      rule ??= 'latest';
    } else if (dated && groups.has(dated[1]) && snapshotsOf.get(dated[1])?.size === 1) {
      to = canonicalFor(dated[1])!;
      rule ??= 'snapshot';
    } else if (to !== id) {
      rule ??= localOf(to).replace(/[._]/g, '-') === localOf(id).replace(/[._]/g, '-') ? 'separator' : 'order';
    }
    if (!ModelId.safeParse(to).success) ((to = id), (rule = null));
    const base = s.local === localOf(id) ? undefined : `${provider}/${s.local}`;
    plans.push({ from: id, to, ...(base ? { base } : {}), rule: to === id && Object.keys(s.conditions).length === 0 ? null : rule, conditions: s.conditions });
  }

  // 4. Gather observations per target, the target's own id first; an id whose prices differ from
  //    those already gathered (same line, other amount) is not the same model and keeps its id.
  plans.sort((a, b) => Number(a.from !== a.to) - Number(b.from !== b.to) || (a.rule ? RULE_RANK[a.rule] : -1) - (b.rule ? RULE_RANK[b.rule] : -1) || a.from.localeCompare(b.from));
  const byModel = new Map<string, Observation[]>();
  for (const o of result.observations) (byModel.get(o.model) ?? byModel.set(o.model, []).get(o.model)!).push(o);
  const lines = new Map<string, Map<string, Observation>>();
  const done: Plan[] = [];
  const wentTo = new Map<string, string>();
  for (const p of plans) {
    // `eu/o1-mini-2024-09-12` is a variant of wherever `o1-mini-2024-09-12` went (itself, if refused).
    const followed = p.base !== undefined ? wentTo.get(p.base) : undefined;
    if (followed !== undefined && followed !== p.to) p.to = followed;
    const mapped = (byModel.get(p.from) ?? []).map((o) => ({ ...o, model: p.to, conditions: { ...o.conditions, ...p.conditions } }));
    let target = lines.get(p.to);
    const clash = mapped.find((o) => {
      const prior = target?.get(lineKey(o));
      return prior !== undefined && !new Decimal(prior.amount).eq(o.amount);
    });
    if (clash && p.from !== p.to) {
      notes.push(`${catalog}: ${p.from} not read as ${p.to} (${p.rule}): its ${clash.component} ${clash.amount} differs from ${target!.get(lineKey(clash))!.amount}`);
      const own = { from: p.from, to: p.from, rule: null, conditions: {} };
      done.push(own);
      wentTo.set(p.from, p.from);
      const mine = new Map<string, Observation>();
      for (const o of byModel.get(p.from) ?? []) mine.set(lineKey(o), o);
      lines.set(p.from, mine);
      continue;
    }
    if (!target) lines.set(p.to, (target = new Map()));
    for (const o of mapped) if (!target.has(lineKey(o))) target.set(lineKey(o), o);
    done.push(p);
    wentTo.set(p.from, p.to);
  }

  // 5. The slice in canonical ids.
  const toOf = new Map(done.map((p) => [p.from, p]));
  const models = new Map<string, ObservedModel>();
  for (const p of [...done].sort((a, b) => Number(a.from !== a.to) - Number(b.from !== b.to) || a.from.localeCompare(b.from))) {
    const seen = observedModels.get(p.from);
    let m = models.get(p.to);
    if (!m) {
      const own = observedModels.get(p.to);
      m = { ...(own ?? seen ?? { name: localOf(p.to) }), id: p.to };
      if (!own && seen) delete m.aliases;
      if (Object.keys(p.conditions).length) {
        delete m.contextWindow; // a variant's or tier's window is not the model's
        delete m.maxOutput;
        if (!own) m.name = localOf(p.to);
      }
      models.set(p.to, m);
    }
    const what = Object.keys(p.conditions).length ? `${p.rule}: ${conditionsKey(p.conditions)}` : p.rule;
    const aliases = p.from === p.to ? [] : [{ alias: p.from, note: `${catalog} model id (${what})` }, ...(seen?.aliases ?? [])];
    for (const a of aliases) {
      if (a.alias === p.to || m.aliases?.some((x) => x.alias === a.alias)) continue;
      (m.aliases ??= []).push(a);
    }
  }
  const observations = [...lines.values()].flatMap((l) => [...l.values()]);
  observations.sort((a, b) => a.model.localeCompare(b.model) || lineKey(a).localeCompare(lineKey(b)));
  // Read: the target model is read (a variant's lines carry more conditions than the prefix names,
  // a cache TTL say, so the scope is the model's). Unread: only what the id stood for stays unknown.
  const mapScope = (s: CoverageScope, narrow: boolean): CoverageScope => {
    if (!s.model) return s;
    const p = toOf.get(s.model);
    if (!p || p.to === s.model) return s;
    const conditions = narrow && Object.keys(p.conditions).length ? { ...(s.conditions ?? {}), ...p.conditions } : s.conditions;
    return { ...s, model: p.to, ...(conditions ? { conditions } : {}) };
  };
  const uniqueScopes = (scopes: CoverageScope[]) => [...new Map(scopes.map((s) => [JSON.stringify([s.model, s.component, s.currency, s.conditions ? conditionsKey(s.conditions) : null]), s])).values()];
  const coverage = result.coverage && {
    ...result.coverage,
    // The collapsed ids stay read: their old series (from before the collapse) close, the target answers.
    read: uniqueScopes([...result.coverage.read.map((x) => mapScope(x, false)), ...result.coverage.read.filter((s) => s.model && toOf.get(s.model) && toOf.get(s.model)!.to !== s.model)]),
    unread: result.coverage.unread.map((u) => (u.scope ? { ...u, scope: uniqueScopes(u.scope.map((x) => mapScope(x, true))) } : u)),
  };
  const collapses: Collapse[] = done
    .filter((p) => p.from !== p.to)
    .map((p) => ({ from: p.from, to: p.to, rule: p.rule!, ...(Object.keys(p.conditions).length ? { conditions: p.conditions } : {}) }))
    .sort((a, b) => a.from.localeCompare(b.from));
  return {
    result: { ...result, observations, models: [...models.values()].sort((a, b) => a.id.localeCompare(b.id)), ...(coverage ? { coverage } : {}) },
    collapses,
    notes,
  };
}
