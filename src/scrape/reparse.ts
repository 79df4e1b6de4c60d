// Re-parse: after a parser fix, run today's parser over every stored snapshot a page was accepted
// from, and correct the timeline in one pass. Each snapshot speaks for valid time from its first
// observation until the next one's; the correction is learned now, so it supersedes (knowledge
// time = now) and deletes nothing. Unchanged results write nothing.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { ParseResult, type Source } from '../model.ts';
import type { Scraper } from './contract.ts';
import { sameAmount } from '../decimal.ts';
import { toIso } from '../time.ts';
import type { Segment } from './reconcile.ts';
import { getSnapshot } from './snapshots.ts';
import { claimsFromObservations, reconcileScope, recordRunRow, type RunSummary } from './pipeline.ts';
import { bumpDataVersion } from '../timeline/write.ts';

/** Later snapshots win from their own observation on; adjacent equal segments are joined. */
export function composeClaims(perSnapshot: Array<{ at: number; claims: Map<string, Segment[]> }>): Map<string, Segment[]> {
  const out = new Map<string, Segment[]>();
  const keys = new Set(perSnapshot.flatMap((s) => [...s.claims.keys()]));
  for (const key of keys) {
    const segs: Segment[] = [];
    perSnapshot.forEach((snap, k) => {
      const lo = k === 0 ? -Infinity : snap.at;
      const hi = k + 1 < perSnapshot.length ? perSnapshot[k + 1].at : Infinity;
      for (const s of snap.claims.get(key) ?? []) {
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

export async function reparsePage(database: Database, scraper: Scraper, url: string, knownAt = Date.now()): Promise<RunSummary> {
  const db = database.db;
  const startedAt = Date.now();
  // The pages this URL was accepted from, in the order their claims took effect.
  const snaps = await db.all<{ sha256: string; fetched_at: number }>(sql`
    SELECT r.snapshot AS sha256, r.effective_from AS fetched_at FROM scrape_runs r
    WHERE r.url = ${url} AND r.outcome = 'ok' AND r.snapshot IS NOT NULL AND r.effective_from IS NOT NULL
    ORDER BY r.effective_from, r.id`);
  const page = scraper.pages.find((p) => p.url === url);
  const perSnapshot: Array<{ at: number; claims: Map<string, Segment[]> }> = [];
  const failures: string[] = [];
  const currencies = new Set<string>(page?.currency ? [page.currency] : []);
  let observations = 0;
  for (const s of snaps) {
    const body = await getSnapshot(db, s.sha256);
    if (!body) continue;
    const at = Number(s.fetched_at);
    try {
      const parsed = ParseResult.parse(scraper.parse(body.toString('utf8'), { url, observedAt: toIso(at) }));
      observations += parsed.observations.length;
      if (!page?.currency) for (const o of parsed.observations) currencies.add(o.currency);
      perSnapshot.push({ at, claims: claimsFromObservations(parsed.observations, at) });
    } catch (e) {
      // A snapshot today's parser refuses keeps what it taught before: it is left out.
      failures.push(`${s.sha256.slice(0, 12)} @ ${toIso(at)}: ${(e as Error).message}`);
    }
  }
  const base = { provider: scraper.id, url, snapshot: null };
  if (perSnapshot.length === 0) {
    const reason = snaps.length ? `no stored snapshot parses: ${failures[0]}` : 'no accepted snapshots stored';
    const runId = await recordRunRow(db, { ...base, startedAt, outcome: 'failed', reason, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: 0 });
    return { runId, ...base, outcome: 'failed', reason, observations: 0, factsAdded: 0, factsSuperseded: 0, changes: [] };
  }
  const claims = composeClaims(perSnapshot);
  const source: Source = { url, retrievedAt: toIso(knownAt), note: `re-parsed from ${perSnapshot.length} stored snapshot(s) of this page` };
  const reason = failures.length ? `re-parse; ${failures.length} snapshot(s) no longer parse and were left out` : 're-parse';
  let summary!: RunSummary;
  await db.transaction(async (tx) => {
    const r = await reconcileScope(tx, {
      scraper,
      currencies: [...currencies],
      claims,
      effectiveFrom: perSnapshot[0].at,
      knownAt,
      previousObservation: null,
      firstObservation: false,
      source,
      emitEvents: false,
      createdModels: new Set(),
    });
    if (r.added || r.superseded) await bumpDataVersion(tx);
    const runId = await recordRunRow(tx, { ...base, startedAt, outcome: 'ok', reason, observations, factsAdded: r.added, factsSuperseded: r.superseded, changes: r.records.length });
    summary = { runId, ...base, outcome: 'ok', reason, observations, factsAdded: r.added, factsSuperseded: r.superseded, changes: r.records };
  });
  return summary;
}
