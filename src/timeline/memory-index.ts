// The timeline held in memory, per data version: every fact of every series (superseded ones too,
// so any knowledge time can be answered), grouped by model and series and sorted in the order of
// the in-force rule. Price-at, diffs and quotes read it without SQL on the hot path; the SQL path
// (`queries.ts`) stays the reference, and a property test holds the two together.
//
// It is attached to a database handle (`attachTimelineIndex`); `effectiveRows` in queries.ts then
// answers from it. Handles without one (transactions, the CLI, tests of the SQL path) use SQL.
import type { Db } from '../db/client.ts';
import { FACT_COLUMNS_PACKED, unpackFactRows, type FactRow } from './rows.ts';
import { knownAt } from './series-state.ts';
import { dataVersion } from './write.ts';

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
  /** The series answers for its line: no better-ranked source has a series for it (OWNS_LINE_SQL). */
  owns: boolean;
  /** Ascending (validFrom, recordedAt, id): the in-force fact is the last eligible one. */
  facts: IndexedFact[];
}

/** Series (and their facts) read per slice of a build; a slice is a few ms of work. */
const SERIES_PER_SLICE = 500;
const PRECEDENCE_SLICE = 5_000;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An alias row (the aliases table), instants in ms. */
interface IndexedAlias {
  model: string;
  validFrom: number | null;
  validTo: number | null;
}

export class TimelineIndex {
  private constructor(
    readonly version: string,
    private readonly byModel: Map<string, IndexedSeries[]>,
    readonly factCount: number,
    /** Every model id (with or without facts), for the resolver. */
    private readonly modelIds: ReadonlySet<string> = new Set(),
    /** Alias → its rows in (alias, model) order, as the table's primary key reads them. */
    private readonly aliasRows: ReadonlyMap<string, IndexedAlias[]> = new Map(),
    /** Model → the currencies of its series (with or without facts), sorted. */
    private readonly seriesCurrencies: ReadonlyMap<string, string[]> = new Map(),
  ) {}

  /** Answers computed once for this data version (a model's record…): they die with the index. */
  private readonly memo = new Map<string, Promise<unknown>>();

  static async load(db: Db): Promise<TimelineIndex> {
    const client = (db as Db & { $client: import('@libsql/client').Client }).$client;
    const bySeries = new Map<number, IndexedSeries>();
    const byModel = new Map<string, IndexedSeries[]>();
    const series: Array<{ id: number; line: string; rank: number }> = [];
    let version: string;
    let factCount = 0;
    const modelIds = new Set<string>();
    const aliasRows = new Map<string, IndexedAlias[]>();
    const currenciesOf = new Map<string, Set<string>>();
    // One read transaction, so the version and the facts belong together. Every step is a slice
    // followed by a yield: a rebuild (after each write's data version, e.g. each batch of an ingest)
    // never holds the event loop for long, however large the timeline.
    const tx = await client.transaction('read');
    try {
      for (const r of (await tx.execute('SELECT id FROM models')).rows) modelIds.add(String(r.id));
      const ar = await tx.execute('SELECT alias, model, valid_from, valid_to FROM aliases ORDER BY alias, model');
      for (const r of ar.rows) {
        const list = aliasRows.get(String(r.alias)) ?? [];
        list.push({ model: String(r.model), validFrom: r.valid_from === null ? null : Number(r.valid_from), validTo: r.valid_to === null ? null : Number(r.valid_to) });
        aliasRows.set(String(r.alias), list);
      }
      await yieldToLoop();
      const v = await tx.execute(`SELECT value FROM meta WHERE key = 'data_version'`);
      version = v.rows[0] ? String(v.rows[0].value) : '0';
      const maxSid = Number((await tx.execute('SELECT coalesce(max(id), 0) AS m FROM series')).rows[0].m);
      for (let lo = 1; lo <= maxSid; lo += SERIES_PER_SLICE) {
        // Every series, with or without facts: precedence counts a series as SQL does.
        const sr = await tx.execute({
          sql: `SELECT id, model, currency, model || char(1) || component || char(1) || currency || char(1) || unit || char(1) || conditions AS line, origin_rank AS rank
            FROM series WHERE id >= ? AND id < ?`,
          args: [lo, lo + SERIES_PER_SLICE],
        });
        for (const r of sr.rows as unknown as Array<{ id: number; model: string; currency: string; line: string; rank: number }>) {
          series.push(r);
          const set = currenciesOf.get(String(r.model));
          if (set) set.add(String(r.currency));
          else currenciesOf.set(String(r.model), new Set([String(r.currency)]));
        }
        const r = await tx.execute({
          sql: `SELECT f.series_id AS sid, ${FACT_COLUMNS_PACKED} FROM facts f JOIN series s ON s.id = f.series_id
            WHERE f.series_id >= ? AND f.series_id < ? ORDER BY f.series_id, f.valid_from, f.recorded_at, f.id`,
          args: [lo, lo + SERIES_PER_SLICE],
        });
        const rows = r.rows as unknown as Array<{ sid: number; packed: string }>;
        unpackFactRows(rows).forEach((row, i) => {
          const sid = Number(rows[i].sid);
          let s = bySeries.get(sid);
          if (!s) {
            s = { currency: row.currency, owns: true, facts: [] };
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
        factCount += rows.length;
        await yieldToLoop();
      }
    } finally {
      tx.close();
    }
    // Precedence, as OWNS_LINE_SQL: per line (model, component, currency, unit, conditions) only
    // the series of the best-ranked origin answer.
    const best = new Map<string, number>();
    for (let i = 0; i < series.length; i += PRECEDENCE_SLICE) {
      for (const r of series.slice(i, i + PRECEDENCE_SLICE)) best.set(String(r.line), Math.min(best.get(String(r.line)) ?? Infinity, Number(r.rank)));
      await yieldToLoop();
    }
    for (let i = 0; i < series.length; i += PRECEDENCE_SLICE) {
      for (const r of series.slice(i, i + PRECEDENCE_SLICE)) {
        const s = bySeries.get(Number(r.id));
        if (s) s.owns = Number(r.rank) === best.get(String(r.line));
      }
      await yieldToLoop();
    }
    // Each model's currencies in code order (as the SQL path lists them).
    const seriesCurrencies = new Map<string, string[]>();
    for (const [model, set] of currenciesOf) seriesCurrencies.set(model, [...set].sort());
    return new TimelineIndex(version, byModel, factCount, modelIds, aliasRows, seriesCurrencies);
  }

  hasModel(model: string): boolean {
    return this.byModel.has(model);
  }

  /** A row of the models table has this id (prices or not). */
  isModel(id: string): boolean {
    return this.modelIds.has(id);
  }

  /** The model an alias names at `at`, as resolveModel's SQL: the latest validFrom in force (NULL first-known, lowest). */
  aliasAt(alias: string, at: number): string | null {
    let best: IndexedAlias | null = null;
    for (const a of this.aliasRows.get(alias) ?? []) {
      if ((a.validFrom !== null && a.validFrom > at) || (a.validTo !== null && a.validTo <= at)) continue;
      if (best === null || (a.validFrom ?? -Infinity) > (best.validFrom ?? -Infinity)) best = a;
    }
    return best?.model ?? null;
  }

  /** The alias names a model at some instant. */
  isAlias(alias: string): boolean {
    return this.aliasRows.has(alias);
  }

  /** The currencies of a model's series, sorted (knownCurrencies). */
  currencies(model: string): string[] {
    return [...(this.seriesCurrencies.get(model) ?? [])];
  }

  /**
   * Every instant a name's answer may change at, sorted: the validFrom and validTo of every fact
   * (superseded too) of the model it is and the models it aliases, and the alias's own bounds.
   * Computed once per name for this data version; the array must not be mutated.
   */
  changeInstants(name: string): number[] {
    let v = this.instants.get(name);
    if (!v) {
      if (this.instants.size >= 50_000) this.instants.clear();
      this.instants.set(name, (v = this.computeChangeInstants(name)));
    }
    return v;
  }

  private readonly instants = new Map<string, number[]>();

  private computeChangeInstants(name: string): number[] {
    const aliases = this.aliasRows.get(name) ?? [];
    const out = new Set<number>();
    for (const m of new Set([name, ...aliases.map((a) => a.model)]))
      for (const s of this.byModel.get(m) ?? [])
        for (const f of s.facts) {
          out.add(f.validFrom);
          if (f.validTo !== null) out.add(f.validTo);
        }
    for (const a of aliases) {
      if (a.validFrom !== null) out.add(a.validFrom);
      if (a.validTo !== null) out.add(a.validTo);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** `compute()` once per key for this data version (a failure is not kept). */
  remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let v = this.memo.get(key) as Promise<T> | undefined;
    if (!v) {
      if (this.memo.size >= 50_000) this.memo.clear();
      this.memo.set(key, (v = compute()));
      v.catch(() => this.memo.delete(key));
    }
    return v;
  }

  /**
   * The same answer as the SQL `effectiveRows`: per series that owns its line (every series with
   * `everySource`), the fact in force at `at` as known at `asOf`.
   */
  effectiveRows(models: readonly string[] | null, at: number, asOf: number, currency?: string, everySource = false): FactRow[] {
    const out: FactRow[] = [];
    for (const list of this.seriesOf(models)) {
      for (const s of list) {
        if ((currency && s.currency !== currency) || (!everySource && !s.owns)) continue;
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

  /** Every fact recorded by `asOf` of the series that own their line, superseded ones too (the change feed). */
  recordedRows(models: readonly string[] | null, asOf: number, currency?: string): FactRow[] {
    const out: FactRow[] = [];
    for (const list of this.seriesOf(models)) {
      for (const s of list) {
        if ((currency && s.currency !== currency) || !s.owns) continue;
        for (const f of s.facts) if (f.recordedAt <= asOf) out.push(f.row);
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
  /** The version() reading the index was built after (a constant version: built once). */
  private builtFor: string | null = null;
  private building: Promise<TimelineIndex> | null = null;
  /** When the last build ended and how long it took (performance.now() ms). */
  private lastBuild = { endedAt: -Infinity, ms: 0 };

  constructor(
    private readonly db: Db,
    /**
     * The current data version: by default read on every call (one row), so a write is seen at
     * once. A handle that is never written (the library's snapshot) passes a constant.
     */
    private readonly version: () => Promise<string> | string = () => dataVersion(db),
  ) {}

  async get(): Promise<TimelineIndex> {
    const v = await this.version();
    if (this.index && this.builtFor === v) return this.index;
    this.building ??= this.rested()
      .then(() => {
        const t0 = performance.now();
        return TimelineIndex.load(this.db).finally(() => (this.lastBuild = { endedAt: performance.now(), ms: performance.now() - t0 }));
      })
      .then(
        (ix) => {
          this.index = ix;
          this.builtFor = v;
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

  /**
   * A build starts no sooner than its predecessor's duration after it ended: while writes come in
   * faster than a build (each batch of an ingest moves the version), rebuilding takes at most half
   * of the process's time instead of all of it. Readers wait meanwhile (as for any build).
   */
  private rested(): Promise<void> {
    const wait = this.lastBuild.endedAt + this.lastBuild.ms - performance.now();
    return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
  }
}

const attached = new WeakMap<object, TimelineIndexHolder>();

/** Answer this handle's price-at reads from an index of the current data version. */
export function attachTimelineIndex(db: Db, holder = new TimelineIndexHolder(db)): TimelineIndexHolder {
  attached.set(db, holder);
  return holder;
}

/** The index of the current data version for this handle, or null when none is attached. */
export function timelineIndexOf(db: object): Promise<TimelineIndex> | null {
  return attached.get(db)?.get() ?? null;
}
