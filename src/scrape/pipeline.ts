// The scrape pipeline after the fetch: snapshot → parse → validate → claims → guards → apply
// (reconcile, observations, changes, outbox). Apply runs in short transactions, one per batch of
// models (a server sharing the file gets the lock in between); a batch's facts, observations and
// events commit together, and a run stopped between batches is resumed by ingesting the page
// again, which leaves the timeline as one uninterrupted run would. A page that fails to
// parse records a failed run and the last known prices stand. A page is trusted part by part:
// sections it could not read stay as they were (the run is `partial` and removes nothing), a
// guard holds only the scope it concerns until a second observation agrees.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { ParseResult, type Source } from '../model.ts';
import type { Scraper } from './contract.ts';
import { toIso } from '../time.ts';
import { formatPath } from '../dataset/import.ts';
import type { ChangeRecord } from '../timeline/queries.ts';
import { bumpDataVersion, first, type Tx } from '../timeline/write.ts';
import { claimsDigest, claimsFromObservations, ContradictionError, mayChange, pageScope, parseLineKey, scopeCurrencies, startingAt, type Claims, type LineKey, type PageScope } from './claims.ts';
import { guardPage, type GuardVerdict, type Hold } from './guards.ts';
import { applyPage, claimsFrom, ensureProviderAndModels, pageModels, pageRecord, recordObservations, recordRepeatObservations, scopeFacts, writeDegradedEvent, type ScopeFact } from './apply.ts';
import { parsePage } from './parse-worker.ts';
import { putSnapshot, sha256 } from './snapshots.ts';

export type RunOutcome = 'ok' | 'unchanged' | 'failed' | 'suspect' | 'partial';

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
  /** Sections not read and rows refused (a partial run). */
  unread?: Array<{ section: string; reason: string }>;
  /** Scopes held until a second observation agrees. */
  held?: string[];
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
  /** Lines per batch (default BATCH_LINES). */
  batchLines?: number;
}

interface PageStateRow {
  url: string;
  last_snapshot: string | null;
  last_observed_at: number | null;
  pending_snapshot: string | null;
  pending_since: number | null;
  pending_claims: string | null;
}

/** Holds waiting for a second observation, by hold key (`page` for a whole page held). */
type Pending = Record<string, { digest: string; since: number }>;

function readPending(s: PageStateRow | null): Pending {
  try {
    const v = JSON.parse(s?.pending_claims ?? '{}') as { holds?: Pending };
    return v.holds ?? {};
  } catch {
    return {}; // an older format: nothing pending in this one
  }
}

/** One ingest: the page, what is on record about it, and the run's common fields. */
interface Run {
  o: IngestOptions;
  hash: string;
  knownAt: number;
  startedAt: number;
  state: PageStateRow | null;
  /** This page is at least as recent as every earlier observation of its URL (not a backfill). */
  inOrder: boolean;
}

/** Runs one fetched (or archived) page through the pipeline. Never throws for a bad page. */
export async function ingestPage(database: Database, o: IngestOptions): Promise<RunSummary> {
  const run = await beginRun(database, o);
  if (run.inOrder && run.state?.last_snapshot === run.hash && !run.state.pending_snapshot && !o.force) return recordRepeat(database, run);
  const page = await readPage(o);
  if ('failed' in page) return recordStop(database, run, 'failed', page.failed, page.observations);
  const scope = pageScope(page.parsed.coverage, page.currencies);
  const live = (await scopeFacts(database.db, o.scraper.id, scopeCurrencies(scope), o.scraper.origin)).filter((f) => mayChange(scope, f));
  const unreadRows = (page.parsed.coverage?.unread ?? []).reduce((n, u) => n + (u.scope?.length ?? 0), 0);
  const verdict = guardPage(o.scraper, page.parsed.observations, page.claims, live, o.observedAt, unreadRows);
  if (verdict.fail) return recordStop(database, run, 'failed', verdict.fail, page.parsed.observations.length);
  const decision = decideHolds(verdict, readPending(run.state), claimsDigest(page.claims, o.observedAt), o.observedAt, !!o.confirmed);
  if (decision.pageHeld) return recordStop(database, run, 'suspect', `${decision.pageHeld} — waiting for a second observation`, page.parsed.observations.length, decision.pending);
  return applyRun(database, run, page, withRefused(scope, verdict), decision, verdict.notSent, live);
}

async function beginRun(database: Database, o: IngestOptions): Promise<Run> {
  const state = (await first<PageStateRow>(database.db, sql`SELECT * FROM page_state WHERE url = ${o.url}`)) ?? null;
  return { o, hash: sha256(o.body), knownAt: o.knownAt ?? o.observedAt, startedAt: Date.now(), state, inOrder: o.observedAt >= Number(state?.last_observed_at ?? -Infinity) };
}

interface ReadPage {
  parsed: ParseResult;
  claims: Claims;
  currencies: string[];
}

/** Parse, validate and read the claims: any failure is a failed run; the last known prices stand. */
async function readPage(o: IngestOptions): Promise<ReadPage | { failed: string; observations: number }> {
  const { scraper, url } = o;
  let parsed: ParseResult;
  try {
    // In a worker with size, depth and time limits (parse-worker.ts).
    const checked = ParseResult.safeParse(await parsePage(scraper, o.body.toString('utf8'), { url, observedAt: toIso(o.observedAt) }));
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return { failed: `parser output invalid at ${formatPath(issue.path)}: ${issue.message}`, observations: 0 };
    }
    parsed = checked.data;
  } catch (e) {
    return { failed: `${(e as Error).name === 'LayoutChangedError' ? 'layout changed: ' : 'parse failed: '}${(e as Error).message}`, observations: 0 };
  }
  const obs = parsed.observations;
  if (parsed.provider !== scraper.id) return { failed: `parser returned provider ${parsed.provider}, expected ${scraper.id}`, observations: 0 };
  const declared = scraper.pages.find((p) => p.url === url)?.currency;
  const other = declared ? obs.find((x) => x.currency !== declared) : undefined;
  if (other) return { failed: `page at ${url} should be in ${declared} but states ${other.currency} prices`, observations: obs.length };
  const foreign = obs.find((x) => !x.model.startsWith(`${scraper.id}/`));
  if (foreign) return { failed: `model ${foreign.model} does not belong to provider ${scraper.id}`, observations: obs.length };
  try {
    const claims = claimsFromObservations(obs, o.observedAt);
    return { parsed, claims, currencies: declared ? [declared] : [...new Set(obs.map((x) => x.currency))] };
  } catch (e) {
    if (e instanceof ContradictionError) return { failed: e.message, observations: obs.length };
    throw e;
  }
}

/** Rows refused as implausible are unread: their series stay as they were, and the run is partial. */
function withRefused(scope: PageScope, v: GuardVerdict): PageScope {
  if (v.refused.length === 0) return scope;
  return { read: scope.read, unread: [...scope.unread, ...v.refused.map((r) => r.scope)], sections: [...scope.sections, ...v.refused.map(({ section, reason }) => ({ section, reason }))] };
}

interface HoldDecision {
  /** The whole page waits (too few rows): why. */
  pageHeld: string | null;
  /** The whole page was held before and this observation agrees: its claims start then. */
  pageSince: number | null;
  held: Hold[];
  confirmed: Array<{ hold: Hold; since: number }>;
  /** What waits after this run. */
  pending: Pending;
}

/**
 * The second-observation rule: a held scope takes effect when the next observation of the page
 * holds it with the same digest (from the first sighting on); a trusted copy needs no second one.
 * Any other page in between clears it, so only consecutive observations confirm.
 */
export function decideHolds(v: GuardVerdict, pending: Pending, pageDigest: string, observedAt: number, trusted: boolean): HoldDecision {
  if (trusted) return { pageHeld: null, pageSince: null, held: [], confirmed: v.holds.map((hold) => ({ hold, since: observedAt })), pending: {} };
  if (v.page.length) {
    const p = pending.page;
    if (!p || p.digest !== pageDigest) return { pageHeld: v.page.join('; '), pageSince: null, held: [], confirmed: [], pending: { page: { digest: pageDigest, since: observedAt } } };
    // The page as a whole is confirmed; its own holds are confirmed with it, from its first sighting.
    return { pageHeld: null, pageSince: p.since, held: [], confirmed: v.holds.map((hold) => ({ hold, since: p.since })), pending: {} };
  }
  const d: HoldDecision = { pageHeld: null, pageSince: null, held: [], confirmed: [], pending: {} };
  for (const hold of v.holds) {
    const p = pending[hold.key];
    if (p && p.digest === hold.digest) d.confirmed.push({ hold, since: p.since });
    else {
      d.held.push(hold);
      d.pending[hold.key] = { digest: hold.digest, since: observedAt };
    }
  }
  return d;
}

async function applyRun(database: Database, run: Run, page: ReadPage, scope: PageScope, d: HoldDecision, notSent: LineKey[], live: ScopeFact[]): Promise<RunSummary> {
  const { o, hash, knownAt } = run;
  const { scraper, url } = o;
  const observedAt = d.pageSince ?? o.observedAt;
  const claims = d.pageSince === null ? page.claims : claimsFromObservations(page.parsed.observations, observedAt);
  const starts = new Map<LineKey, number>();
  for (const { hold, since } of d.confirmed)
    for (const k of hold.lines) {
      starts.set(k, since);
      const segs = claims.get(k);
      if (segs) claims.set(k, startingAt(segs, observedAt, since));
    }
  // Held scopes wait; a free field an aggregator stopped sending is no change (guards.ts).
  const untouched = new Set<LineKey>([...d.held.flatMap((h) => h.lines), ...notSent]);
  const partial = scope.sections.length > 0;
  const outcome: RunOutcome = partial ? 'partial' : d.held.length ? 'suspect' : 'ok';
  const reasons = [
    ...scope.sections.map((s) => `not read: ${s.section} (${s.reason})`),
    ...d.held.map((h) => `held: ${h.reason} — waiting for a second observation`),
  ];
  const reason = reasons.length ? reasons.join('; ') : null;
  const source: Source = { url, retrievedAt: toIso(o.observedAt), ...(o.archiveUrl ? { archiveUrl: o.archiveUrl } : {}), snapshot: hash };
  const obsCount = page.parsed.observations.length;
  const base = { provider: scraper.id, url, snapshot: hash };

  // Short transactions: the run row and the snapshot, then one per batch of models (its facts,
  // observations, changes and events together), then the page state and the run's outcome.
  const runId = await database.db.transaction(async (tx) => {
    await putSnapshot(tx, { sha256: hash, url, fetchedAt: o.observedAt, contentType: o.contentType, bytes: o.body });
    return (await resumeRun(tx, base, observedAt)) ?? recordRunRow(tx, { ...base, startedAt: run.startedAt, outcome: 'running', reason: null, observations: obsCount, factsAdded: 0, factsSuperseded: 0, changes: 0, effectiveFrom: observedAt });
  });
  // What the page's earlier observations say, read once: later batches must not see earlier ones'.
  const pageSeen = await pageRecord(database.db, url, claimsFrom(observedAt, starts), observedAt, runId);
  const batches = modelBatches(page.parsed, claims, live, o.batchLines ?? BATCH_LINES);
  const records: ChangeRecord[] = [];
  for (const [i, models] of batches.entries()) {
    const began = performance.now();
    try {
      await database.db.transaction(async (tx) => {
        const createdModels = await ensureProviderAndModels(tx, scraper, page.parsed, source, observedAt, new Set(models));
        const a = await applyPage(tx, { runId, scraper, url, snapshot: hash, scope, claims, observedAt, starts, untouched, partial, knownAt, source, emitEvents: !!o.emitEvents, createdModels, horizon: true, models, page: pageSeen });
        await recordObservations(tx, runId, url, hash, knownAt, a.observed, o.scraper.origin);
        await tx.run(sql`UPDATE scrape_runs SET facts_added = facts_added + ${a.added}, facts_superseded = facts_superseded + ${a.superseded},
          changes = changes + ${a.records.length}, finished_at = ${Date.now()} WHERE id = ${runId}`);
        if (a.added || a.superseded || a.observed.length) await bumpDataVersion(tx);
        records.push(...a.records);
      });
    } catch (e) {
      // What the committed batches applied stands; ingesting the page again resumes this run.
      const why = `${INTERRUPTED} after ${i} of ${batches.length} batches (${(e as Error).message}); ingest the page again to finish it`;
      await database.db.run(sql`UPDATE scrape_runs SET outcome = 'failed', reason = ${why}, finished_at = ${Date.now()} WHERE id = ${runId}`).catch(() => undefined);
      throw e;
    }
    // Room for other writers (another process polls for the lock): a fixed pause, longer when the
    // batch was slow (a loaded machine delays the waiting process's timers as much as this batch).
    if (i < batches.length - 1) await new Promise((r) => setTimeout(r, Math.max(BATCH_PAUSE_MS, (performance.now() - began) / BATCH_PAUSE_SHARE)));
  }

  let summary!: RunSummary;
  await database.db.transaction(async (tx) => {
    if (batches.length === 0) await ensureProviderAndModels(tx, scraper, page.parsed, source, observedAt);
    await notePage(tx, run, d.held.length ? d.pending : {});
    const totals = (await first<{ facts_added: number; facts_superseded: number; changes: number }>(tx, sql`SELECT facts_added, facts_superseded, changes FROM scrape_runs WHERE id = ${runId}`))!;
    const [factsAdded, factsSuperseded] = [Number(totals.facts_added), Number(totals.facts_superseded)];
    await finishRunRow(tx, runId, { outcome, reason, factsAdded, factsSuperseded, changes: Number(totals.changes) });
    if (partial && o.emitEvents) await writeDegradedEvent(tx, { provider: scraper.id, url, runId, sections: scope.sections });
    summary = { runId, ...base, outcome, reason, observations: obsCount, factsAdded, factsSuperseded, changes: records };
    if (partial) summary.unread = scope.sections;
    if (d.held.length) summary.held = d.held.map((h) => h.reason);
  });
  return summary;
}

/** Lines one batch reconciles, about (a model is never split): one short transaction each. */
export const BATCH_LINES = 200;
/**
 * Pause between two batches, so a server sharing the file gets the write lock in between: longer
 * than the longest sleep of a writer waiting for the lock (RETRY_MAX_MS × 1.5 in db/client.ts).
 */
const BATCH_PAUSE_MS = 20;
/** …or a fifth of the batch's own time, whichever is longer: the lock is free ≥ 1/6 of the time. */
const BATCH_PAUSE_SHARE = 5;
/** How the reason of a run stopped between two batches starts. */
const INTERRUPTED = 'interrupted';

/**
 * The page's models in batches of about `size` lines (claimed or live), in id order: every model
 * the page names or the scope holds facts of, each model's lines in one batch.
 */
export function modelBatches(parsed: ParseResult, claims: Claims, live: Array<{ model: string }>, size: number): string[][] {
  const lines = new Map<string, number>();
  const add = (m: string, n: number) => lines.set(m, (lines.get(m) ?? 0) + n);
  for (const m of pageModels(parsed)) add(m, 0);
  for (const k of claims.keys()) add(parseLineKey(k).model, 1);
  for (const f of live) add(f.model, 1);
  const out: string[][] = [];
  let cur: string[] = [];
  let n = 0;
  for (const m of [...lines.keys()].sort()) {
    cur.push(m);
    n += Math.max(1, lines.get(m)!);
    if (n >= size) {
      out.push(cur);
      cur = [];
      n = 0;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * A run of this page at this instant stopped between two batches (interrupted, or a process that
 * died): this one resumes it. Re-applying its committed batches changes nothing (same claims, same
 * knowledge time) and records no observation twice, so the page ends as one uninterrupted run leaves it.
 */
async function resumeRun(tx: Tx, base: { url: string; snapshot: string }, effectiveFrom: number): Promise<number | null> {
  const row = await first<{ id: number }>(tx, sql`SELECT id FROM scrape_runs WHERE url = ${base.url} AND snapshot = ${base.snapshot} AND effective_from = ${effectiveFrom}
    AND (outcome = 'running' OR (outcome = 'failed' AND reason LIKE ${`${INTERRUPTED} %`})) ORDER BY id DESC LIMIT 1`);
  if (!row) return null;
  await tx.run(sql`UPDATE scrape_runs SET outcome = 'running', reason = NULL WHERE id = ${row.id}`);
  return Number(row.id);
}

/** Page state after an applied run: the last snapshot read and what waits (a backfill changes neither). */
async function notePage(tx: Tx, run: Run, pending: Pending): Promise<void> {
  const { o, hash, state } = run;
  const last = Math.max(Number(state?.last_observed_at ?? 0), o.observedAt);
  const patch: Record<string, string | number | null> = { last_observed_at: last };
  if (run.inOrder) {
    const since = Object.values(pending).map((p) => p.since);
    Object.assign(patch, {
      last_snapshot: hash,
      etag: o.etag ?? null,
      last_modified: o.lastModified ?? null,
      pending_snapshot: since.length ? hash : null,
      pending_since: since.length ? Math.min(...since) : null,
      pending_claims: since.length ? JSON.stringify({ holds: pending }) : null,
    });
  }
  await upsertPageState(tx, o.scraper.id, o.url, patch);
}

/** A failed or wholly held page: the snapshot and the run are recorded, nothing else. */
async function recordStop(database: Database, run: Run, outcome: 'failed' | 'suspect', reason: string, observations = 0, pending?: Pending): Promise<RunSummary> {
  const { o, hash } = run;
  const base = { provider: o.scraper.id, url: o.url, snapshot: hash };
  let runId = 0;
  await database.db.transaction(async (tx) => {
    await putSnapshot(tx, { sha256: hash, url: o.url, fetchedAt: o.observedAt, contentType: o.contentType, bytes: o.body });
    if (pending && run.inOrder) await upsertPageState(tx, o.scraper.id, o.url, { pending_snapshot: hash, pending_since: o.observedAt, pending_claims: JSON.stringify({ holds: pending }) });
    runId = await recordRunRow(tx, { ...base, startedAt: run.startedAt, outcome, reason, observations, factsAdded: 0, factsSuperseded: 0, changes: 0 });
  });
  return { runId, ...base, outcome, reason, observations, factsAdded: 0, factsSuperseded: 0, changes: [] };
}

/** The page last read, seen again: nothing to parse, but an observation of everything it said. */
async function recordRepeat(database: Database, run: Run): Promise<RunSummary> {
  const { o, hash, state } = run;
  const base = { provider: o.scraper.id, url: o.url, snapshot: hash };
  let runId = 0;
  await database.db.transaction(async (tx) => {
    await upsertPageState(tx, o.scraper.id, o.url, { last_observed_at: Math.max(Number(state?.last_observed_at ?? 0), o.observedAt), etag: o.etag ?? null, last_modified: o.lastModified ?? null });
    runId = await recordRunRow(tx, { ...base, startedAt: run.startedAt, outcome: 'unchanged', reason: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    await recordRepeatObservations(tx, runId, o.url, hash, o.observedAt, run.knownAt);
    await bumpDataVersion(tx);
  });
  return { runId, ...base, outcome: 'unchanged', reason: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
}

export async function recordRunRow(
  tx: Tx,
  r: { provider: string; url: string; startedAt: number; outcome: RunOutcome | 'running'; reason: string | null; snapshot: string | null; observations: number; factsAdded: number; factsSuperseded: number; changes: number; effectiveFrom?: number },
): Promise<number> {
  const row = await first<{ id: number }>(tx, sql`INSERT INTO scrape_runs (provider, url, started_at, finished_at, outcome, reason, snapshot, effective_from, observations, facts_added, facts_superseded, changes)
    VALUES (${r.provider}, ${r.url}, ${r.startedAt}, ${Date.now()}, ${r.outcome}, ${r.reason}, ${r.snapshot}, ${r.effectiveFrom ?? null}, ${r.observations}, ${r.factsAdded}, ${r.factsSuperseded}, ${r.changes}) RETURNING id`);
  return Number(row!.id);
}

export async function finishRunRow(tx: Tx, runId: number, r: { outcome: RunOutcome; reason: string | null; factsAdded: number; factsSuperseded: number; changes: number }): Promise<void> {
  await tx.run(sql`UPDATE scrape_runs SET outcome = ${r.outcome}, reason = ${r.reason}, finished_at = ${Date.now()}, facts_added = ${r.factsAdded},
    facts_superseded = ${r.factsSuperseded}, changes = ${r.changes} WHERE id = ${runId}`);
}

async function upsertPageState(tx: Tx, provider: string, url: string, patch: Record<string, unknown>): Promise<void> {
  await tx.run(sql`INSERT INTO page_state (url, provider) VALUES (${url}, ${provider}) ON CONFLICT (url) DO NOTHING`);
  const sets = Object.entries(patch).map(([k, v]) => sql`${sql.identifier(k)} = ${v as string | number | null}`);
  if (sets.length) await tx.run(sql`UPDATE page_state SET ${sql.join(sets, sql`, `)} WHERE url = ${url}`);
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
    const state = await first<PageStateRow>(tx, sql`SELECT * FROM page_state WHERE url = ${url}`);
    await upsertPageState(tx, scraper.id, url, { last_observed_at: Math.max(Number(state?.last_observed_at ?? 0), observedAt) });
    runId = await recordRunRow(tx, { provider: scraper.id, url, startedAt, outcome: 'unchanged', reason: 'not modified (304)', snapshot: state?.last_snapshot ?? null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    if (state?.last_snapshot) {
      await recordRepeatObservations(tx, runId, url, state.last_snapshot, observedAt, observedAt);
      await bumpDataVersion(tx);
    }
  });
  return { runId, provider: scraper.id, url, outcome: 'unchanged', reason: 'not modified (304)', snapshot: null, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
}
