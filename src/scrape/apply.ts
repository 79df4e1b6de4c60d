// Apply: the SQL side of an accepted page, inside the caller's transaction. Brings every series the
// page may change in line with its claims (reconcile.ts plans each one), records the page's
// observations of each series as knowledge, and writes the changes that appeared and their events.
//
// Knowledge from later observations wins over an older copy ingested afterwards: a page claims
// only up to the next observation of a series already on record (later or not), and where facts
// were recorded after the page's own knowledge time, the correction is learned now.
import { sql } from 'drizzle-orm';
import type { Model, ParseResult, Source } from '../model.ts';
import { parseConditionsKey } from '../conditions.ts';
import { toIso } from '../time.ts';
import { deriveChanges, type DerivedChange, type LiveFact } from '../timeline/changes.ts';
import { FACT_COLUMNS, hashKey, rowToLiveFact, type FactRow } from '../timeline/rows.ts';
import { toChangeRecord, withdrawalsAt, type ChangeRecord } from '../timeline/queries.ts';
import { first, insertFacts, SeriesCache, type NewFact, type Tx } from '../timeline/write.ts';
import { eventsForChanges, newEvent, writeEvents } from '../webhooks/outbox.ts';
import type { Scraper } from './contract.ts';
import { keepingTimeline, lineKey, mayChange, parseLineKey, scopeCurrencies, segmentAt, type Claims, type LineKey, type PageScope } from './claims.ts';
import { pastNowKnown, reconcileLine, type ExistingFact, type Segment } from './reconcile.ts';

export type ScopeFact = LiveFact & ExistingFact & { seriesId: number };

/**
 * Live facts (latest knowledge) of the provider's models in the given currencies (null = all), of
 * one origin: a source reconciles only its own series — a catalog never closes the provider's
 * facts, nor they its ('' = the provider's own pages).
 */
export async function scopeFacts(tx: Tx, provider: string, currencies: string[] | null, origin = '', models?: string[]): Promise<ScopeFact[]> {
  if (currencies && currencies.length === 0) return [];
  const inCurrencies = currencies ? sql`AND s.currency IN (${sql.join(currencies.map((c) => sql`${c}`), sql`, `)})` : sql``;
  const rows = await tx.all<FactRow & { series_id: number }>(sql`SELECT ${sql.raw(FACT_COLUMNS)}, f.series_id FROM facts f JOIN series s ON s.id = f.series_id
    WHERE s.origin = ${origin} AND s.model IN (SELECT id FROM models WHERE provider = ${provider}) ${inModels(models)} ${inCurrencies} AND f.superseded_at IS NULL`);
  return rows.map((r) => ({ ...rowToLiveFact(r), id: Number(r.id), seriesId: Number(r.series_id), confidence: r.confidence, free: Boolean(r.free) }));
}

/** `AND s.model IN (…)` for a batch of models; nothing for the whole scope. */
const inModels = (models: string[] | undefined) => (models ? sql`AND s.model IN (${sql.join(models.map((m) => sql`${m}`), sql`, `)})` : sql``);

/** What is on record about the page as a whole (any series): read once for all of a run's batches. */
export interface PageRecord {
  /** The page's latest observation before this one (any series), or null for a first observation. */
  pagePrevious: number | null;
  /** The page's observations after `from` (any series), ascending. */
  pageLater: number[];
}

/** The page's observations around this one, by runs other than `runId` (a resumed run's own are not). */
export async function pageRecord(tx: Tx, url: string, from: number, observedAt: number, runId: number): Promise<PageRecord> {
  const page = await first<{ t: number | null }>(tx, sql`SELECT max(observed_at) AS t FROM observations WHERE url = ${url} AND observed_at < ${observedAt} AND run_id != ${runId}`);
  const pageLater = await tx.all<{ t: number }>(sql`SELECT DISTINCT observed_at AS t FROM observations WHERE url = ${url} AND observed_at > ${from} AND run_id != ${runId} ORDER BY observed_at`);
  return { pagePrevious: page?.t === null || page?.t === undefined ? null : Number(page.t), pageLater: pageLater.map((r) => Number(r.t)) };
}

/** The instant from which a page's claims may start: its observation, or an earlier confirmed hold's. */
export const claimsFrom = (observedAt: number, starts: Map<LineKey, number>) => Math.min(observedAt, ...starts.values());

/** What is on record about the scope's series: last write and observation instants. */
interface OnRecord extends PageRecord {
  /** Per series: the latest knowledge instant any of its facts was written or superseded at. */
  lastWrite: Map<LineKey, number>;
  /** Per series: the first knowledge instant after the page's at which a curated fact (no run) was recorded. */
  laterWrite: Map<LineKey, number>;
  /** Per series: instants of its observations after `from`, ascending. */
  laterObservations: Map<LineKey, number[]>;
  /** Per series: its latest observation before the page's. */
  previous: Map<LineKey, number>;
}

async function onRecord(tx: Tx, p: PageApply, currencies: string[] | null, from: number): Promise<OnRecord> {
  const { observedAt, knownAt, runId } = p;
  const inCurrencies = currencies ? sql`AND s.currency IN (${sql.join(currencies.map((c) => sql`${c}`), sql`, `)})` : sql``;
  const scope = sql`s.origin = ${p.scraper.origin ?? ''} AND s.model IN (SELECT id FROM models WHERE provider = ${p.scraper.id}) ${inModels(p.models)} ${inCurrencies}`;
  type K = { model: string; component: string; currency: string; unit: string; conditions: string; kind: 'list' | 'promo' };
  const key = (r: K) => lineKey({ ...r, conditionsKey: r.conditions });
  const writes = await tx.all<K & { t: number; later: number | null }>(sql`SELECT s.model, s.component, s.currency, s.unit, s.conditions, s.kind,
      max(max(f.recorded_at, coalesce(f.superseded_at, 0))) AS t,
      min(CASE WHEN f.recorded_at > ${knownAt} AND f.run_id IS NULL THEN f.recorded_at END) AS later
    FROM facts f JOIN series s ON s.id = f.series_id WHERE ${scope} GROUP BY s.id`);
  const later = await tx.all<K & { t: number }>(sql`SELECT s.model, s.component, s.currency, s.unit, s.conditions, s.kind, o.observed_at AS t
    FROM observations o JOIN series s ON s.id = o.series_id WHERE ${scope} AND o.observed_at > ${from} AND o.run_id != ${runId} ORDER BY o.observed_at`);
  const prev = await tx.all<K & { t: number }>(sql`SELECT s.model, s.component, s.currency, s.unit, s.conditions, s.kind, max(o.observed_at) AS t
    FROM observations o JOIN series s ON s.id = o.series_id WHERE ${scope} AND o.observed_at < ${observedAt} AND o.run_id != ${runId} GROUP BY s.id`);
  const page = p.page ?? (await pageRecord(tx, p.url, from, observedAt, runId));
  const laterObservations = new Map<LineKey, number[]>();
  for (const r of later) laterObservations.set(key(r), [...(laterObservations.get(key(r)) ?? []), Number(r.t)]);
  return {
    lastWrite: new Map(writes.map((r) => [key(r), Number(r.t)])),
    laterWrite: new Map(writes.filter((r) => r.later !== null).map((r) => [key(r), Number(r.later)])),
    laterObservations,
    previous: new Map(prev.map((r) => [key(r), Number(r.t)])),
    ...page,
  };
}

export interface PageApply {
  /** The run writing (its facts carry it; facts without a run are curated). */
  runId: number;
  scraper: Scraper;
  url: string;
  snapshot: string | null;
  scope: PageScope;
  claims: Claims;
  /** The page's observation instant: undated claims start here… */
  observedAt: number;
  /** …or, for a series whose held change this page confirmed, at its first sighting. */
  starts: Map<LineKey, number>;
  /** When the page was seen, if not at observedAt (a re-parse: now): later segments were announced by it. */
  seenAt?: number;
  /** Series left as they are: held by a guard, or a free field an aggregator stopped sending. */
  untouched: Set<LineKey>;
  /** A partial run closes nothing the page does not mention. */
  partial: boolean;
  knownAt: number;
  source: Source;
  emitEvents: boolean;
  createdModels: Set<string>;
  /** Claim only up to the next observation on record (a re-parse composes every snapshot itself). */
  horizon: boolean;
  /** A re-parse: windows per series where the timeline stays as it is (refused snapshots). */
  keep?: (k: LineKey) => Array<[number, number | null]>;
  /**
   * A batch: only these models' series (absent: every series of the scope). Each model's lines are
   * reconciled, their changes derived and their events written together (a split or a fallback
   * line never crosses models).
   */
  models?: string[];
  /** The page's record read before the run's first batch (absent: read here). */
  page?: PageRecord;
}

export interface Applied {
  added: number;
  superseded: number;
  records: ChangeRecord[];
  /** The series the page was read for, with what it claimed: recorded as observations by the caller. */
  observed: Array<{ key: LineKey; at: number; segments: Segment[] }>;
}

/**
 * A future change announced elsewhere (a news post, a curated fact citing another URL) is not
 * withdrawn by a page that merely does not mention it: from its start on, the timeline stands,
 * unless the page itself states a dated price for that future.
 */
export function keepForeignAnnouncements(existing: ExistingFact[], claimed: Segment[], effectiveFrom: number, pageUrl: string): Segment[] {
  return keepingTimeline(claimed, existing, foreignWindow(existing, claimed, effectiveFrom, pageUrl));
}

function foreignWindow(existing: ExistingFact[], claimed: Segment[], effectiveFrom: number, pageUrl: string): Array<[number, null]> {
  const foreign = existing.filter((f) => f.validFrom > effectiveFrom && !f.sources.some((s) => s.url === pageUrl));
  if (foreign.length === 0) return [];
  const horizon = Math.min(...foreign.map((f) => f.validFrom));
  return claimed.some((s) => s.datedFrom && s.from >= horizon) ? [] : [[horizon, null]];
}

export async function applyPage(tx: Tx, p: PageApply): Promise<Applied> {
  const currencies = scopeCurrencies(p.scope);
  const existing = await scopeFacts(tx, p.scraper.id, currencies, p.scraper.origin, p.models);
  const record = await onRecord(tx, p, currencies, claimsFrom(p.observedAt, p.starts));
  // Where facts were written after the page's knowledge time, its correction is learned now.
  const learnedNow = Math.max(Date.now(), p.knownAt + 1, ...[...record.lastWrite.values()].map((t) => t + 1));
  const byLine = new Map<LineKey, ScopeFact[]>();
  for (const f of existing) byLine.set(lineKey(f), [...(byLine.get(lineKey(f)) ?? []), f]);

  const inBatch = p.models ? new Set(p.models) : null;
  const lines = new Set<LineKey>([...[...p.claims.keys()].filter((k) => !inBatch || inBatch.has(parseLineKey(k).model)), ...byLine.keys()]);
  const cache = new SeriesCache();
  const inserts: NewFact[] = [];
  const observed: Applied['observed'] = [];
  let superseded = 0;
  const supersededAt = new Set<number>();
  let knownMax = p.knownAt;
  for (const k of lines) {
    const l = parseLineKey(k);
    if (!mayChange(p.scope, l) || p.untouched.has(k)) continue;
    const claimed = p.claims.get(k);
    if (!claimed && p.partial) continue; // a partial run never removes
    const ex = byLine.get(k) ?? [];
    const start = p.starts.get(k) ?? p.observedAt;
    const segs = claimed ?? [];
    if (claimed) observed.push({ key: k, at: start, segments: claimed });
    // A later observation on record, or knowledge recorded after this page's, already said what
    // held from its instant on.
    const next = p.horizon ? horizonOf(record, k, start, p.scraper.flappy ? segs : null) : undefined;
    const windows: Array<[number, number | null]> = [...foreignWindow(ex, segs, start, p.source.url), ...(p.keep?.(k) ?? [])];
    if (next !== undefined) windows.push([next, null]);
    const kept = continuing(keepingTimeline(segs, ex, windows), next, start);
    const knownAt = (record.lastWrite.get(k) ?? -Infinity) > p.knownAt ? learnedNow : p.knownAt;
    let plan = reconcileLine(ex, kept, {
      effectiveFrom: start,
      observedAt: p.seenAt ?? p.observedAt,
      knownAt,
      previousObservation: record.previous.get(k) ?? record.pagePrevious,
      firstObservation: record.pagePrevious === null,
      sources: [p.source],
      confidence: p.scraper.confidence,
    });
    if (plan.divergesAt === null && !claimed && next !== undefined) plan = pastNowKnown(ex, next) ?? plan;
    if (plan.divergesAt === null) continue;
    knownMax = Math.max(knownMax, knownAt);
    if (plan.supersede.length) supersededAt.add(knownAt);
    for (const id of plan.supersede) {
      await tx.run(sql`UPDATE facts SET superseded_at = ${knownAt} WHERE id = ${id} AND superseded_at IS NULL`);
      superseded++;
    }
    for (const d of plan.insert)
      inserts.push({ ...l, conditions: parseConditionsKey(l.conditionsKey), ...d, recordedAt: knownAt, supersededAt: null, runId: p.runId, ...(p.scraper.origin ? { origin: p.scraper.origin } : {}) });
  }
  const added = await insertFacts(tx, cache, inserts);
  const after = await scopeFacts(tx, p.scraper.id, currencies, p.scraper.origin, p.models);
  const beforeIds = new Set(deriveChanges(existing).map(changeIdentity));
  // Announced future changes this run withdrew (facts it superseded while still in the future).
  const withdrawn = supersededAt.size ? await withdrawalsAt(tx, { provider: p.scraper.id, currencies, models: p.models }, [...supersededAt]) : [];
  const records = [...deriveChanges(after).filter((c) => !beforeIds.has(changeIdentity(c))), ...withdrawn].map((c) => toChangeRecord(c, knownMax));
  if (p.emitEvents) await writeChangeEvents(tx, p.scraper.id, records, p.createdModels, after, knownMax);
  return { added, superseded, records, observed };
}

/**
 * Up to when an older copy speaks for a series: the next observation of the series, of the page
 * (a later page that did not show the series removed it), or knowledge recorded after it. An
 * aggregator's later page that merely stopped sending a free field does not end it (`aggregatorClaims`).
 */
function horizonOf(r: OnRecord, k: LineKey, start: number, aggregatorClaims: Segment[] | null): number | undefined {
  const ofSeries = r.laterObservations.get(k)?.find((x) => x > start) ?? Infinity;
  let ofPage = r.pageLater.find((x) => x > start) ?? Infinity;
  if (aggregatorClaims && ofPage < ofSeries && isZero(segmentAt(aggregatorClaims, ofPage - 1)?.amount)) ofPage = Infinity;
  const t = Math.min(ofSeries, ofPage, Math.max(r.laterWrite.get(k) ?? Infinity, start + 1));
  return t === Infinity ? undefined : t;
}

const isZero = (a: string | undefined) => a !== undefined && /^0(\.0+)?$/.test(a);

/**
 * A kept piece of the timeline that starts at the next observation continues from this page: had
 * the pages come in date order, its change would have been detected between this one and that one.
 */
function continuing(segs: Segment[], next: number | undefined, start: number): Segment[] {
  if (next === undefined) return segs;
  return segs.map((s, i) => {
    const prev = segs[i - 1];
    if (!s.carried || s.from !== next || !prev || prev.carried || prev.to !== next) return s;
    // Cut out of a longer fact (datedFrom false), or a change detected at that observation.
    const detected = !s.datedFrom || s.carried.detectedBetween !== null;
    return { ...s, carried: { ...s.carried, priorUnknown: false, detectedBetween: detected ? [start, next] : s.carried.detectedBetween } };
  });
}

const changeIdentity = (c: DerivedChange) => hashKey([c.model, c.component, c.currency, c.unit, c.conditionsKey, c.type, c.effectiveAt, c.before, c.after, c.listBefore, c.listAfter]);

/** The one place change events are written (the event-type mapping lives in webhooks/). */
export async function writeChangeEvents(tx: Tx, provider: string, records: ChangeRecord[], createdModels: Set<string>, after: LiveFact[], knownAt: number): Promise<void> {
  if (records.length === 0) return;
  const liveModels = new Set(after.filter((f) => f.validTo === null || f.validTo > knownAt).map((f) => f.model));
  await writeEvents(tx, eventsForChanges(provider, records, { createdModels, liveModels, now: Date.now() }));
}

/** `scraper.degraded`: a run applied what it read and left the named sections as they were. */
export async function writeDegradedEvent(tx: Tx, d: { provider: string; url: string; runId: number; sections: Array<{ section: string; reason: string }> }): Promise<void> {
  await writeEvents(tx, [newEvent('scraper.degraded', d.provider, { ...d }, Date.now())]);
}

/* ---------------------------------------------------------------- observations */

const encodeSegments = (segs: Segment[]) => JSON.stringify(segs.map((s) => [s.amount, s.from, s.to, s.datedFrom, s.free]));
function decodeSegments(json: string): Segment[] {
  return (JSON.parse(json) as Array<[string, number, number | null, boolean, boolean]>).map(([amount, from, to, datedFrom, free]) => ({ amount, from, to, datedFrom, free }));
}

/** Records what the run observed of each series, and refreshes lastConfirmedAt of their facts. */
export async function recordObservations(tx: Tx, runId: number, url: string, snapshot: string | null, knownAt: number, observed: Applied['observed'], origin?: Scraper['origin']): Promise<void> {
  if (observed.length === 0) return;
  const cache = new SeriesCache();
  const rows = [];
  const ids: number[] = [];
  // A resumed run re-applies batches it had committed: their observations are on record already.
  const done = new Set((await tx.all<{ series_id: number }>(sql`SELECT series_id FROM observations WHERE run_id = ${runId}`)).map((r) => Number(r.series_id)));
  for (const o of observed) {
    const l = parseLineKey(o.key);
    const seriesId = await cache.id(tx, { ...l, conditions: parseConditionsKey(l.conditionsKey), origin });
    ids.push(seriesId);
    if (done.has(seriesId)) continue;
    rows.push(sql`(${seriesId}, ${runId}, ${url}, ${snapshot}, ${o.at}, ${knownAt}, ${segmentAt(o.segments, o.at)?.amount ?? null}, ${encodeSegments(o.segments)})`);
  }
  for (let i = 0; i < rows.length; i += 500)
    await tx.run(sql`INSERT INTO observations (series_id, run_id, url, snapshot, observed_at, known_at, amount, claims) VALUES ${sql.join(rows.slice(i, i + 500), sql`, `)}`);
  for (let i = 0; i < ids.length; i += 500) await refreshLastConfirmed(tx, sql.join(ids.slice(i, i + 500).map((id) => sql`${id}`), sql`, `));
}

/**
 * The same page seen again (identical bytes, or a 304): an observation of every series its last
 * reading observed, at the new instant.
 */
export async function recordRepeatObservations(tx: Tx, runId: number, url: string, snapshot: string, observedAt: number, knownAt: number): Promise<void> {
  const last = await first<{ run_id: number }>(tx, sql`SELECT run_id FROM observations WHERE url = ${url} AND snapshot = ${snapshot} ORDER BY observed_at DESC, run_id DESC LIMIT 1`);
  if (!last) return;
  const prior = await tx.all<{ series_id: number; claims: string }>(sql`SELECT series_id, claims FROM observations WHERE run_id = ${last.run_id} AND url = ${url}`);
  const rows = prior.map((r) => {
    const segs = decodeSegments(r.claims);
    return sql`(${r.series_id}, ${runId}, ${url}, ${snapshot}, ${observedAt}, ${knownAt}, ${segmentAt(segs, observedAt)?.amount ?? null}, ${r.claims})`;
  });
  for (let i = 0; i < rows.length; i += 500)
    await tx.run(sql`INSERT INTO observations (series_id, run_id, url, snapshot, observed_at, known_at, amount, claims) VALUES ${sql.join(rows.slice(i, i + 500), sql`, `)}`);
  if (rows.length) await refreshLastConfirmed(tx, sql`SELECT series_id FROM observations WHERE run_id = ${runId}`);
}

/**
 * lastConfirmedAt of a live fact: the latest observation of its series that showed its amount
 * while it was in force. A copy made by a correction gets it from the observations again.
 */
export async function refreshLastConfirmed(tx: Tx, seriesIds: ReturnType<typeof sql>): Promise<void> {
  await tx.run(sql`UPDATE facts SET last_confirmed_at = (
      SELECT coalesce(max(facts.last_confirmed_at, max(o.observed_at)), facts.last_confirmed_at, max(o.observed_at)) FROM observations o
      WHERE o.series_id = facts.series_id AND o.observed_at >= facts.valid_from
        AND (facts.valid_to IS NULL OR o.observed_at < facts.valid_to) AND o.amount = facts.amount)
    WHERE superseded_at IS NULL AND series_id IN (${seriesIds})`);
}

/* ---------------------------------------------------------------- provider and models */

/** Every model a page names: in an observation or in its model metadata. */
export const pageModels = (parsed: ParseResult): Set<string> => new Set([...parsed.observations.map((o) => o.model), ...(parsed.models ?? []).map((m) => m.id)]);

/** The provider's row and its models' (only those of `only`, a batch, when given): the models created. */
export async function ensureProviderAndModels(tx: Tx, scraper: Scraper, parsed: ParseResult, source: Source, at: number, only?: Set<string>): Promise<Set<string>> {
  const existingProvider = await first<{ id: string }>(tx, sql`SELECT id FROM providers WHERE id = ${scraper.id}`);
  if (!existingProvider) {
    const record = { id: scraper.id, name: scraper.name, url: scraper.homepage, pricingPages: scraper.pages.map((p) => p.url) };
    await tx.run(sql`INSERT INTO providers (id, name, url, record) VALUES (${scraper.id}, ${scraper.name}, ${scraper.homepage}, ${JSON.stringify(record)})`);
  }
  const created = new Set<string>();
  const observed = new Map((parsed.models ?? []).map((m) => [m.id, m]));
  for (const id of pageModels(parsed)) {
    if (only && !only.has(id)) continue;
    const row = await first<{ record: string }>(tx, sql`SELECT record FROM models WHERE id = ${id}`);
    const seen = observed.get(id);
    if (!row) {
      const model: Model = { id, provider: scraper.id, name: seen?.name ?? id.slice(id.indexOf('/') + 1) };
      if (seen?.contextWindow) model.contextWindow = seen.contextWindow;
      if (seen?.maxOutput) model.maxOutput = seen.maxOutput;
      if (seen?.aliases?.length) model.aliases = seen.aliases.map((a) => ({ alias: a.alias, validFrom: toIso(at), ...(a.note ? { note: a.note } : {}), sources: [source] }));
      if (seen?.contextWindow || seen?.maxOutput) model.sources = [source];
      await tx.run(sql`INSERT INTO models (id, provider, name, record) VALUES (${id}, ${scraper.id}, ${model.name}, ${JSON.stringify(model)})`);
      for (const a of model.aliases ?? []) await tx.run(sql`INSERT OR IGNORE INTO aliases (alias, model, valid_from, valid_to) VALUES (${a.alias}, ${id}, ${at}, ${null})`);
      created.add(id);
      continue;
    }
    if (!seen) continue;
    // Known model: fill in metadata the record lacks and aliases it does not list yet.
    const model = JSON.parse(row.record) as Model;
    let changed = false;
    if (seen.contextWindow && !model.contextWindow) ((model.contextWindow = seen.contextWindow), (changed = true));
    if (seen.maxOutput && !model.maxOutput) ((model.maxOutput = seen.maxOutput), (changed = true));
    for (const a of seen.aliases ?? []) {
      if (model.aliases?.some((x) => x.alias === a.alias)) continue;
      (model.aliases ??= []).push({ alias: a.alias, validFrom: toIso(at), ...(a.note ? { note: a.note } : {}), sources: [source] });
      await tx.run(sql`INSERT OR IGNORE INTO aliases (alias, model, valid_from, valid_to) VALUES (${a.alias}, ${id}, ${at}, ${null})`);
      changed = true;
    }
    if (changed) {
      if (!model.sources) model.sources = [source];
      await tx.run(sql`UPDATE models SET record = ${JSON.stringify(model)} WHERE id = ${id}`);
    }
  }
  return created;
}
