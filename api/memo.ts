// Memo of expensive timeline answers (the derived change list, diffs) per data version and
// knowledge time. A knowledge time at or after the latest recorded/superseded instant in the
// database sees the same facts as any later one, so requests whose `asOf` defaults to now share one
// entry until the data changes; walking the change feed page by page derives it once.
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.ts';
import type { ChangesOptions } from '../src/timeline/queries.ts';
import type { VersionWatcher } from './cache.ts';

export class KnowledgeMemo {
  private version: string | null = null;
  private latestKnowledge: Promise<number> | null = null;
  private readonly entries = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly versions: VersionWatcher,
    private readonly maxEntries = 32,
    /** Off (the app's `cache: false`): every call computes. */
    private readonly enabled = true,
  ) {}

  /** The answer for `parts` at knowledge time `asOf`, computed once per data version. */
  async remember<T>(parts: unknown[], asOf: number, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    const version = await this.versions.current();
    if (version !== this.version) {
      this.entries.clear();
      this.latestKnowledge = null;
      this.version = version;
    }
    this.latestKnowledge ??= this.queryLatestKnowledge();
    const latest = await this.latestKnowledge;
    const key = JSON.stringify([...parts, asOf >= latest ? 'latest' : asOf]);
    let entry = this.entries.get(key) as Promise<T> | undefined;
    if (entry) {
      this.entries.delete(key); // re-inserted below: Map order is the LRU order
    } else {
      entry = compute();
      entry.catch(() => this.entries.delete(key)); // errors (unknown model…) are not kept
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }

  /** For `changes(db, q, { memo })`: the derived list of one scope. */
  readonly changes: NonNullable<ChangesOptions['memo']> = (scope, asOf, derive) =>
    this.remember(['changes', scope.provider ?? null, scope.model?.toLowerCase() ?? null, scope.currency ?? null], asOf, derive);

  private async queryLatestKnowledge(): Promise<number> {
    const rows = await this.db.all<{ r: number | null; s: number | null }>(
      sql`SELECT max(recorded_at) AS r, max(superseded_at) AS s FROM facts`,
    );
    return Math.max(Number(rows[0]?.r ?? 0), Number(rows[0]?.s ?? 0));
  }
}
