// Import's fact writes, set-based: a provider file's facts are staged in a temp table (one JSON
// parameter per chunk, read with json_each), then series, matching, supersession, inserts and the
// overlap check each run as one statement over the whole file.
//
// Reconcile rule (docs/decisions.md): the file is the provider's statement of every fact.
// - A file fact already in the database (same identity) is kept and its sourcing brought up to date.
// - A live file fact the database holds with the same series, amount and valid time but learned
//   later (recordedAt later, from an earlier edit-import) is the same statement: nothing is added.
// - A fact of the provider that the database holds live and the file no longer states is superseded
//   at the import instant, never deleted — unless it was recorded after everything the file knows
//   (news the file could not have said, e.g. a scrape since the last export).
// - A new live fact that replaces one superseded now is known from the import instant: before it
//   the database answered with the old fact, and two facts of a series must never be live at the
//   same (valid time, knowledge time).
// - Then, before commit, any such overlap among the series touched refuses the import.
import { sql } from 'drizzle-orm';
import { conditionsKey } from '../conditions.ts';
import { originRank } from '../catalog/precedence.ts';
import { DataError } from '../errors.ts';
import { toIso } from '../time.ts';
import { insertValues } from '../db/bulk.ts';
import { FACT_UPSERT, FACT_UPSERT_SQL, first, keyOfFact, type NewFact, type Tx } from '../timeline/write.ts';

const FOREVER = '9223372036854775807';

const STAGE_COLUMNS = [
  'series_id', 'amount', 'valid_from', 'valid_to', 'announced_at', 'recorded_at', 'superseded_at', 'prior_unknown', 'free',
  'detected_between', 'sources', 'confidence', 'fact_key', 'last_confirmed_at', 'n',
] as const;

/** A fact's row of facts, in FACT_COLUMNS order (staged, `n` = its index in the file follows). */
function factRow(f: NewFact, seriesId: number): Array<string | number | null> {
  return [
    seriesId, f.amount, f.validFrom, f.validTo, f.announcedAt ?? null, f.recordedAt, f.supersededAt ?? null, f.priorUnknown ? 1 : 0, f.free ? 1 : 0,
    f.detectedBetween ? JSON.stringify(f.detectedBetween) : null, JSON.stringify(f.sources), f.confidence, keyOfFact(f), f.lastConfirmedAt ?? null,
  ];
}

/** Typed like facts: bound JS numbers arrive as REAL, and only a column's affinity makes them integers. */
const TEXT_COLUMNS = new Set(['amount', 'detected_between', 'sources', 'confidence', 'fact_key']);
const STAGE_TABLE = STAGE_COLUMNS.map((c) => `${c} ${TEXT_COLUMNS.has(c) ? 'TEXT' : 'INTEGER'}`).join(', ');

/** The facts columns a file's fact fills (STAGE_COLUMNS without `n`; run_id stays NULL). */
const FACT_COLUMNS = STAGE_COLUMNS.slice(0, -1).join(', ');

/** A series is a price line of one origin ('' = the provider's own pages, else the catalog stating it). */
const SERIES_COLUMNS = ['model', 'component', 'currency', 'unit', 'conditions', 'kind', 'origin', 'origin_rank'] as const;
type SeriesRow = Record<(typeof SERIES_COLUMNS)[number], string>;
const seriesKey = (s: Omit<SeriesRow, 'origin_rank'>) => `${s.model}\u0000${s.component}\u0000${s.currency}\u0000${s.unit}\u0000${s.conditions}\u0000${s.kind}\u0000${s.origin}`;

/** The series id of every fact, creating the series that are new: two statements for the whole file. */
async function seriesIds(tx: Tx, facts: NewFact[]): Promise<number[]> {
  const keys: string[] = [];
  const distinct = new Map<string, ReadonlyArray<string | number>>();
  for (const f of facts) {
    const row = [f.model, f.component, f.currency, f.unit, conditionsKey(f.conditions), f.kind, f.origin ?? '', originRank(f.origin)] as const;
    const k = seriesKey({ model: row[0], component: row[1], currency: row[2], unit: row[3], conditions: row[4], kind: row[5], origin: row[6] });
    keys.push(k);
    if (!distinct.has(k)) distinct.set(k, row);
  }
  const cols = SERIES_COLUMNS.join(', ');
  await insertValues(tx, `INSERT INTO series (${cols})`, [...distinct.values()], 'ON CONFLICT DO NOTHING');
  const models = JSON.stringify([...new Set(facts.map((f) => f.model))]);
  // One JSON value back instead of a row per series: the client builds rows column by column.
  const packed = await tx.all<{ j: string | null }>(sql`SELECT json_group_array(json_array(id, ${sql.raw(cols)})) AS j
    FROM series WHERE model IN (SELECT value FROM json_each(${models}))`);
  const ids = new Map<string, number>();
  for (const [id, model, component, currency, unit, conditions, kind, origin] of JSON.parse(packed[0]?.j ?? '[]') as Array<[number, ...string[]]>)
    ids.set(seriesKey({ model, component, currency, unit, conditions, kind, origin }), Number(id));
  return keys.map((k) => ids.get(k)!);
}

const rowsAffected = (r: unknown) => Number((r as { rowsAffected?: number }).rowsAffected ?? 0);

/**
 * Whether the database holds no fact of the provider nor of the file's models: then every rule
 * below is vacuous (nothing to match, supersede or overlap with), and the facts go straight in.
 */
async function nothingToReconcile(tx: Tx, provider: string, facts: NewFact[]): Promise<boolean> {
  const models = JSON.stringify([...new Set(facts.map((f) => f.model))]);
  return !(await first(tx, sql`SELECT 1 AS one FROM facts f JOIN series s ON s.id = f.series_id
    WHERE s.model IN (SELECT id FROM models WHERE provider = ${provider} UNION SELECT value FROM json_each(${models})) LIMIT 1`));
}

/** Reconciles the provider's facts in the database against the file's; returns what changed. */
export async function reconcileFacts(
  tx: Tx,
  provider: string,
  facts: NewFact[],
  now: number,
  opts: { factIndexesDeferred?: boolean } = {},
): Promise<{ added: number; superseded: number }> {
  // Indexes deferred: the facts table was empty when the import began (see importDatasets).
  const empty = opts.factIndexesDeferred || (await nothingToReconcile(tx, provider, facts));
  const series = await seriesIds(tx, facts);
  const rows = facts.map((f, i) => factRow(f, series[i]));
  if (empty) {
    // A first import of this provider (a fresh seed): every fact is new. Pairs within the file were
    // checked for overlaps before the transaction (checkNoOverlap); there is nothing else to meet.
    await insertValues(tx, `INSERT INTO facts (${FACT_COLUMNS})`, rows, opts.factIndexesDeferred ? '' : FACT_UPSERT_SQL);
    return { added: facts.length, superseded: 0 };
  }
  await tx.run(sql.raw(`CREATE TEMP TABLE IF NOT EXISTS import_facts (${STAGE_TABLE}, fact_id INTEGER, match TEXT)`));
  await tx.run(sql`DELETE FROM import_facts`);
  rows.forEach((r, i) => r.push(i));
  await insertValues(tx, `INSERT INTO import_facts (${STAGE_COLUMNS.join(', ')})`, rows);
  // The latest knowledge the file has: facts recorded after it are news it could not state.
  let horizon = -Infinity;
  for (const f of facts) horizon = Math.max(horizon, f.recordedAt, f.supersededAt ?? -Infinity);

  await tx.run(sql`UPDATE import_facts SET fact_id = (SELECT f.id FROM facts f WHERE f.fact_key = import_facts.fact_key)`);
  await tx.run(sql`UPDATE import_facts SET match = 'key' WHERE fact_id IS NOT NULL`);
  await tx.run(sql`UPDATE import_facts SET fact_id = (SELECT f.id FROM facts f WHERE f.series_id = import_facts.series_id
      AND f.valid_from = import_facts.valid_from AND f.valid_to IS import_facts.valid_to AND f.amount = import_facts.amount
      AND f.recorded_at > import_facts.recorded_at AND (f.superseded_at IS NULL OR f.superseded_at > ${now})
      ORDER BY f.recorded_at LIMIT 1)
    WHERE fact_id IS NULL AND superseded_at IS NULL`);
  await tx.run(sql`UPDATE import_facts SET match = 'same' WHERE fact_id IS NOT NULL AND match IS NULL`);

  const superseded = Number.isFinite(horizon)
    ? rowsAffected(
        await tx.run(sql`UPDATE facts SET superseded_at = ${now}
          WHERE series_id IN (SELECT s.id FROM series s JOIN models m ON m.id = s.model WHERE m.provider = ${provider})
            AND (superseded_at IS NULL OR superseded_at > ${now}) AND recorded_at < ${now} AND recorded_at <= ${horizon}
            AND id NOT IN (SELECT fact_id FROM import_facts WHERE fact_id IS NOT NULL)`),
      )
    : 0;

  if (superseded > 0) {
    // New live facts replacing what was superseded now are known from now (see the rule above).
    const replacing = await tx.all<{ n: number }>(sql`SELECT i.n FROM import_facts i
      WHERE i.fact_id IS NULL AND i.superseded_at IS NULL AND i.recorded_at < ${now} AND EXISTS (
        SELECT 1 FROM facts g WHERE g.series_id = i.series_id AND g.superseded_at = ${now}
          AND g.valid_from < COALESCE(i.valid_to, ${sql.raw(FOREVER)}) AND i.valid_from < COALESCE(g.valid_to, ${sql.raw(FOREVER)}))`);
    for (const { n } of replacing) {
      const moved = { ...facts[Number(n)], recordedAt: now };
      await tx.run(sql`UPDATE import_facts SET recorded_at = ${now}, fact_key = ${keyOfFact(moved)} WHERE n = ${n}`);
    }
  }

  const added = Number((await tx.all<{ c: number }>(sql`SELECT count(*) AS c FROM import_facts WHERE match IS NULL`))[0].c);
  await tx.run(sql`INSERT INTO facts (series_id, amount, valid_from, valid_to, announced_at, recorded_at, superseded_at,
      prior_unknown, free, detected_between, sources, confidence, fact_key, run_id, last_confirmed_at)
    SELECT series_id, amount, valid_from, valid_to, announced_at, recorded_at, superseded_at,
      prior_unknown, free, detected_between, sources, confidence, fact_key, NULL, last_confirmed_at
    FROM import_facts WHERE match IS NOT 'same'
    ${FACT_UPSERT}`);

  await checkOverlaps(tx, provider);
  await tx.run(sql`DELETE FROM import_facts`);
  return { added, superseded };
}

/**
 * Refuses the import when two facts of a series the file touches are live at one (valid time,
 * knowledge time). Pairs within the file were checked before the transaction (checkNoOverlap), so
 * only the file's facts against the other facts of their series are looked at here.
 */
async function checkOverlaps(tx: Tx, provider: string): Promise<void> {
  await tx.run(sql`UPDATE import_facts SET fact_id = (SELECT f.id FROM facts f WHERE f.fact_key = import_facts.fact_key) WHERE match IS NOT 'same'`);
  await tx.run(sql`CREATE INDEX IF NOT EXISTS temp.import_facts_series ON import_facts (series_id)`);
  const clash = await tx.all<{ model: string; component: string; currency: string; unit: string; conditions: string; kind: string; t: number; k: number }>(sql`
    WITH staged AS (SELECT series_id, count(*) AS n FROM import_facts GROUP BY series_id),
      -- Series holding facts the file does not state (a fresh import has none: nothing to scan).
      mixed AS (SELECT series_id FROM staged WHERE (SELECT count(*) FROM facts f WHERE f.series_id = staged.series_id) > staged.n)
    SELECT s.model, s.component, s.currency, s.unit, s.conditions, s.kind, max(a.valid_from, b.valid_from) AS t, max(a.recorded_at, b.recorded_at) AS k
    FROM mixed
    JOIN facts b ON b.series_id = mixed.series_id
    JOIN import_facts i ON i.series_id = b.series_id
    JOIN facts a ON a.id = i.fact_id
    JOIN series s ON s.id = b.series_id
    WHERE b.id NOT IN (SELECT fact_id FROM import_facts WHERE fact_id IS NOT NULL)
      AND b.valid_from < COALESCE(a.valid_to, ${sql.raw(FOREVER)}) AND a.valid_from < COALESCE(b.valid_to, ${sql.raw(FOREVER)})
      AND b.recorded_at < COALESCE(a.superseded_at, ${sql.raw(FOREVER)}) AND a.recorded_at < COALESCE(b.superseded_at, ${sql.raw(FOREVER)})
    LIMIT 1`);
  const c = clash[0];
  if (c) {
    const cond = c.conditions === '{}' ? '' : ` ${c.conditions}`;
    throw new DataError(
      `${provider}.json: two facts of series ${c.model} ${c.component} ${c.currency} per ${c.unit}${cond} (${c.kind}) would both be live at ${toIso(Number(c.t))} as known at ${toIso(Number(c.k))}; import refused, nothing written`,
      { file: `${provider}.json` },
    );
  }
}
