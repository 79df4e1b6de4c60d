// Re-parse: after a parser fix, run today's parser over every stored snapshot a page was accepted
// from, and correct the timeline in one pass. Each snapshot speaks for valid time from its first
// observation until the next one's; the correction is learned now, so it supersedes (knowledge
// time = now) and deletes nothing. Unchanged results write nothing. A snapshot today's parser
// refuses speaks for nothing: over its dates the timeline stays as it is (the previous snapshot's
// claims do not stretch over them), and so do the sections a snapshot's parse could not read.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { ParseResult, type Source } from '../model.ts';
import type { Scraper } from './contract.ts';
import { sameAmount } from '../decimal.ts';
import { toIso } from '../time.ts';
import { bumpDataVersion } from '../timeline/write.ts';
import { claimsFromObservations, lineKey, mayChange, pageScope, parseLineKey, type Claims, type LineKey, type PageScope } from './claims.ts';
import type { Segment } from './reconcile.ts';
import { applyPage } from './apply.ts';
import { getSnapshot } from './snapshots.ts';
import { finishRunRow, recordRunRow, type RunSummary } from './pipeline.ts';

/** One stored snapshot as today's parser reads it: its claims, or null when it is refused. */
export interface SnapshotReading {
  at: number;
  claims: Claims | null;
  /** What the parse covered (absent coverage: the page's currencies). */
  scope?: PageScope;
  /** The series its run observed (held, refused and unread ones were not). */
  observed?: Set<LineKey>;
}

/** Later snapshots win from their own observation on; adjacent equal segments are joined. */
export function composeClaims(perSnapshot: SnapshotReading[]): Claims {
  const out: Claims = new Map();
  const keys = new Set(perSnapshot.flatMap((s) => [...(s.claims?.keys() ?? [])]));
  for (const key of keys) {
    const segs: Segment[] = [];
    perSnapshot.forEach((snap, k) => {
      const lo = k === 0 ? -Infinity : snap.at;
      const hi = k + 1 < perSnapshot.length ? perSnapshot[k + 1].at : Infinity;
      for (const s of snap.claims?.get(key) ?? []) {
        const from = Math.max(s.from, lo);
        const to = Math.min(s.to ?? Infinity, hi);
        if (from < to) segs.push({ ...s, from, to: to === Infinity ? null : to });
      }
    });
    segs.sort((a, b) => a.from - b.from);
    const joined: Segment[] = [];
    for (const s of segs) {
      const prev = joined[joined.length - 1];
      if (prev && prev.to === s.from && sameAmount(prev.amount, s.amount) && prev.free === s.free) prev.to = s.to;
      else joined.push({ ...s });
    }
    if (joined.length) out.set(key, joined);
  }
  return out;
}

/**
 * Where the timeline of a series stays as it is: the span of every snapshot that is refused, whose
 * parse did not read that series, or whose run did not take it (held or refused) although runs of
 * this page did observe it (`everObserved`; a series no run observed is new to the parser).
 */
export function keptSpans(perSnapshot: SnapshotReading[], key: LineKey, everObserved: Set<LineKey>): Array<[number, number | null]> {
  const l = parseLineKey(key);
  const out: Array<[number, number | null]> = [];
  perSnapshot.forEach((snap, k) => {
    const unread =
      snap.claims === null ||
      (snap.scope !== undefined && !mayChange(snap.scope, l)) ||
      (snap.observed !== undefined && everObserved.has(key) && !snap.observed.has(key));
    if (unread) out.push([snap.at, k + 1 < perSnapshot.length ? perSnapshot[k + 1].at : null]);
  });
  return out;
}

/** Per run of this page: the series it observed. */
async function observedSeries(db: Database['db'], url: string): Promise<Map<number, Set<LineKey>>> {
  const rows = await db.all<{ run_id: number; model: string; component: string; currency: string; unit: string; conditions: string; kind: 'list' | 'promo' }>(sql`
    SELECT o.run_id, s.model, s.component, s.currency, s.unit, s.conditions, s.kind FROM observations o JOIN series s ON s.id = o.series_id WHERE o.url = ${url}`);
  const out = new Map<number, Set<LineKey>>();
  for (const r of rows) {
    const set = out.get(Number(r.run_id)) ?? new Set<LineKey>();
    set.add(lineKey({ ...r, conditionsKey: r.conditions }));
    out.set(Number(r.run_id), set);
  }
  return out;
}

export async function reparsePage(database: Database, scraper: Scraper, url: string, knownAt = Date.now()): Promise<RunSummary> {
  const db = database.db;
  const startedAt = Date.now();
  // The pages this URL was accepted from (wholly or in part), in the order their claims took effect.
  const snaps = await db.all<{ id: number; sha256: string; fetched_at: number }>(sql`
    SELECT r.id, r.snapshot AS sha256, r.effective_from AS fetched_at FROM scrape_runs r
    WHERE r.url = ${url} AND r.outcome IN ('ok', 'partial', 'suspect') AND r.snapshot IS NOT NULL AND r.effective_from IS NOT NULL
    ORDER BY r.effective_from, r.id`);
  const page = scraper.pages.find((p) => p.url === url);
  const perSnapshot: SnapshotReading[] = [];
  const failures: string[] = [];
  const currencies = new Set<string>(page?.currency ? [page.currency] : []);
  let observations = 0;
  const observedBy = await observedSeries(db, url);
  const everObserved = new Set([...observedBy.values()].flatMap((s) => [...s]));
  for (const s of snaps) {
    const body = await getSnapshot(db, s.sha256);
    if (!body) continue;
    const at = Number(s.fetched_at);
    try {
      const parsed = ParseResult.parse(scraper.parse(body.toString('utf8'), { url, observedAt: toIso(at) }));
      observations += parsed.observations.length;
      if (!page?.currency) for (const o of parsed.observations) currencies.add(o.currency);
      const own = page?.currency ? [page.currency] : [...new Set(parsed.observations.map((o) => o.currency))];
      perSnapshot.push({ at, claims: claimsFromObservations(parsed.observations, at), scope: pageScope(parsed.coverage, own), observed: observedBy.get(Number(s.id)) ?? new Set() });
    } catch (e) {
      // A snapshot today's parser refuses speaks for nothing: its dates keep the timeline as it is.
      perSnapshot.push({ at, claims: null });
      failures.push(`${s.sha256.slice(0, 12)} @ ${toIso(at)}: ${(e as Error).message}`);
    }
  }
  const base = { provider: scraper.id, url, snapshot: null };
  const read = perSnapshot.filter((s) => s.claims !== null);
  if (read.length === 0) {
    const reason = snaps.length ? `no stored snapshot parses: ${failures[0]}` : 'no accepted snapshots stored';
    const runId = await recordRunRow(db, { ...base, startedAt, outcome: 'failed', reason, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    return { runId, ...base, outcome: 'failed', reason, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
  }
  const claims = composeClaims(perSnapshot);
  const source: Source = { url, retrievedAt: toIso(knownAt), note: `re-parsed from ${read.length} stored snapshot(s) of this page` };
  const reason = failures.length ? `re-parse; ${failures.length} snapshot(s) no longer parse and keep what they taught` : 're-parse';
  let summary!: RunSummary;
  await db.transaction(async (tx) => {
    const runId = await recordRunRow(tx, { ...base, startedAt, outcome: 'running', reason, observations, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    const r = await applyPage(tx, {
      runId,
      scraper,
      url,
      snapshot: null,
      scope: pageScope(undefined, [...currencies]),
      claims,
      observedAt: perSnapshot[0].at,
      seenAt: knownAt,
      starts: new Map(),
      untouched: new Set(),
      partial: false,
      knownAt,
      source,
      emitEvents: false,
      createdModels: new Set(),
      horizon: false,
      keep: (k) => keptSpans(perSnapshot, k, everObserved),
    });
    if (r.added || r.superseded) await bumpDataVersion(tx);
    await finishRunRow(tx, runId, { outcome: 'ok', reason, factsAdded: r.added, factsSuperseded: r.superseded, changes: r.records.length });
    summary = { runId, ...base, outcome: 'ok', reason, observations, factsAdded: r.added, factsSuperseded: r.superseded, changes: r.records };
  });
  return summary;
}
