// The resolver's index from the database, rebuilt when the data version moves.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import { dataVersion } from '../timeline/write.ts';
import { resolveName, type ResolveIndex, type Resolved } from './resolve.ts';

let cached: { db: Db; version: string; index: ResolveIndex } | null = null;

export async function resolveIndex(db: Db): Promise<ResolveIndex> {
  const version = await dataVersion(db);
  if (cached && cached.db === db && cached.version === version) return cached.index;
  const models = (await db.all<{ id: string }>(sql`SELECT id FROM models ORDER BY id`)).map((r) => r.id);
  const aliases = (await db.all<{ alias: string; model: string; valid_from: number | null; valid_to: number | null }>(sql`SELECT alias, model, valid_from, valid_to FROM aliases`)).map((a) => ({
    alias: a.alias,
    model: a.model,
    validFrom: a.valid_from === null ? null : Number(a.valid_from),
    validTo: a.valid_to === null ? null : Number(a.valid_to),
  }));
  const priced = new Set((await db.all<{ model: string }>(sql`SELECT DISTINCT model FROM series`)).map((r) => r.model));
  // Providers whose own pages we read: those with series of origin '' (not only a catalog's).
  const official = new Set((await db.all<{ provider: string }>(sql`SELECT DISTINCT m.provider FROM series s JOIN models m ON m.id = s.model WHERE s.origin = ''`)).map((r) => r.provider));
  const index: ResolveIndex = { models, aliases, priced, official };
  cached = { db, version, index };
  return index;
}

/** A model name → the id, or a 404 naming up to five suggestions. */
export async function resolveOrThrow(db: Db, name: string, at: number, provider?: string, field = 'name'): Promise<Resolved> {
  if (!name.trim()) throw new BadInputError(`${field}: give a model name`, { field });
  if (name.length > 300) throw new BadInputError(`${field}: longer than 300 characters`, { field });
  const r = resolveName(await resolveIndex(db), name, { provider, at });
  if ('model' in r) return r;
  throw new NotFoundError(`unknown model: ${name}${provider ? ` (provider ${provider})` : ''}${r.suggestions.length ? `; did you mean ${r.suggestions.join(', ')}?` : ''}`, field, { suggestions: r.suggestions });
}
