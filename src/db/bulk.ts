// Bulk writes: many rows a statement as bound parameters (INSERT … VALUES (…), (…), …). Against
// one JSON parameter read with json_each, this skips SQLite re-parsing each row's JSON for every
// column; against a statement a row, it skips a prepare and a round through the client per row.
import type { InStatement, ResultSet } from '@libsql/client';
import type { Db } from './client.ts';

type Tx = Pick<Db, 'run'>;

/** SQLite allows 32,766 bound parameters a statement; statements of ≤ 500 rows measured fastest. */
const MAX_PARAMS = 30_000;
const MAX_ROWS = 500;

type Value = string | number | null;

/**
 * The libsql executor under a drizzle database or transaction (drizzle keeps it as `session.tx` /
 * `session.client`): binding 10⁵ parameters through drizzle's SQL builder costs more than the
 * insert itself.
 */
function executor(tx: Tx): (stmt: InStatement) => Promise<ResultSet> {
  const s = (tx as { session?: { tx?: { execute?: unknown }; client?: { execute?: unknown } } }).session;
  const target = s?.tx ?? s?.client;
  if (!target || typeof target.execute !== 'function') throw new Error('insertValues: no libsql client under this drizzle database');
  return (stmt) => (target.execute as (st: InStatement) => Promise<ResultSet>)(stmt);
}

/**
 * Runs `${head} VALUES (row), (row)… ${tail}` over `rows` (all of one width), in as few statements
 * as the parameter limit allows. Returns the rows affected.
 */
export async function insertValues(tx: Tx, head: string, rows: ReadonlyArray<ReadonlyArray<Value>>, tail = ''): Promise<number> {
  if (rows.length === 0) return 0;
  const width = rows[0].length;
  const per = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / width)));
  const one = `(${Array(width).fill('?').join(', ')})`;
  const exec = executor(tx);
  let affected = 0;
  let fullText: string | null = null;
  for (let i = 0; i < rows.length; i += per) {
    const n = Math.min(per, rows.length - i);
    const text = n === per ? (fullText ??= `${head} VALUES ${Array(per).fill(one).join(', ')} ${tail}`) : `${head} VALUES ${Array(n).fill(one).join(', ')} ${tail}`;
    const args: Value[] = new Array(n * width);
    for (let r = 0; r < n; r++) {
      const row = rows[i + r];
      if (row.length !== width) throw new Error(`insertValues: row ${i + r} has ${row.length} values, expected ${width}`);
      for (let c = 0; c < width; c++) args[r * width + c] = row[c];
    }
    affected += (await exec({ sql: text, args })).rowsAffected;
  }
  return affected;
}
