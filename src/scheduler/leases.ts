// Leases in the database (table `leases`): whoever inserts the row, or finds it expired, holds it.
// Several instances on one database agree through them without talking to each other.
import { sql } from 'drizzle-orm';
import type { Tx } from '../timeline/write.ts';

/**
 * Takes `name` for `holder` until `until`, unless someone else holds an unexpired lease on it.
 * One statement (INSERT … ON CONFLICT DO UPDATE … WHERE expired), so two instances racing for the
 * same name cannot both win.
 */
export async function acquireLease(tx: Tx, name: string, holder: string, now: number, until: number): Promise<boolean> {
  const rows = await tx.all<{ holder: string }>(sql`INSERT INTO leases (name, holder, expires_at) VALUES (${name}, ${holder}, ${until})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE leases.expires_at < ${now}
    RETURNING holder`);
  return rows.length === 1 && rows[0].holder === holder;
}

/** Moves the expiry of a lease we hold (e.g. to keep a finished slot marked done). */
export async function extendLease(tx: Tx, name: string, holder: string, until: number): Promise<boolean> {
  const rows = await tx.all<{ name: string }>(sql`UPDATE leases SET expires_at = ${until} WHERE name = ${name} AND holder = ${holder} RETURNING name`);
  return rows.length === 1;
}

export async function releaseLease(tx: Tx, name: string, holder: string): Promise<void> {
  await tx.run(sql`DELETE FROM leases WHERE name = ${name} AND holder = ${holder}`);
}

/** Sets a row no one holds (a marker with an expiry), replacing any previous value. */
export async function putMarker(tx: Tx, name: string, until: number): Promise<void> {
  await tx.run(sql`INSERT INTO leases (name, holder, expires_at) VALUES (${name}, 'marker', ${until})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`);
}

export async function readLease(tx: Tx, name: string): Promise<{ holder: string; expiresAt: number } | null> {
  const rows = await tx.all<{ holder: string; expires_at: number }>(sql`SELECT holder, expires_at FROM leases WHERE name = ${name}`);
  return rows[0] ? { holder: rows[0].holder, expiresAt: Number(rows[0].expires_at) } : null;
}

export async function deleteLease(tx: Tx, name: string): Promise<void> {
  await tx.run(sql`DELETE FROM leases WHERE name = ${name}`);
}

/** Removes rows under `prefix` that expired before `before`. */
export async function pruneLeases(tx: Tx, prefix: string, before: number): Promise<void> {
  await tx.run(sql`DELETE FROM leases WHERE name LIKE ${`${prefix}%`} AND expires_at < ${before}`);
}
