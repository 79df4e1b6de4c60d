// Read queries over the bitemporal timeline. Every query takes a valid-time instant (`at`, or a
// range) and a knowledge time (`asOf`, default now): "as known at asOf, what held at at?".
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { ChangeType, Conditions, Model, Provider, Source } from '../model.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import type { Money } from '../decimal.ts';
import { parseConditionsKey } from '../conditions.ts';
import { toIso, toIsoOrNull, yieldToLoop } from '../time.ts';
import { FACT_COLUMNS, FACT_COLUMNS_PACKED, rowToLiveFact, unpackFactRows, type FactRow } from './rows.ts';
import { IN_FORCE_ORDER_SQL } from './series-state.ts';
import { timelineIndexOf, type TimelineIndex } from './memory-index.ts';
import { componentRank, deriveChanges, deriveDiff, deriveWithdrawals, type DerivedChange, type LiveFact } from './changes.ts';
import { OWNS_LINE_SQL } from '../catalog/precedence.ts';
import { resolveOrThrow } from '../resolve/index-db.ts';
import { agreeingSources } from '../catalog/disagreements.ts';
import { DEFAULT_STALE_AFTER_MS, judgeLines, laterOf, siblingChangesAt, sourcesConfirmedAt, type Freshness, type LineEvidence } from './freshness.ts';

export interface PriceRow {
  component: string;
  currency: string;
  unit: string;
  conditions: Conditions;
  /** Exact decimal string (Money): the effective amount per unit. */
  amount: Money;
  kind: 'list' | 'promo';
  listAmount: Money | null;
  validFrom: string;
  validTo: string | null;
  announcedAt?: string;
  recordedAt: string;
  /**
   * The latest instant a source showed this price unchanged, as known at asOf: an observation of
   * the page or catalog, or the retrieval of a cited source. null: no source says when.
   */
  lastConfirmedAt: string | null;
  /** Not confirmed within the stale-after span before min(at, asOf), or a sibling currency moved since. */
  stale: boolean;
  staleReason?: Freshness['staleReason'];
  free?: boolean;
  sources: Source[];
  confidence: 'high' | 'medium' | 'low';
  /** Other sources (`provider`, or catalog ids) stating the same amount for the line at `at`. */
  alsoReportedBy?: string[];
}

export interface PriceSheet {
  model: string;
  /** Set when the model asked for was an alias at `at`. */
  aliasOf?: string;
  requested?: string;
  at: string;
  asOf: string;
  prices: PriceRow[];
}

export interface ChangeRecord {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions: Conditions;
  type: ChangeType;
  before: Money | null;
  after: Money | null;
  listBefore: Money | null;
  listAfter: Money | null;
  changePct: number | null;
  effectiveAt: string;
  announcedAt: string | null;
  detectedAt: string;
  detectedBetween: [string, string] | null;
  upcoming: boolean;
  sources: Source[];
  /** announcement_withdrawn only: when the announcement stopped (effectiveAt is when it was to take effect). */
  withdrawnAt?: string;
  /** split only: the conditional lines the line became (its own `after` is null). */
  into?: Array<{ conditions: Conditions; after: Money | null; listAfter: Money | null }>;
}


/** A change yet to take effect; a withdrawn announcement will not take effect, so it never is. */
export function isUpcoming(c: Pick<DerivedChange, 'type' | 'effectiveAt'>, asOf: number): boolean {
  return c.type !== 'announcement_withdrawn' && c.effectiveAt > asOf;
}

export function toChangeRecord(c: DerivedChange, asOf: number): ChangeRecord {
  const r: ChangeRecord = {
    model: c.model,
    component: c.component,
    currency: c.currency,
    unit: c.unit,
    conditions: c.conditions,
    type: c.type,
    // Amounts are stored canonical (normalizeAmount on write): served as they are.
    before: c.before,
    after: c.after,
    listBefore: c.listBefore,
    listAfter: c.listAfter,
    changePct: c.changePct,
    effectiveAt: toIso(c.effectiveAt),
    announcedAt: toIsoOrNull(c.announcedAt),
    detectedAt: toIso(c.detectedAt),
    detectedBetween: c.detectedBetween ? [toIso(c.detectedBetween[0]), toIso(c.detectedBetween[1])] : null,
    upcoming: isUpcoming(c, asOf),
    sources: c.sources,
  };
  if (c.withdrawnAt !== undefined) r.withdrawnAt = toIso(c.withdrawnAt);
  if (c.into) r.into = c.into.map((x) => ({ conditions: x.conditions, after: x.after, listAfter: x.listAfter }));
  return r;
}

/* ---------------------------------------------------------------- models and providers */

export async function listProviders(db: Db): Promise<Array<Provider & { modelCount: number }>> {
  const rows = await db.all<{ record: string; model_count: number }>(
    sql`SELECT p.record, (SELECT count(*) FROM models m WHERE m.provider = p.id) AS model_count FROM providers p ORDER BY p.id`,
  );
  return rows.map((r) => ({ ...(JSON.parse(r.record) as Provider), modelCount: Number(r.model_count) }));
}

export async function getProvider(db: Db, id: string): Promise<Provider | null> {
  const rows = await db.all<{ record: string }>(sql`SELECT record FROM providers WHERE id = ${id}`);
  return rows[0] ? (JSON.parse(rows[0].record) as Provider) : null;
}

export async function listModels(db: Db, provider?: string): Promise<Model[]> {
  const rows = await db.all<{ record: string }>(
    provider
      ? sql`SELECT record FROM models WHERE provider = ${provider} ORDER BY id`
      : sql`SELECT record FROM models ORDER BY id`,
  );
  return rows.map((r) => JSON.parse(r.record) as Model);
}

export async function getModel(db: Db, id: string): Promise<Model | null> {
  const read = async () => {
    const rows = await db.all<{ record: string }>(sql`SELECT record FROM models WHERE id = ${id}`);
    return rows[0] ? (JSON.parse(rows[0].record) as Model) : null;
  };
  // Read once per data version when an index is attached (callers do not mutate the record).
  const index = await indexOf(db);
  return index ? index.remember(`model\u0000${id}`, read) : read();
}

/**
 * The model whose prices answer for `id` at `at`: the model itself when it has prices then,
 * else the model it was an alias of at that instant (e.g. deepseek-chat → v4-flash after 2026-04-24).
 */
export async function resolveModel(db: Db, id: string, at: number, asOf: number, index?: TimelineIndex | null): Promise<{ model: string; aliasOf?: string }> {
  const lower = id.trim().toLowerCase();
  // The index holds the models and aliases tables of its data version: no SQL on the hot path.
  const ix = index === undefined ? await indexOf(db) : index;
  const known = ix ? ix.isModel(lower) : (await db.all<{ id: string }>(sql`SELECT id FROM models WHERE id = ${lower}`)).length > 0;
  const alias = ix
    ? ix.aliasAt(lower, at)
    : ((
        await db.all<{ model: string }>(
          sql`SELECT model FROM aliases WHERE alias = ${lower} AND (valid_from IS NULL OR valid_from <= ${at}) AND (valid_to IS NULL OR valid_to > ${at}) ORDER BY valid_from DESC LIMIT 1`,
        )
      )[0]?.model ?? null);
  if (known) {
    if (alias !== null) {
      // An alias in force beats a catalog's leftover prices for the name (genai-prices still lists
      // deepseek-chat at its V3 price after DeepSeek made it a name of V4-Flash); the provider's own do not.
      const own = await effectiveRows(db, [lower], at, asOf, undefined, false, false, ix);
      if (!own.some((r) => !r.origin)) return { model: alias, aliasOf: lower };
    }
    return { model: lower };
  }
  if (alias !== null) return { model: alias, aliasOf: lower };
  const anyAlias = ix ? ix.isAlias(lower) : (await db.all<{ model: string }>(sql`SELECT model FROM aliases WHERE alias = ${lower} LIMIT 1`)).length > 0;
  if (anyAlias) throw new NotFoundError(`model ${id} is an alias that was not in effect at ${toIso(at)}`, 'model');
  // A raw name as an API returns it (dated snapshot, Bedrock/Vertex form, …): src/resolve.
  const r = await resolveOrThrow(db, id, at, undefined, 'model');
  return { model: r.model, aliasOf: id };
}

/* ---------------------------------------------------------------- price at an instant */

/**
 * The facts in force at `at` as known at `asOf`, one per series: an index seek on
 * (series_id, valid_from) per series, so history length does not slow it down.
 */
export async function effectiveRows(
  db: Db,
  modelIds: string[] | null,
  at: number,
  asOf: number,
  currency?: string,
  withSources = true,
  everySource = false,
  /** The index already read for this answer (null: none, SQL); absent: read it now. */
  ix?: TimelineIndex | null,
): Promise<FactRow[]> {
  if (modelIds && modelIds.length === 0) return [];
  // The server attaches an in-memory index of the current data version (memory-index.ts); the
  // SQL below stays the reference it is tested against.
  const index = ix === undefined ? await indexOf(db) : ix;
  if (index) {
    const rows = index.effectiveRows(modelIds, at, asOf, currency, everySource);
    return withSources ? rows : rows.map(withoutSources);
  }
  const args: Array<string | number> = [at, asOf, asOf];
  // A line answers from its best source (src/catalog/precedence.ts); everySource: each source's own.
  let where = everySource ? '1 = 1' : OWNS_LINE_SQL('s');
  if (modelIds) {
    where += ` AND s.model IN (${modelIds.map(() => '?').join(', ')})`;
    args.push(...modelIds);
  }
  if (currency) {
    where += ' AND s.currency = ?';
    args.push(currency);
  }
  args.push(at);
  // The hottest query (every price-at and diff): straight to the client, which is several times
  // faster than drizzle's row mapping for a few thousand rows.
  const r = await (db as Db & { $client: import('@libsql/client').Client }).$client.execute({
    // Sources are the widest column; a diff over every model does not report them.
    sql: `SELECT ${withSources ? FACT_COLUMNS_PACKED : FACT_COLUMNS_PACKED.replace('f.sources', "'[]'")}
      FROM series s
      JOIN facts f ON f.id = (
        SELECT f2.id FROM facts f2
        WHERE f2.series_id = s.id AND f2.valid_from <= ? AND f2.recorded_at <= ?
          AND (f2.superseded_at IS NULL OR f2.superseded_at > ?)
        ORDER BY ${IN_FORCE_ORDER_SQL('f2')} LIMIT 1)
      WHERE ${where} AND (f.valid_to IS NULL OR f.valid_to > ?)`,
    args,
  });
  return unpackFactRows(r.rows as unknown as Array<{ packed: string }>);
}

/** A row's conditions, parsed once per row (a quote prices the same index rows request after request; read-only). */
const parsedConditions = new WeakMap<FactRow, Conditions>();
function conditionsOf(r: FactRow): Conditions {
  let v = parsedConditions.get(r);
  if (!v) parsedConditions.set(r, (v = parseConditionsKey(r.conditions)));
  return v;
}

/** An index row without its sources, as the SQL path reads it; copied once per row, not per answer. */
const sourceless = new WeakMap<FactRow, FactRow>();
function withoutSources(r: FactRow): FactRow {
  let v = sourceless.get(r);
  if (!v) sourceless.set(r, (v = { ...r, sources: '[]' }));
  return v;
}

/**
 * The in-memory index of the current data version attached to this handle, or null (none attached:
 * SQL). A failed build answers from SQL; the next call tries the build again.
 */
async function indexOf(db: Db): Promise<TimelineIndex | null> {
  return (await timelineIndexOf(db)?.catch(() => null)) ?? null;
}

/** How fresh each line of one model is (instants in ms; `confirmed` from confirmationsAsOf). */
export interface FreshnessQuery {
  at: number;
  asOf: number;
  staleAfterMs?: number;
}

/** Effective fact per line (promo over list), keyed by component, currency, unit and conditions. */
function linesOf(rows: FactRow[]): Array<{ list?: FactRow; promo?: FactRow }> {
  const byLine = new Map<string, { list?: FactRow; promo?: FactRow }>();
  for (const r of rows) {
    const k = `${r.component}\u0000${r.currency}\u0000${r.unit}\u0000${r.conditions}`;
    const e = byLine.get(k) ?? {};
    e[r.kind] = r;
    byLine.set(k, e);
  }
  return [...byLine.values()];
}

/**
 * Freshness of one model's effective facts (every currency, so siblings are seen): confirmed
 * when the latest observation known at asOf or a cited source's retrieval showed the amount.
 */
export function freshnessOfFacts(effective: FactRow[], confirmed: ReadonlyMap<number, number | null>, q: FreshnessQuery): Map<FactRow, Freshness> {
  const evidence = effective.map((f) => ({ fact: f, ...lineEvidence(f, confirmed, q.asOf) }));
  const judged = judgeLines<LineEvidence & { fact: FactRow }>(evidence, Math.min(q.at, q.asOf), q.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
  return new Map(evidence.map((e) => [e.fact, judged.get(e)!]));
}

/** A row's sources, parsed once (freshness reads them, then the sheet serves them). */
const parsedSources = new WeakMap<FactRow, Source[]>();
function sourcesOf(r: FactRow): Source[] {
  let v = parsedSources.get(r);
  if (!v) parsedSources.set(r, (v = JSON.parse(r.sources) as Source[]));
  return v;
}

function lineEvidence(f: FactRow, confirmed: ReadonlyMap<number, number | null>, asOf: number): LineEvidence {
  return {
    currency: f.currency,
    validFrom: Number(f.valid_from),
    priorUnknown: Boolean(f.prior_unknown),
    confirmedAt: laterOf(confirmed.get(f.id) ?? null, sourcesConfirmedAt(sourcesOf(f), asOf)),
  };
}

/**
 * lastConfirmedAt of facts as known at asOf: the stored value when it is not later than asOf,
 * else the latest observation known by asOf that showed the fact's amount while it was in force.
 */
export async function confirmationsAsOf(db: Db, rows: readonly FactRow[], asOf: number): Promise<Map<number, number | null>> {
  const out = new Map<number, number | null>();
  const later: number[] = [];
  for (const r of rows) {
    const c = r.last_confirmed_at === null || r.last_confirmed_at === undefined ? null : Number(r.last_confirmed_at);
    if (c !== null && c > asOf) later.push(r.id);
    else out.set(r.id, c);
  }
  for (let i = 0; i < later.length; i += 500) {
    const ids = later.slice(i, i + 500);
    const found = await db.all<{ id: number; t: number | null }>(sql`SELECT f.id AS id, max(o.observed_at) AS t FROM facts f
      JOIN observations o ON o.series_id = f.series_id AND o.amount = f.amount AND o.observed_at >= f.valid_from
        AND (f.valid_to IS NULL OR o.observed_at < f.valid_to) AND o.known_at <= ${asOf} AND o.observed_at <= ${asOf}
      WHERE f.id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) GROUP BY f.id`);
    for (const id of ids) out.set(id, null);
    for (const f of found) out.set(Number(f.id), f.t === null ? null : Number(f.t));
  }
  return out;
}

function sheetFromRows(rows: FactRow[], everySource: FactRow[] | undefined, confirmed: ReadonlyMap<number, number | null>, q: FreshnessQuery): PriceRow[] {
  const lines = linesOf(rows);
  const fresh = freshnessOfFacts(lines.map((l) => (l.promo ?? l.list)!), confirmed, q);
  const out: PriceRow[] = [];
  for (const { list, promo } of lines) {
    const eff = (promo ?? list)!;
    const f = fresh.get(eff)!;
    const row: PriceRow = {
      component: eff.component,
      currency: eff.currency,
      unit: eff.unit,
      conditions: parseConditionsKey(eff.conditions),
      amount: eff.amount,
      kind: eff.kind,
      listAmount: list ? list.amount : null,
      validFrom: toIso(Number(eff.valid_from)),
      validTo: toIsoOrNull(eff.valid_to === null ? null : Number(eff.valid_to)),
      recordedAt: toIso(Number(eff.recorded_at)),
      lastConfirmedAt: f.lastConfirmedAt,
      stale: f.stale,
      sources: sourcesOf(eff),
      confidence: eff.confidence,
    };
    if (f.staleReason) row.staleReason = f.staleReason;
    if (eff.announced_at !== null) row.announcedAt = toIso(Number(eff.announced_at));
    if (eff.free) row.free = true;
    const agree = everySource ? agreeingSources(everySource, eff) : [];
    if (agree.length) row.alsoReportedBy = agree;
    out.push(row);
  }
  return out.sort(
    (a, b) =>
      componentRank(a.component) - componentRank(b.component) ||
      a.component.localeCompare(b.component) ||
      a.currency.localeCompare(b.currency) ||
      JSON.stringify(a.conditions).localeCompare(JSON.stringify(b.conditions)),
  );
}

export async function knownCurrencies(db: Db, model: string): Promise<string[]> {
  const index = await indexOf(db);
  if (index) return index.currencies(model);
  const rows = await db.all<{ currency: string }>(sql`SELECT DISTINCT currency FROM series WHERE model = ${model} ORDER BY currency`);
  return rows.map((r) => r.currency);
}

async function checkCurrency(db: Db, currency: string | undefined, model?: string): Promise<void> {
  if (!currency) return;
  const rows = await db.all<{ c: number }>(
    model
      ? sql`SELECT count(*) AS c FROM series WHERE currency = ${currency} AND model = ${model}`
      : sql`SELECT count(*) AS c FROM series WHERE currency = ${currency}`,
  );
  if (Number(rows[0].c) === 0) {
    const have = model ? await knownCurrencies(db, model) : (await db.all<{ currency: string }>(sql`SELECT DISTINCT currency FROM series ORDER BY currency`)).map((r) => r.currency);
    throw new BadInputError(`no prices in ${currency}${model ? ` for ${model}` : ''}; known currencies: ${have.join(', ') || 'none'}`, { status: 422, field: 'currency' });
  }
}

export async function priceSheet(db: Db, q: { model: string; at: number; asOf: number; currency?: string; staleAfterMs?: number }): Promise<PriceSheet> {
  // One read of the index (and of the data version) for the whole sheet.
  const index = await indexOf(db);
  const { model, aliasOf } = await resolveModel(db, q.model, q.at, q.asOf, index);
  await checkCurrency(db, q.currency, model);
  // Every currency is read: freshness compares a line with its siblings in other currencies.
  const rows = await effectiveRows(db, [model], q.at, q.asOf, undefined, true, false, index);
  const every = await effectiveRows(db, [model], q.at, q.asOf, undefined, false, true, index);
  const prices = sheetFromRows(rows, every, await confirmationsAsOf(db, rows, q.asOf), q);
  const sheet: PriceSheet = { model, at: toIso(q.at), asOf: toIso(q.asOf), prices: q.currency ? prices.filter((p) => p.currency === q.currency) : prices };
  if (aliasOf) {
    sheet.aliasOf = model;
    sheet.requested = aliasOf;
  }
  return sheet;
}

export async function providerSheets(
  db: Db,
  q: { provider: string; at: number; asOf: number; currency?: string; staleAfterMs?: number },
): Promise<{ provider: string; at: string; asOf: string; data: Array<{ model: string; prices: PriceRow[] }> }> {
  if (!(await getProvider(db, q.provider))) throw new NotFoundError(`unknown provider: ${q.provider}`, 'provider');
  const models = (await db.all<{ id: string }>(sql`SELECT id FROM models WHERE provider = ${q.provider} ORDER BY id`)).map((r) => r.id);
  if (q.currency) {
    const have = await db.all<{ currency: string }>(sql`SELECT DISTINCT currency FROM series WHERE model IN (SELECT id FROM models WHERE provider = ${q.provider}) ORDER BY currency`);
    if (!have.some((r) => r.currency === q.currency))
      throw new BadInputError(`no ${q.provider} prices in ${q.currency}; known currencies: ${have.map((r) => r.currency).join(', ') || 'none'}`, { status: 422, field: 'currency' });
  }
  const data = (await modelSheets(db, models, q)).map((d) => ({ model: d.model, prices: q.currency ? d.prices.filter((p) => p.currency === q.currency) : d.prices }));
  return {
    provider: q.provider,
    at: toIso(q.at),
    asOf: toIso(q.asOf),
    data: data.filter((d) => d.prices.length > 0),
  };
}

function groupByModel(rows: FactRow[]): Map<string, FactRow[]> {
  const out = new Map<string, FactRow[]>();
  for (const r of rows) {
    const list = out.get(r.model);
    if (list) list.push(r);
    else out.set(r.model, [r]);
  }
  return out;
}

/**
 * The sheets (every currency) of many models at once, in id order, models without a line in force
 * left out: one read of the lines in force and one confirmation lookup for all of them (the
 * overview's thousands of models), instead of one per provider or model.
 */
export async function modelSheets(db: Db, models: string[], q: FreshnessQuery): Promise<Array<{ model: string; prices: PriceRow[] }>> {
  const out: Array<{ model: string; prices: PriceRow[] }> = [];
  const sorted = [...models].sort();
  // In slices, yielding between them: thousands of sheets never hold the event loop for long.
  for (let i = 0; i < sorted.length; i += SHEETS_PER_SLICE) {
    if (i > 0) await yieldToLoop();
    const slice = sorted.slice(i, i + SHEETS_PER_SLICE);
    const rows = await effectiveRows(db, slice, q.at, q.asOf);
    const byModel = groupByModel(rows);
    const everyByModel = groupByModel(await effectiveRows(db, slice, q.at, q.asOf, undefined, false, true));
    const confirmed = await confirmationsAsOf(db, rows, q.asOf);
    for (const m of slice) {
      const facts = byModel.get(m);
      if (facts) out.push({ model: m, prices: sheetFromRows(facts, everyByModel.get(m), confirmed, q) });
    }
  }
  return out;
}
const SHEETS_PER_SLICE = 250;

/* ---------------------------------------------------------------- history, diff, changes */

export interface Scope {
  provider?: string;
  model?: string;
  currency?: string;
}

async function scopedModels(db: Db, scope: Scope): Promise<string[] | null> {
  if (scope.model) {
    const m = await getModel(db, scope.model.toLowerCase());
    if (!m) throw new NotFoundError(`unknown model: ${scope.model}`, 'model');
    if (scope.provider && m.provider !== scope.provider)
      throw new BadInputError(`model ${m.id} is not a ${scope.provider} model`, { status: 422, field: 'model' });
    return [m.id];
  }
  if (scope.provider) {
    if (!(await getProvider(db, scope.provider))) throw new NotFoundError(`unknown provider: ${scope.provider}`, 'provider');
    return (await db.all<{ id: string }>(sql`SELECT id FROM models WHERE provider = ${scope.provider}`)).map((r) => r.id);
  }
  return null; // everything
}

/** All facts live at `asOf` in scope. */
export async function liveFacts(db: Db, scope: Scope, asOf: number): Promise<LiveFact[]> {
  return (await knownFacts(db, scope, asOf)).filter((f) => f.supersededAt === null);
}

/** Every fact recorded by `asOf` in scope, superseded ones with their supersededAt (withdrawals read them). */
export async function knownFacts(db: Db, scope: Scope, asOf: number): Promise<LiveFact[]> {
  return (await scopeFacts(db, scope, asOf)).map((r) => knownFact(r, asOf));
}

/** A fact as known at asOf: a supersession recorded later had not happened yet. */
function knownFact(r: FactRow, asOf: number): LiveFact {
  return { ...rowToLiveFact(r), supersededAt: r.superseded_at === null || Number(r.superseded_at) > asOf ? null : Number(r.superseded_at) };
}

async function scopeFacts(db: Db, scope: Scope, asOf: number): Promise<FactRow[]> {
  const models = await scopedModels(db, scope);
  if (models && models.length === 0) return [];
  // The same facts from the in-memory index when the handle has one (the SQL below is the reference).
  const index = await timelineIndexOf(db)?.catch(() => null);
  if (index) return index.recordedRows(models, asOf, scope.currency);
  const where: SQL[] = [sql`f.recorded_at <= ${asOf}`, sql.raw(OWNS_LINE_SQL('s'))];
  if (models) where.push(sql`s.model IN (${sql.join(models.map((m) => sql`${m}`), sql`, `)})`);
  if (scope.currency) where.push(sql`s.currency = ${scope.currency}`);
  const rows = await db.all<{ packed: string }>(
    sql`SELECT ${sql.raw(FACT_COLUMNS_PACKED)} FROM facts f JOIN series s ON s.id = f.series_id WHERE ${sql.join(where, sql` AND `)}`,
  );
  return unpackFactRows(rows);
}

/**
 * Announcements a reconcile withdrew (the facts it superseded at the given knowledge instants), for
 * the provider's models in the given currencies: the pipeline's webhook source for them.
 */
export async function withdrawalsAt(tx: Pick<Db, 'all'>, scope: { provider: string; currencies: string[] | null; models?: string[] }, instants: number[]): Promise<DerivedChange[]> {
  if (scope.currencies?.length === 0 || instants.length === 0) return [];
  const knownAt = Math.max(...instants);
  const rows = await tx.all<{ packed: string }>(sql`SELECT ${sql.raw(FACT_COLUMNS_PACKED)} FROM facts f JOIN series s ON s.id = f.series_id
    WHERE s.model IN (SELECT id FROM models WHERE provider = ${scope.provider})
      ${scope.models ? sql`AND s.model IN (${sql.join(scope.models.map((m) => sql`${m}`), sql`, `)})` : sql``}
      AND ${scope.currencies ? sql`s.currency IN (${sql.join(scope.currencies.map((c) => sql`${c}`), sql`, `)})` : sql`1 = 1`}
      AND s.id IN (SELECT series_id FROM facts WHERE superseded_at IN (${sql.join(instants.map((t) => sql`${t}`), sql`, `)}))
      AND f.recorded_at <= ${knownAt}`);
  return deriveWithdrawals(unpackFactRows(rows).map((r) => knownFact(r, knownAt)), knownAt).filter((c) => instants.includes(c.withdrawnAt!));
}

export async function history(
  db: Db,
  q: { model: string; from?: number; to?: number; currency?: string; asOf: number; includeSuperseded?: boolean },
) {
  const model = await getModel(db, q.model.toLowerCase());
  if (!model) throw new NotFoundError(`unknown model: ${q.model}`, 'model');
  if (q.from !== undefined && q.to !== undefined && q.from > q.to)
    throw new BadInputError('from must not be after to', { field: 'from' });
  await checkCurrency(db, q.currency, model.id);
  const where: SQL[] = [sql`s.model = ${model.id}`, sql`f.recorded_at <= ${q.asOf}`, sql.raw(OWNS_LINE_SQL('s'))];
  if (!q.includeSuperseded) where.push(sql`(f.superseded_at IS NULL OR f.superseded_at > ${q.asOf})`);
  if (q.currency) where.push(sql`s.currency = ${q.currency}`);
  if (q.to !== undefined) where.push(sql`f.valid_from < ${q.to}`);
  if (q.from !== undefined) where.push(sql`(f.valid_to IS NULL OR f.valid_to > ${q.from})`);
  const rows = await db.all<FactRow>(
    sql`SELECT ${sql.raw(FACT_COLUMNS)} FROM facts f JOIN series s ON s.id = f.series_id WHERE ${sql.join(where, sql` AND `)}
        ORDER BY s.component, s.currency, s.conditions, s.kind, f.valid_from, f.recorded_at`,
  );
  return {
    model: model.id,
    from: toIsoOrNull(q.from ?? null),
    to: toIsoOrNull(q.to ?? null),
    asOf: toIso(q.asOf),
    facts: rows
      .map((r) => ({
        component: r.component,
        currency: r.currency,
        unit: r.unit,
        conditions: parseConditionsKey(r.conditions),
        kind: r.kind,
        amount: r.amount,
        validFrom: toIso(Number(r.valid_from)),
        validTo: toIsoOrNull(r.valid_to === null ? null : Number(r.valid_to)),
        announcedAt: toIsoOrNull(r.announced_at === null ? null : Number(r.announced_at)),
        recordedAt: toIso(Number(r.recorded_at)),
        // As known at asOf, a correction recorded later had not happened yet.
        supersededAt: r.superseded_at === null || Number(r.superseded_at) > q.asOf ? null : toIso(Number(r.superseded_at)),
        sources: JSON.parse(r.sources) as Source[],
        confidence: r.confidence,
      }))
      .sort(
        (a, b) =>
          componentRank(a.component) - componentRank(b.component) ||
          a.currency.localeCompare(b.currency) ||
          JSON.stringify(a.conditions).localeCompare(JSON.stringify(b.conditions)) ||
          a.kind.localeCompare(b.kind) ||
          a.validFrom.localeCompare(b.validFrom) ||
          a.recordedAt.localeCompare(b.recordedAt),
      ),
  };
}

export async function diff(db: Db, q: Scope & { from: number; to: number; asOf: number }) {
  if (q.from > q.to) throw new BadInputError('from must not be after to', { field: 'from' });
  await checkCurrency(db, q.currency, q.model?.toLowerCase());
  // Only the facts in force at the two instants matter: two index seeks per series, however
  // long the history between them.
  const models = await scopedModels(db, q);
  const rows = [...(await effectiveRows(db, models, q.from, q.asOf, q.currency, false)), ...(await effectiveRows(db, models, q.to, q.asOf, q.currency, false))];
  const seen = new Set<number>();
  const facts = rows.filter((r) => !seen.has(r.id) && seen.add(r.id)).map(rowToLiveFact);
  return {
    from: toIso(q.from),
    to: toIso(q.to),
    asOf: toIso(q.asOf),
    changes: deriveDiff(facts, q.from, q.to).map((c) => {
      const r = toChangeRecord(c, q.asOf);
      return {
        model: r.model,
        component: r.component,
        currency: r.currency,
        unit: r.unit,
        conditions: r.conditions,
        before: r.before,
        after: r.after,
        listBefore: r.listBefore,
        listAfter: r.listAfter,
        changePct: r.changePct,
        type: r.type,
        effectiveAt: r.effectiveAt,
        ...(r.into ? { into: r.into } : {}),
      };
    }),
  };
}

export interface ChangesQuery extends Scope {
  since?: number;
  until?: number;
  type?: ChangeType[];
  upcoming?: boolean;
  asOf: number;
  limit?: number;
  cursor?: string;
}

interface Cursor {
  t: number;
  k: string;
}

function changeSortKey(c: DerivedChange): string {
  return `${c.model}\u0000${c.component}\u0000${c.currency}\u0000${c.conditionsKey}\u0000${c.type}`;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.t, c.k]), 'utf8').toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(s)) throw new Error('charset');
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 2 || !Number.isSafeInteger(v[0]) || typeof v[1] !== 'string') throw new Error('shape');
    return { t: v[0] as number, k: v[1] as string };
  } catch {
    throw new BadInputError('cursor: not a cursor this API returned', { field: 'cursor' });
  }
}

export interface ChangesOptions {
  /**
   * Reuses the derived change list (newest first) of one scope and knowledge time, e.g. across the
   * pages of a cursor walk; the API keys it by the data version. The list must not be mutated.
   */
  memo?: (scope: Scope, asOf: number, derive: () => Promise<DerivedChange[]>) => Promise<DerivedChange[]>;
}

/** Code-unit order: the same order the cursor comparison (`>`) uses, so pages never skip or repeat. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const MODELS_PER_FEED_SLICE = 500;

/** The change feed, newest first, with stable cursor pagination. */
export async function changes(db: Db, q: ChangesQuery, opts: ChangesOptions = {}): Promise<{ data: ChangeRecord[]; nextCursor: string | null }> {
  if (q.since !== undefined && q.until !== undefined && q.since > q.until)
    throw new BadInputError('since must not be after until', { field: 'since' });
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadInputError('limit must be an integer from 1 to 1000', { field: 'limit' });
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const derive = async () => {
    const known = await knownFacts(db, q, q.asOf);
    // Model by model (a model's lines only meet each other), in slices, yielding between them:
    // the whole feed never holds the event loop for long.
    const byModel = new Map<string, LiveFact[]>();
    for (const f of known) {
      const list = byModel.get(f.model);
      if (list) list.push(f);
      else byModel.set(f.model, [f]);
    }
    const groups = [...byModel.values()];
    const derived: DerivedChange[] = [];
    const withdrawn: DerivedChange[] = [];
    for (let i = 0; i < groups.length; i += MODELS_PER_FEED_SLICE) {
      if (i > 0) await yieldToLoop();
      const slice = groups.slice(i, i + MODELS_PER_FEED_SLICE).flat();
      const live = slice.filter((f) => f.supersededAt === null); // = liveFacts, from the one read
      for (const c of deriveChanges(live)) derived.push(c);
      for (const c of deriveWithdrawals(slice, q.asOf)) withdrawn.push(c);
    }
    return [...derived, ...withdrawn].sort((a, b) => b.effectiveAt - a.effectiveAt || compareKeys(changeSortKey(a), changeSortKey(b)));
  };
  const scope: Scope = { provider: q.provider, model: q.model, currency: q.currency };
  const sorted = opts.memo ? await opts.memo(scope, q.asOf, derive) : await derive();
  let all = sorted.filter((c) => {
    if (q.since !== undefined && c.effectiveAt < q.since) return false;
    if (q.until !== undefined && c.effectiveAt >= q.until) return false;
    if (q.type && !q.type.includes(c.type)) return false;
    if (q.upcoming !== undefined && isUpcoming(c, q.asOf) !== q.upcoming) return false;
    return true;
  });
  if (cursor) all = all.filter((c) => c.effectiveAt < cursor.t || (c.effectiveAt === cursor.t && changeSortKey(c) > cursor.k));
  const page = all.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((c) => toChangeRecord(c, q.asOf)),
    nextCursor: all.length > limit && last ? encodeCursor({ t: last.effectiveAt, k: changeSortKey(last) }) : null,
  };
}


/** What a priced line's freshness is judged from, at any instant of the stretch it was read for. */
export interface PricedFreshness {
  line: LineEvidence;
  siblings: ReadonlyMap<string, number>;
}

/** Effective prices at `at` with exact decimal amounts, for pricing (promo over list per line). */
export async function effectivePriceRows(
  db: Db,
  model: string,
  at: number,
  asOf: number,
): Promise<Array<{ component: string; currency: string; unit: string; conditions: Conditions; amount: string; kind: 'list' | 'promo'; freshness: PricedFreshness }>> {
  const rows = await effectiveRows(db, [model], at, asOf);
  const effective = linesOf(rows).map((l) => (l.promo ?? l.list)!);
  const confirmed = await confirmationsAsOf(db, effective, asOf);
  const evidence = effective.map((r) => lineEvidence(r, confirmed, asOf));
  const siblings = siblingChangesAt(evidence, Math.min(at, asOf));
  return effective.map((r, i) => ({
    component: r.component,
    currency: r.currency,
    unit: r.unit,
    conditions: conditionsOf(r),
    amount: r.amount,
    kind: r.kind,
    freshness: { line: evidence[i], siblings },
  }));
}

/* ---------------------------------------------------------------- freshness per provider */

export interface ProviderFreshness {
  /** Price lines in force at the instant judged (effective lines, every currency). */
  lines: number;
  staleLines: number;
  /** The newest confirmation among its lines, and the oldest (null: none confirmed). */
  lastConfirmedAt: string | null;
  oldestConfirmedAt: string | null;
}

/** Each provider's freshness at `at` as known at `asOf`: how many of its lines are stale. */
export async function providerFreshness(db: Db, q: FreshnessQuery): Promise<Map<string, ProviderFreshness>> {
  const rows = await effectiveRows(db, null, q.at, q.asOf);
  const confirmed = await confirmationsAsOf(db, rows, q.asOf);
  const byModel = new Map<string, FactRow[]>();
  for (const r of rows) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
  const out = new Map<string, ProviderFreshness & { newest: number | null; oldest: number | null }>();
  for (const [model, facts] of byModel) {
    const provider = model.slice(0, model.indexOf('/'));
    const p = out.get(provider) ?? { lines: 0, staleLines: 0, lastConfirmedAt: null, oldestConfirmedAt: null, newest: null, oldest: null };
    for (const f of freshnessOfFacts(linesOf(facts).map((l) => (l.promo ?? l.list)!), confirmed, q).values()) {
      p.lines++;
      if (f.stale) p.staleLines++;
      const t = f.lastConfirmedAt === null ? null : Date.parse(f.lastConfirmedAt);
      if (t !== null && (p.newest === null || t > p.newest)) p.newest = t;
      if (t !== null && (p.oldest === null || t < p.oldest)) p.oldest = t;
    }
    out.set(provider, p);
  }
  return new Map(
    [...out].map(([id, p]) => [id, { lines: p.lines, staleLines: p.staleLines, lastConfirmedAt: toIsoOrNull(p.newest), oldestConfirmedAt: toIsoOrNull(p.oldest) }]),
  );
}
