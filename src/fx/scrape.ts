// Fetching a reference-rate source (the ECB's daily and 90-day files) and storing what it
// publishes. The parse is the source's pure function; a failed fetch or a page that does not
// parse records nothing and the stored rates stand.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { log } from '../log.ts';
import { fetchStatic, type FetchStaticOptions } from '../scrape/fetch-static.ts';
import { Slots } from '../scheduler/schedule.ts';
import { acquireLease, extendLease, pruneLeases, releaseLease } from '../scheduler/leases.ts';
import { toIso } from '../time.ts';
import type { FxSource } from './contract.ts';
import { writeFxDays } from './store.ts';

export interface FxRun {
  source: string;
  url: string;
  outcome: 'ok' | 'unchanged' | 'failed';
  days?: number;
  daysWritten?: number;
  firstDay?: string;
  lastDay?: string;
  reason?: string;
}

export interface FxScrapeOptions {
  /** Where to fetch a page instead of its public URL (tests serve files on 127.0.0.1). */
  fetchUrl?: (page: { url: string }) => string;
  staticOptions?: FetchStaticOptions;
  now?: () => number;
}

export async function scrapeFx(database: Database, src: FxSource, opts: FxScrapeOptions = {}): Promise<FxRun[]> {
  const now = opts.now ?? Date.now;
  const out: FxRun[] = [];
  for (const page of src.pages) {
    try {
      const r = await fetchStatic(opts.fetchUrl?.(page) ?? page.url, { accept: 'application/xml,text/xml,text/csv;q=0.9,*/*;q=0.5', ...opts.staticOptions });
      if (r.status === 'not-modified') {
        out.push({ source: src.source, url: page.url, outcome: 'unchanged' });
        continue;
      }
      const observedAt = toIso(now());
      const parsed = src.parse(r.body.toString('utf8'), { url: page.url, observedAt });
      if (parsed.base !== src.base) throw new Error(`base ${parsed.base}, expected ${src.base}`);
      const first = parsed.days[0].date;
      const last = parsed.days[parsed.days.length - 1].date;
      const origin = `fetch-${page.url.split('/').pop()!.replace(/\.[a-z]+$/, '')}-${observedAt.slice(0, 10)}`;
      const daysWritten = await writeFxDays(database, src.source, {
        days: parsed.days.map((d) => ({ ...d, origin })),
        spans: parsed.complete ? [{ from: first, to: last, origin }] : [],
        origins: { [origin]: { url: page.url, title: src.name, retrievedAt: observedAt } },
      });
      out.push({ source: src.source, url: page.url, outcome: 'ok', days: parsed.days.length, daysWritten, firstDay: first, lastDay: last });
    } catch (e) {
      const err = e as Error;
      log.warn({ source: src.source, url: page.url, err: err.message }, 'reference-rate fetch failed; stored rates stand');
      out.push({ source: src.source, url: page.url, outcome: 'failed', reason: `${err.name}: ${err.message}` });
    }
  }
  return out;
}

export const FX_SCHEDULE_ENV = 'TOKENTRAIL_FX_SCHEDULE';

/**
 * Scheduled fetches of the reference-rate sources: at each slot of TOKENTRAIL_FX_SCHEDULE (default
 * the source's own, the ECB's weekdays 15:30 UTC; `off` disables) one instance takes the slot's
 * lease (`fx:<source>:<slot>`, as the price scheduler does) and fetches.
 */
export class FxScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly slots = new Map<string, Slots>();
  private readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private stopped = false;
  private running = new Set<Promise<unknown>>();

  constructor(
    private readonly o: { database: Database; sources: readonly FxSource[]; env?: NodeJS.ProcessEnv; now?: () => number; scrape?: FxScrapeOptions },
  ) {
    const env = o.env ?? process.env;
    const own = env[FX_SCHEDULE_ENV]?.trim();
    for (const s of o.sources) {
      const pattern = own || s.schedule;
      if (pattern.toLowerCase() !== 'off') this.slots.set(s.source, new Slots(pattern, own ? FX_SCHEDULE_ENV : 'schedule'));
    }
  }

  scheduled(): Array<{ source: string; pattern: string }> {
    return [...this.slots].map(([source, s]) => ({ source, pattern: s.pattern }));
  }

  /** Runs a source's slot unless another instance has; returns null when taken. */
  async runSlot(source: string, slot: number): Promise<FxRun[] | null> {
    const src = this.o.sources.find((s) => s.source === source)!;
    const db = this.o.database.db;
    const now = (this.o.now ?? Date.now)();
    const lease = `fx:${source}:${toIso(slot)}`;
    if (!(await acquireLease(db, lease, this.instanceId, now, now + 30 * 60_000))) return null;
    try {
      const runs = await scrapeFx(this.o.database, src, { now: this.o.now, ...this.o.scrape });
      // Keep the slot marked done for a day so a late instance does not fetch it again.
      await extendLease(db, lease, this.instanceId, (this.o.now ?? Date.now)() + 86_400_000);
      await pruneLeases(db, 'fx:', now - 86_400_000);
      log.info({ source, slot: toIso(slot), runs: runs.map((r) => r.outcome) }, 'scheduled reference-rate fetch done');
      return runs;
    } catch (e) {
      await releaseLease(db, lease, this.instanceId).catch(() => undefined);
      throw e;
    }
  }

  start(): void {
    this.stopped = false;
    for (const source of this.slots.keys()) this.armNext(source);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private armNext(source: string): void {
    if (this.stopped) return;
    const now = (this.o.now ?? Date.now)();
    const slot = this.slots.get(source)!.after(now);
    if (slot === null) return;
    const timer = setTimeout(() => {
      this.timers.delete(source);
      if ((this.o.now ?? Date.now)() < slot) return this.armNext(source); // woke early (long waits are capped)
      const task = this.runSlot(source, slot).catch((err) => log.error({ err, source }, 'reference-rate fetch crashed'));
      this.running.add(task);
      task.finally(() => {
        this.running.delete(task);
        this.armNext(source);
      });
    }, Math.min(Math.max(0, slot - now), 2 ** 31 - 1));
    timer.unref?.();
    this.timers.set(source, timer);
  }
}
