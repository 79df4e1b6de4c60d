// The timeline held in memory, per data version: every fact of every series (superseded ones too,
// so any knowledge time can be answered), grouped by model and series and sorted in the order of
// the in-force rule. Price-at, diffs and quotes read it without SQL on the hot path; the SQL path
// (`queries.ts`) stays the reference, and a property test holds the two together.
import type { Db } from '../db/client.ts';
import { FACT_COLUMNS_PACKED, unpackFactRows, type FactRow } from './rows.ts';
import { knownAt } from './series-state.ts';

interface IndexedFact {
  row: FactRow;
  validFrom: number;
  validTo: number | null;
  recordedAt: number;
  supersededAt: number | null;
  id: number;
}

interface IndexedSeries {
  currency: string;
  /** Ascending (validFrom, recordedAt, id): the in-force fact is the last eligible one. */
  facts: IndexedFact[];
}

export class TimelineIndex {
  private constructor(
    readonly version: string,
    private readonly byModel: Map<string, IndexedSeries[]>,
    readonly factCount: number,
  ) {}

  static async load(db: Db): Promise<TimelineIndex> {
    const client = (db as Db & { $client: import('@libsql/client').Client }).$client;
    // One read transaction, so the version and the facts belong together.
    const tx = await client.transaction('read');
    let version: string;
    let rows: Array<{ sid: number; packed: string }>;
    try {
      const v = await tx.execute(`SELECT value FROM meta WHERE key = 'data_version'`);
      version = v.rows[0] ? String(v.rows[0].value) : '0';
      const r = await tx.execute(`SELECT f.series_id AS sid, ${FACT_COLUMNS_PACKED} FROM facts f JOIN series s ON s.id = f.series_id
        ORDER BY f.series_id, f.valid_from, f.recorded_at, f.id`);
      rows = r.rows as unknown as Array<{ sid: number; packed: string }>;
    } finally {
      tx.close();
    }
    const facts = unpackFactRows(rows);
    const bySeries = new Map<number, IndexedSeries>();
    const byModel = new Map<string, IndexedSeries[]>();
    facts.forEach((row, i) => {
      const sid = Number(rows[i].sid);
      let s = bySeries.get(sid);
      if (!s) {
        s = { currency: row.currency, facts: [] };
        bySeries.set(sid, s);
        const list = byModel.get(row.model);
        if (list) list.push(s);
        else byModel.set(row.model, [s]);
      }
      s.facts.push({
        row,
        validFrom: Number(row.valid_from),
        validTo: row.valid_to === null ? null : Number(row.valid_to),
        recordedAt: Number(row.recorded_at),
        supersededAt: row.superseded_at === null ? null : Number(row.superseded_at),
        id: Number(row.id),
      });
    });
    return new TimelineIndex(version, byModel, facts.length);
  }

  hasModel(model: string): boolean {
    return this.byModel.has(model);
  }

  /** The same answer as the SQL `effectiveRows`: per series, the fact in force at `at` as known at `asOf`. */
  effectiveRows(models: readonly string[] | null, at: number, asOf: number, currency?: string): FactRow[] {
    const out: FactRow[] = [];
    for (const list of this.seriesOf(models)) {
      for (const s of list) {
        if (currency && s.currency !== currency) continue;
        const f = inForceSorted(s.facts, at, asOf);
        if (f) out.push(f.row);
      }
    }
    return out;
  }

  /** Every fact of the models known at `asOf` (history, changes). */
  liveRows(models: readonly string[] | null, asOf: number, currency?: string): FactRow[] {
    const out: FactRow[] = [];
    for (const list of this.seriesOf(models)) {
      for (const s of list) {
        if (currency && s.currency !== currency) continue;
        for (const f of s.facts) if (knownAt(f, asOf)) out.push(f.row);
      }
    }
    return out;
  }

  private *seriesOf(models: readonly string[] | null): Iterable<IndexedSeries[]> {
    if (models === null) yield* this.byModel.values();
    else
      for (const m of models) {
        const list = this.byModel.get(m);
        if (list) yield list;
      }
  }
}

/**
 * The in-force rule of `series-state.ts` over facts sorted by (validFrom, recordedAt, id): walking
 * back from the end, the first fact that started by `at` and was known at `asOf` is the greatest.
 */
function inForceSorted(facts: IndexedFact[], at: number, asOf: number): IndexedFact | null {
  for (let i = facts.length - 1; i >= 0; i--) {
    const f = facts[i];
    if (f.validFrom > at || !knownAt(f, asOf)) continue;
    return f.validTo === null || f.validTo > at ? f : null;
  }
  return null;
}

/**
 * Holds the index of the current data version: rebuilt when the version moves, one build in flight
 * at a time. Readers wait for the build rather than read the old version, because answers are
 * cached under the version they were asked at.
 */
export class TimelineIndexHolder {
  private index: TimelineIndex | null = null;
  private building: Promise<TimelineIndex> | null = null;

  constructor(
    private readonly db: Db,
    /** The current data version (e.g. the API's VersionWatcher, which reads it at most once a second). */
    private readonly version: () => Promise<string> | string,
  ) {}

  async get(): Promise<TimelineIndex> {
    const v = await this.version();
    if (this.index && this.index.version === v) return this.index;
    this.building ??= TimelineIndex.load(this.db).then(
      (ix) => {
        this.index = ix;
        this.building = null;
        return ix;
      },
      (e: unknown) => {
        this.building = null;
        throw e;
      },
    );
    return this.building;
  }
}
