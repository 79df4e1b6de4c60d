// The scrape pipeline after the fetch: snapshot → parse → validate → guards → reconcile → changes
// → outbox. Everything from reconcile on is one transaction, so a crash leaves the timeline
// either before or after a page, never between. A page that fails to parse records a failed run
// and the last known prices stand; a suspect page writes nothing until a second observation agrees.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { ParseResult, type Model, type Observation, type Source } from '../model.ts';
import type { Scraper } from './contract.ts';
import { conditionsKey, parseConditionsKey } from '../conditions.ts';
import { Decimal, normalizeAmount, sameAmount } from '../decimal.ts';
import { toIso } from '../time.ts';
import { formatPath } from '../dataset/import.ts';
import { deriveChanges, type DerivedChange, type LiveFact } from '../timeline/changes.ts';
import { FACT_COLUMNS, hashKey, rowToLiveFact, type FactRow } from '../timeline/rows.ts';
import { toChangeRecord, withdrawalsAt, type ChangeRecord } from '../timeline/queries.ts';
import { bumpDataVersion, first, insertFacts, SeriesCache, type NewFact, type Tx } from '../timeline/write.ts';
import { reconcileLine, type ExistingFact, type Segment } from './reconcile.ts';
import { putSnapshot, sha256 } from './snapshots.ts';
import { eventsForChanges, writeEvents } from '../webhooks/outbox.ts';

export type RunOutcome = 'ok' | 'unchanged' | 'failed' | 'suspect';

export interface RunSummary {
  runId: number;
  provider: string;
  url: string;
  outcome: RunOutcome;
  reason: string | null;
  snapshot: string | null;
  observations: number;
  factsAdded: number;
  factsSuperseded: number;
  changes: ChangeRecord[];
}

export interface IngestOptions {
  scraper: Scraper;
  url: string;
  body: Buffer;
  contentType?: string | null;
  /** When the page was fetched (or archived). */
  observedAt: number;
  /** A trusted copy of the provider's page: skips the second-observation rule, not the guards. */
  confirmed?: boolean;
  archiveUrl?: string;
  /** Write notification events (scheduled scrapes do; backfills of old pages do not, by default). */
  emitEvents?: boolean;
  etag?: string | null;
  lastModified?: string | null;
  /** Knowledge time of what this page teaches (default: observedAt). A re-parse learns now. */
  knownAt?: number;
  /** Parse even when the snapshot is the one last read (a re-parse after a parser fix). */
  force?: boolean;
}

interface PageStateRow {
  url: string;
  last_snapshot: string | null;
  last_observed_at: number | null;
  pending_snapshot: string | null;
  pending_since: number | null;
  pending_claims: string | null;
}

type LineKey = string;
interface Line {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditionsKey: string;
  kind: 'list' | 'promo';
}

const lineKey = (l: Line): LineKey => [l.model, l.component, l.currency, l.unit, l.conditionsKey, l.kind].join('\u0000');
const parseLineKey = (k: LineKey): Line => {
  const [model, component, currency, unit, ck, kind] = k.split('\u0000');
  return { model, component, currency, unit, conditionsKey: ck, kind: kind as 'list' | 'promo' };
};

/** A parse failure or guard trip, with the reason a person can act on. */
class RunStop extends Error {
  constructor(
    readonly outcome: 'failed' | 'suspect',
    reason: string,
  ) {
    super(reason);
  }
}

/** The page's claims as segments per series; rows that contradict each other fail the page. */
export function claimsFromObservations(obs: Observation[], effectiveFrom: number): Map<LineKey, Segment[]> {
  const claims = new Map<LineKey, Segment[]>();
  const add = (line: Line, seg: Segment) => {
    if (seg.to !== null && seg.to <= seg.from) return; // already over when observed
    const k = lineKey(line);
    const list = claims.get(k) ?? [];
    for (const s of list) {
      const overlap = s.from < (seg.to ?? Infinity) && seg.from < (s.to ?? Infinity);
      if (!overlap) continue;
      if (!sameAmount(s.amount, seg.amount))
        throw new RunStop('failed', `page states two prices for ${line.model} ${line.component} ${line.currency} ${line.conditionsKey} (${s.amount} and ${seg.amount})`);
      // The same price stated twice (a promo cell's list price and the list row): one claim.
      s.from = Math.min(s.from, seg.from);
      s.to = s.to === null || seg.to === null ? null : Math.max(s.to, seg.to);
      s.datedFrom ||= seg.datedFrom;
      return;
    }
    list.push(seg);
    claims.set(k, list);
  };
  // A promo cell's list price stands for the list line only when the page has no list row of its own.
  const listed = new Set(obs.filter((o) => o.kind === 'list').map((o) => lineKey({ model: o.model, component: o.component, currency: o.currency, unit: o.unit, conditionsKey: conditionsKey(o.conditions), kind: 'list' })));
  for (const o of obs) {
    const base = { model: o.model, component: o.component, currency: o.currency, unit: o.unit, conditionsKey: conditionsKey(o.conditions) };
    const from = o.validFrom ? Date.parse(o.validFrom) : effectiveFrom;
    const to = o.validTo ? Date.parse(o.validTo) : null;
    const seg: Segment = { amount: normalizeAmount(o.amount), from, to, datedFrom: !!o.validFrom, free: !!o.free };
    if (o.kind === 'promo') {
      add({ ...base, kind: 'promo' }, seg);
      if (o.listAmount !== undefined && !listed.has(lineKey({ ...base, kind: 'list' })))
        add({ ...base, kind: 'list' }, { amount: normalizeAmount(o.listAmount), from: effectiveFrom, to: null, datedFrom: false, free: false });
    } else add({ ...base, kind: 'list' }, seg);
  }
  return claims;
}

async function loadPageState(tx: Tx, url: string): Promise<PageStateRow | null> {
  return (await first<PageStateRow>(tx, sql`SELECT * FROM page_state WHERE url = ${url}`)) ?? null;
}

export async function recordRunRow(
  tx: Tx,
  r: { provider: string; url: string; startedAt: number; outcome: RunOutcome; reason: string | null; snapshot: string | null; observations: number; factsAdded: number; factsSuperseded: number; changes: number; effectiveFrom?: number },
): Promise<number> {
  const row = await first<{ id: number }>(tx, sql`INSERT INTO scrape_runs (provider, url, started_at, finished_at, outcome, reason, snapshot, effective_from, observations, facts_added, facts_superseded, changes)
    VALUES (${r.provider}, ${r.url}, ${r.startedAt}, ${Date.now()}, ${r.outcome}, ${r.reason}, ${r.snapshot}, ${r.effectiveFrom ?? null}, ${r.observations}, ${r.factsAdded}, ${r.factsSuperseded}, ${r.changes}) RETURNING id`);
  return Number(row!.id);
}

async function upsertPageState(tx: Tx, provider: string, url: string, patch: Record<string, unknown>): Promise<void> {
  await tx.run(sql`INSERT INTO page_state (url, provider) VALUES (${url}, ${provider}) ON CONFLICT (url) DO NOTHING`);
  const sets = Object.entries(patch).map(([k, v]) => sql`${sql.identifier(k)} = ${v as string | number | null}`);
  if (sets.length) await tx.run(sql`UPDATE page_state SET ${sql.join(sets, sql`, `)} WHERE url = ${url}`);
}

/**
 * A future change announced elsewhere (a news post, a curated fact citing another URL) is not
 * withdrawn by a page that merely does not mention it: from its start on, the timeline's facts
 * stand, unless the page itself states a dated price for that future.
 */
export function keepForeignAnnouncements(existing: ExistingFact[], claimed: Segment[], effectiveFrom: number, pageUrl: string): Segment[] {
  const foreign = existing.filter((f) => f.validFrom > effectiveFrom && !f.sources.some((s) => s.url === pageUrl));
  if (foreign.length === 0) return claimed;
  const horizon = Math.min(...foreign.map((f) => f.validFrom));
  if (claimed.some((s) => s.datedFrom && s.from >= horizon)) return claimed;
  const before = claimed
    .filter((s) => s.from < horizon)
    .map((s) => ({ ...s, to: s.to === null || s.to > horizon ? horizon : s.to }));
  const after = existing
    .filter((f) => f.validFrom >= horizon)
    .map((f) => ({ amount: f.amount, from: f.validFrom, to: f.validTo, datedFrom: true, free: f.free }));
  return [...before, ...after];
}

/** Per series in scope: the earliest knowledge recorded after `knownAt` (only a backfill has any). */
async function laterKnowledgeBySeries(tx: Tx, provider: string, currencies: string[], knownAt: number): Promise<Map<LineKey, number>> {
  if (currencies.length === 0) return new Map();
  const rows = await tx.all<Line & { conditions: string; t: number }>(sql`SELECT s.model, s.component, s.currency, s.unit, s.conditions, s.kind, min(f.recorded_at) AS t
    FROM facts f JOIN series s ON s.id = f.series_id
    WHERE f.recorded_at > ${knownAt} AND s.model IN (SELECT id FROM models WHERE provider = ${provider})
      AND s.currency IN (${sql.join(currencies.map((c) => sql`${c}`), sql`, `)})
    GROUP BY s.id`);
  return new Map(rows.map((r) => [lineKey({ ...r, conditionsKey: r.conditions }), Number(r.t)]));
}

/** Live facts (as known at `asOf`) of the provider's models in the page's currencies. */
async function scopeFacts(tx: Tx, provider: string, currencies: string[], asOf: number): Promise<Array<LiveFact & { id: number; confidence: FactRow['confidence']; free: boolean }>> {
  if (currencies.length === 0) return [];
  const rows = await tx.all<FactRow>(sql`SELECT ${sql.raw(FACT_COLUMNS)} FROM facts f JOIN series s ON s.id = f.series_id
    WHERE s.model IN (SELECT id FROM models WHERE provider = ${provider})
      AND s.currency IN (${sql.join(currencies.map((c) => sql`${c}`), sql`, `)})
      AND f.recorded_at <= ${asOf} AND (f.superseded_at IS NULL OR f.superseded_at > ${asOf})`);
  return rows.map((r) => ({ ...rowToLiveFact(r), id: Number(r.id), confidence: r.confidence, free: Boolean(r.free) }));
}

function effectiveAt(facts: LiveFact[], model: string, component: string, currency: string, unit: string, ck: string, t: number): string | null {
  let list: LiveFact | null = null;
  let promo: LiveFact | null = null;
  for (const f of facts) {
    if (f.model !== model || f.component !== component || f.currency !== currency || f.unit !== unit || f.conditionsKey !== ck) continue;
    if (f.validFrom <= t && (f.validTo === null || f.validTo > t)) {
      if (f.kind === 'promo') promo = f;
      else list = f;
    }
  }
  return (promo ?? list)?.amount ?? null;
}

/** Guards that make a run suspect: it is written only when a second observation agrees. */
function suspectReasons(
  scraper: Scraper,
  obs: Observation[],
  claims: Map<LineKey, Segment[]>,
  existing: LiveFact[],
  effectiveFrom: number,
): string[] {
  const reasons: string[] = [];
  if (obs.length < scraper.minRows) reasons.push(`only ${obs.length} price rows (minimum ${scraper.minRows})`);
  const zero = obs.find((o) => new Decimal(o.amount).isZero() && !o.free);
  if (zero) reasons.push(`a price of 0 not stated as free (${zero.model} ${zero.component})`);
  const liveNow = existing.filter((f) => f.validFrom <= effectiveFrom && (f.validTo === null || f.validTo > effectiveFrom));
  const claimedModels = new Set([...claims.keys()].map((k) => parseLineKey(k).model));
  const vanished = [...new Set(liveNow.map((f) => f.model))].filter((m) => !claimedModels.has(m));
  if (vanished.length) reasons.push(`known model(s) vanished from the page: ${vanished.slice(0, 5).join(', ')}${vanished.length > 5 ? ` and ${vanished.length - 5} more` : ''}`);
  const liveLines = new Set(liveNow.map((f) => lineKey({ ...f, kind: f.kind })));
  const lostLines = [...liveLines].filter((k) => !claims.has(k) && claimedModels.has(parseLineKey(k).model));
  if (liveLines.size >= 4 && lostLines.length / liveLines.size > 0.5) reasons.push(`${lostLines.length} of ${liveLines.size} known price rows vanished`);
  // Moves beyond the threshold (any move at all for flapping aggregators) need confirmation.
  let big = 0;
  let example = '';
  for (const [k, segs] of claims) {
    const l = parseLineKey(k);
    if (l.kind !== 'list' && !segs.some((s) => s.from <= effectiveFrom)) continue;
    const seg = segs.find((s) => s.from <= effectiveFrom && (s.to === null || s.to > effectiveFrom));
    if (!seg) continue;
    const before = effectiveAt(existing, l.model, l.component, l.currency, l.unit, l.conditionsKey, effectiveFrom);
    const after = claimsEffective(claims, l, effectiveFrom);
    if (before === null || after === null || new Decimal(before).isZero()) continue;
    const move = new Decimal(after).minus(before).abs().div(before).toNumber();
    if ((scraper.flappy && move > 0) || move > scraper.changeThreshold) {
      big++;
      example ||= `${l.model} ${l.component} ${l.currency} ${before} → ${after}`;
    }
  }
  if (big) reasons.push(`${big} price(s) moved beyond the ${scraper.flappy ? 'flap' : `${scraper.changeThreshold * 100}%`} guard, e.g. ${example}`);
  return reasons;
}

function claimsEffective(claims: Map<LineKey, Segment[]>, l: Line, t: number): string | null {
  const at = (kind: 'list' | 'promo') =>
    claims.get(lineKey({ ...l, kind }))?.find((s) => s.from <= t && (s.to === null || s.to > t))?.amount ?? null;
  return at('promo') ?? at('list');
}

function claimsDigest(claims: Map<LineKey, Segment[]>, effectiveFrom: number): string {
  // Undated segments start at the observation; leave that out so two observations can agree.
  const norm = [...claims.entries()]
    .map(([k, segs]) => [k, segs.map((s) => [s.amount, s.datedFrom || s.from !== effectiveFrom ? s.from : 'E', s.to]).sort()])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return hashKey(norm);
}

async function ensureProviderAndModels(tx: Tx, scraper: Scraper, parsed: ParseResult, obs: Observation[], source: Source, at: number): Promise<Set<string>> {
  const existingProvider = await first<{ id: string }>(tx, sql`SELECT id FROM providers WHERE id = ${scraper.id}`);
  if (!existingProvider) {
    const record = { id: scraper.id, name: scraper.name, url: scraper.homepage, pricingPages: scraper.pages.map((p) => p.url) };
    await tx.run(sql`INSERT INTO providers (id, name, url, record) VALUES (${scraper.id}, ${scraper.name}, ${scraper.homepage}, ${JSON.stringify(record)})`);
  }
  const created = new Set<string>();
  const observed = new Map((parsed.models ?? []).map((m) => [m.id, m]));
  for (const id of new Set([...obs.map((o) => o.model), ...observed.keys()])) {
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

const changeIdentity = (c: DerivedChange) => hashKey([c.model, c.component, c.currency, c.unit, c.conditionsKey, c.type, c.effectiveAt, c.before, c.after, c.listBefore, c.listAfter]);

/** Runs one fetched (or archived) page through the pipeline. Never throws for a bad page. */
export async function ingestPage(database: Database, o: IngestOptions): Promise<RunSummary> {
  const { scraper, url } = o;
  const startedAt = Date.now();
  const hash = sha256(o.body);
  const knownAt = o.knownAt ?? o.observedAt;
  const db = database.db;
  const base = { provider: scraper.id, url, snapshot: hash };
  const state = await loadPageState(db, url);

  const stop = async (outcome: 'failed' | 'suspect', reason: string, observations = 0, pending?: { claims: string; since: number }): Promise<RunSummary> => {
    let runId = 0;
    await db.transaction(async (tx) => {
      await putSnapshot(tx, { sha256: hash, url, fetchedAt: o.observedAt, contentType: o.contentType, bytes: o.body });
      if (pending) await upsertPageState(tx, scraper.id, url, { pending_snapshot: hash, pending_since: pending.since, pending_claims: pending.claims });
      runId = await recordRunRow(tx, { ...base, startedAt, outcome, reason, observations, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    });
    return { runId, ...base, outcome, reason, observations, factsAdded: 0, factsSuperseded: 0, changes: [] };
  };

  // An identical page was already read: nothing to parse (the run still counts as an observation).
  if (state?.last_snapshot === hash && !state.pending_snapshot && !o.force) {
    let runId = 0;
    await db.transaction(async (tx) => {
      await upsertPageState(tx, scraper.id, url, { last_observed_at: Math.max(Number(state.last_observed_at ?? 0), o.observedAt), etag: o.etag ?? null, last_modified: o.lastModified ?? null });
      runId = await recordRunRow(tx, { ...base, startedAt, outcome: 'unchanged', reason: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    });
    return { runId, ...base, outcome: 'unchanged', reason: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
  }

  // Parse and validate: any failure is a failed run; the last known prices stand.
  let parsed: ParseResult;
  try {
    const text = o.body.toString('utf8');
    const raw = scraper.parse(text, { url, observedAt: toIso(o.observedAt) });
    const checked = ParseResult.safeParse(raw);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return stop('failed', `parser output invalid at ${formatPath(issue.path)}: ${issue.message}`);
    }
    parsed = checked.data;
    if (parsed.provider !== scraper.id) return stop('failed', `parser returned provider ${parsed.provider}, expected ${scraper.id}`);
  } catch (e) {
    return stop('failed', `${(e as Error).name === 'LayoutChangedError' ? 'layout changed: ' : 'parse failed: '}${(e as Error).message}`);
  }
  const obs = parsed.observations;
  const page = scraper.pages.find((p) => p.url === url);
  if (page?.currency) {
    const other = obs.find((x) => x.currency !== page.currency);
    if (other) return stop('failed', `page at ${url} should be in ${page.currency} but states ${other.currency} prices`, obs.length);
  }
  const foreign = obs.find((x) => !x.model.startsWith(`${scraper.id}/`));
  if (foreign) return stop('failed', `model ${foreign.model} does not belong to provider ${scraper.id}`, obs.length);

  // Suspect observations take effect from the first observation that showed them, once confirmed.
  let effectiveFrom = o.observedAt;
  let claims: Map<LineKey, Segment[]>;
  try {
    claims = claimsFromObservations(obs, effectiveFrom);
  } catch (e) {
    if (e instanceof RunStop) return stop(e.outcome, e.message, obs.length);
    throw e;
  }
  const currencies = page?.currency ? [page.currency] : [...new Set(obs.map((x) => x.currency))];
  const existingAtStart = await scopeFacts(db, scraper.id, currencies, knownAt);
  const digest = claimsDigest(claims, effectiveFrom);
  const reasons = suspectReasons(scraper, obs, claims, existingAtStart, effectiveFrom);
  const hardZero = reasons.find((r) => r.startsWith('a price of 0'));
  if (hardZero) return stop('failed', hardZero, obs.length);
  if (reasons.length && !o.confirmed) {
    const confirms = state?.pending_claims === digest && state.pending_since !== null;
    if (!confirms) return stop('suspect', `${reasons.join('; ')} — waiting for a second observation`, obs.length, { claims: digest, since: o.observedAt });
    effectiveFrom = Number(state!.pending_since);
    claims = claimsFromObservations(obs, effectiveFrom);
  }

  const source: Source = {
    url: page?.url ?? url,
    retrievedAt: toIso(o.observedAt),
    ...(o.archiveUrl ? { archiveUrl: o.archiveUrl } : {}),
    snapshot: hash,
  };
  const firstObservation = !state?.last_observed_at;
  const previousObservation = state?.last_observed_at ? Number(state.last_observed_at) : null;

  let summary: RunSummary | null = null;
  await db.transaction(async (tx) => {
    await putSnapshot(tx, { sha256: hash, url, fetchedAt: o.observedAt, contentType: o.contentType, bytes: o.body });
    const createdModels = await ensureProviderAndModels(tx, scraper, parsed, obs, source, effectiveFrom);
    const { added, superseded, records } = await reconcileScope(tx, {
      scraper,
      currencies,
      claims,
      effectiveFrom,
      knownAt,
      previousObservation,
      firstObservation,
      source,
      emitEvents: !!o.emitEvents,
      createdModels,
    });
    const changed = added > 0 || superseded > 0;
    if (changed) await bumpDataVersion(tx);
    await upsertPageState(tx, scraper.id, url, {
      last_snapshot: hash,
      last_observed_at: Math.max(Number(state?.last_observed_at ?? 0), o.observedAt),
      etag: o.etag ?? null,
      last_modified: o.lastModified ?? null,
      pending_snapshot: null,
      pending_since: null,
      pending_claims: null,
    });
    const outcome: RunOutcome = 'ok';
    const runId = await recordRunRow(tx, { ...base, startedAt, outcome, reason: null, observations: obs.length, factsAdded: added, factsSuperseded: superseded, changes: records.length, effectiveFrom });
    summary = { runId, ...base, outcome, reason: null, observations: obs.length, factsAdded: added, factsSuperseded: superseded, changes: records };
  });
  return summary!;
}


export interface ScopeReconcile {
  scraper: Scraper;
  currencies: string[];
  claims: Map<LineKey, Segment[]>;
  effectiveFrom: number;
  knownAt: number;
  previousObservation: number | null;
  firstObservation: boolean;
  source: Source;
  emitEvents: boolean;
  createdModels: Set<string>;
}

/**
 * Brings every series the page speaks for (what it claims, and what the timeline has for the
 * provider in the page's currencies) in line with the claims, inside the caller's transaction;
 * returns the changes that appeared and writes their events.
 */
export async function reconcileScope(tx: Tx, p: ScopeReconcile): Promise<{ added: number; superseded: number; records: ChangeRecord[] }> {
  const { scraper, currencies, claims, effectiveFrom, knownAt, previousObservation, firstObservation, source } = p;
  const existing = await scopeFacts(tx, scraper.id, currencies, knownAt);
  const beforeChanges = deriveChanges(existing);

  // Every series the page speaks for: what it claims, and what the timeline has in its scope.
  const lines = new Set<LineKey>([...claims.keys(), ...existing.map((f) => lineKey(f))]);
  const byLine = new Map<LineKey, typeof existing>();
  for (const f of existing) byLine.set(lineKey(f), [...(byLine.get(lineKey(f)) ?? []), f]);
  const cache = new SeriesCache();
  const inserts: NewFact[] = [];
  let superseded = 0;
  const laterBySeries = await laterKnowledgeBySeries(tx, scraper.id, currencies, knownAt);
  for (const k of lines) {
    const l = parseLineKey(k);
    const ex: ExistingFact[] = (byLine.get(k) ?? []).map((f) => ({ ...f, confidence: f.confidence }));
    const claimed = keepForeignAnnouncements(ex, claims.get(k) ?? [], effectiveFrom, source.url);
    const plan = reconcileLine(ex, claimed, { effectiveFrom, knownAt, previousObservation, firstObservation, sources: [source] });
    if (plan.divergesAt === null) continue;
    // Knowledge recorded after this page (a backfill of an older copy) stays authoritative
    // from its own knowledge time on: what we add now is superseded there.
    const laterKnowledge = laterBySeries.get(k) ?? null;
    for (const id of plan.supersede) {
      await tx.run(sql`UPDATE facts SET superseded_at = ${knownAt} WHERE id = ${id} AND (superseded_at IS NULL OR superseded_at > ${knownAt})`);
      superseded++;
    }
    for (const d of plan.insert) {
      inserts.push({
        model: l.model,
        component: l.component,
        currency: l.currency,
        unit: l.unit,
        conditions: parseConditionsKey(l.conditionsKey),
        kind: l.kind,
        ...d,
        recordedAt: knownAt,
        supersededAt: laterKnowledge,
        runId: null,
      });
    }
  }
  const added = await insertFacts(tx, cache, inserts);
  const after = await scopeFacts(tx, scraper.id, currencies, knownAt);
  const beforeIds = new Set(beforeChanges.map(changeIdentity));
  const newChanges = deriveChanges(after).filter((c) => !beforeIds.has(changeIdentity(c)));
  const withdrawn = superseded > 0 ? await withdrawalsAt(tx, { provider: scraper.id, currencies }, knownAt) : [];
  const records = [...newChanges, ...withdrawn].map((c) => toChangeRecord(c, knownAt));
  if (p.emitEvents && records.length) {
    const liveModels = new Set(after.filter((f) => f.validTo === null || f.validTo > knownAt).map((f) => f.model));
    await writeEvents(tx, eventsForChanges(scraper.id, records, { createdModels: p.createdModels, liveModels, now: Date.now() }));
  }
  return { added, superseded, records };
}

/** Records a fetch that failed before there was a page to read. */
export async function recordFailedFetch(database: Database, scraper: Scraper, url: string, reason: string, startedAt = Date.now()): Promise<RunSummary> {
  const runId = await recordRunRow(database.db, { provider: scraper.id, url, startedAt, outcome: 'failed', reason, snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
  return { runId, provider: scraper.id, url, outcome: 'failed', reason, snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
}


/** A conditional GET answered 304: an observation of the same page, nothing to parse. */
export async function recordUnchanged(database: Database, scraper: Scraper, url: string, observedAt: number, startedAt = Date.now()): Promise<RunSummary> {
  let runId = 0;
  await database.db.transaction(async (tx) => {
    const state = await loadPageState(tx, url);
    await upsertPageState(tx, scraper.id, url, { last_observed_at: Math.max(Number(state?.last_observed_at ?? 0), observedAt) });
    runId = await recordRunRow(tx, { provider: scraper.id, url, startedAt, outcome: 'unchanged', reason: 'not modified (304)', snapshot: state?.last_snapshot ?? null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
  });
  return { runId, provider: scraper.id, url, outcome: 'unchanged', reason: 'not modified (304)', snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
}
