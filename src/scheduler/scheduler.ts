// Scheduled scraping. Every provider has slots (schedule.ts); at each slot, after a random jitter,
// every instance tries to take the slot's lease row (`scrape:<provider>:<slot>`); the one that
// gets it scrapes and then keeps the row as the slot's "done" mark, so with several instances on
// one database each provider is scraped once per slot. A provider that keeps failing is backed
// off (slots skipped exponentially, recorded as a `scrape-backoff:<provider>` row all instances
// read); after N consecutive failed runs a `scraper.failed` event is written, and
// `scraper.recovered` on the next success, through the outbox like every other event.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { log } from '../log.ts';
import type { Scraper } from '../scrape/contract.ts';
import type { RunSummary } from '../scrape/pipeline.ts';
import { scrapeProvider, type ScrapeOptions } from '../scrape/run.ts';
import { toIso } from '../time.ts';
import type { Catalog } from '../catalog/contract.ts';
import { catalogScraper, scrapeCatalog } from '../catalog/run.ts';
import { scraperFailedEvent, scraperRecoveredEvent } from '../webhooks/events.ts';
import { writeEvents, type EventType, type OutboxEvent } from '../webhooks/outbox.ts';
import { providerHealth } from './health.ts';
import { acquireLease, deleteLease, extendLease, pruneLeases, putMarker, readLease, releaseLease } from './leases.ts';
import { providerSchedules, type Slots } from './schedule.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** setTimeout's limit; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  database: Database;
  /** The scrapers to schedule (the composition root hands in the registry). */
  scrapers: readonly Scraper[];
  /** Catalogs polled like pages (the composition root hands in scrapers/catalogs.ts); default none. */
  catalogs?: readonly Catalog[];
  /** Cron pattern or `off`; default TOKENTRAIL_SCHEDULE, else every 6 hours. */
  schedule?: string;
  /** Per provider; default TOKENTRAIL_SCHEDULE_<PROVIDER>. */
  overrides?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  instanceId?: string;
  now?: () => number;
  random?: () => number;
  /** Each instance waits a random 0…jitterMs after a slot (default 5 min) to spread the load. */
  jitterMs?: number;
  /** How long a running scrape holds its slot before another instance may take over (default 30 min). */
  leaseMs?: number;
  /** `scraper.failed` after this many consecutive failed runs (default 3). */
  failureThreshold?: number;
  /** Longest backoff, in skipped slots (default 8). */
  maxSkipSlots?: number;
  /** On start, run the current slot if no instance has (default true). */
  catchUp?: boolean;
  /** Passed to scrapeProvider (tests serve pages on 127.0.0.1 via fetchUrl). */
  scrape?: Omit<ScrapeOptions, 'emitEvents' | 'now'>;
  /** Called after events were written (the dispatcher's wake). */
  onEvents?: () => void;
}

export type SlotOutcome = 'ran' | 'taken' | 'backoff' | 'stopped';

export interface SlotResult {
  provider: string;
  slot: number;
  outcome: SlotOutcome;
  runs?: RunSummary[];
  /** Whether this run failed (a page failed); only when it ran. */
  failed?: boolean;
  consecutiveFailures?: number;
  events?: EventType[];
  /** Backed off: slots before this instant are skipped. */
  skipUntil?: number;
}

export function defaultSchedulerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export const slotLeaseName = (provider: string, slot: number) => `scrape:${provider}:${toIso(slot)}`;
export const backoffName = (provider: string) => `scrape-backoff:${provider}`;

/** Slots to skip after `streak` consecutive failures: 0, 1, 3, 7, … capped. */
export function skipSlots(streak: number, max: number): number {
  if (streak < 2) return 0;
  return Math.min(2 ** (streak - 1) - 1, max);
}

export class Scheduler {
  readonly instanceId: string;
  private readonly database: Database;
  private readonly scrapers: Map<string, Scraper>;
  private readonly catalogs: readonly Catalog[];
  private readonly officialProviders: ReadonlySet<string>;
  private readonly slots: Map<string, Slots | null>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly jitterMs: number;
  private readonly leaseMs: number;
  private readonly threshold: number;
  private readonly maxSkip: number;
  private readonly catchUp: boolean;
  private readonly scrapeOptions: SchedulerOptions['scrape'];
  private readonly onEvents?: () => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly heldLeases = new Set<string>();
  /** The last slot this instance handled per provider (so runDue() does not repeat one). */
  private readonly handled = new Map<string, number>();
  private stopped = false;

  constructor(o: SchedulerOptions) {
    this.database = o.database;
    // Catalogs are polled like pages, each under its own id (src/catalog/run.ts).
    this.catalogs = o.catalogs ?? [];
    this.officialProviders = new Set(o.scrapers.map((s) => s.id));
    this.scrapers = new Map([...o.scrapers, ...this.catalogs.map(catalogScraper)].map((s) => [s.id, s]));
    this.slots = providerSchedules([...this.scrapers.keys()], { base: o.schedule, overrides: o.overrides, env: o.env });
    this.instanceId = o.instanceId ?? defaultSchedulerId();
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.jitterMs = o.jitterMs ?? 5 * MINUTE;
    this.leaseMs = o.leaseMs ?? 30 * MINUTE;
    this.threshold = Math.max(1, o.failureThreshold ?? 3);
    this.maxSkip = Math.max(0, o.maxSkipSlots ?? 8);
    this.catchUp = o.catchUp ?? true;
    this.scrapeOptions = o.scrape;
    this.onEvents = o.onEvents;
  }

  /** Providers with a schedule (not `off`). */
  scheduled(): { provider: string; pattern: string }[] {
    return [...this.slots].filter(([, s]) => s !== null).map(([provider, s]) => ({ provider, pattern: s!.pattern }));
  }

  /** Arms a timer per scheduled provider (real timers; the clock only decides instants). */
  start(): void {
    this.stopped = false;
    for (const { provider } of this.scheduled()) {
      const slots = this.slots.get(provider)!;
      const now = this.now();
      const current = this.catchUp ? slots.at(now) : null;
      if (current !== null) {
        // Catch up the slot in progress if nobody ran it (fresh start, or every instance was down).
        this.arm(provider, current, now + this.random() * Math.min(this.jitterMs, MINUTE));
      } else {
        this.armNext(provider, now);
      }
    }
  }

  /** Stops the timers, waits for running scrapes, releases any slot lease still held. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    for (const name of this.heldLeases) await releaseLease(this.database.db, name, this.instanceId).catch(() => undefined);
    this.heldLeases.clear();
  }

  /** For tests and one-shot use: runs each provider's current slot unless this instance already did. */
  async runDue(): Promise<SlotResult[]> {
    const out: SlotResult[] = [];
    const now = this.now();
    await Promise.all(
      this.scheduled().map(async ({ provider }) => {
        const slot = this.slots.get(provider)!.at(now);
        if (slot === null || this.handled.get(provider) === slot) return;
        out.push(await this.runSlot(provider, slot));
      }),
    );
    return out.sort((a, b) => a.provider.localeCompare(b.provider));
  }

  /** Handles one provider's slot: backoff check, lease, scrape, health events, backoff update. */
  async runSlot(provider: string, slot: number): Promise<SlotResult> {
    const task = this.doRunSlot(provider, slot);
    this.running.add(task);
    try {
      return await task;
    } finally {
      this.running.delete(task);
    }
  }

  private async doRunSlot(provider: string, slot: number): Promise<SlotResult> {
    const scraper = this.scrapers.get(provider);
    const slots = this.slots.get(provider);
    if (!scraper || !slots) throw new Error(`provider ${provider} is not scheduled`);
    this.handled.set(provider, slot);
    if (this.stopped) return { provider, slot, outcome: 'stopped' };
    const db = this.database.db;
    const now = this.now();

    const backoff = await readLease(db, backoffName(provider));
    if (backoff && slot < backoff.expiresAt) return { provider, slot, outcome: 'backoff', skipUntil: backoff.expiresAt };

    const lease = slotLeaseName(provider, slot);
    if (!(await acquireLease(db, lease, this.instanceId, now, now + this.leaseMs))) return { provider, slot, outcome: 'taken' };
    this.heldLeases.add(lease);
    try {
      const before = await providerHealth(db, scraper);
      const catalog = scraper.origin ? this.catalogs.find((c) => c.id === scraper.origin) : undefined;
      const runs = catalog
        ? await scrapeCatalog(this.database, catalog, { ...this.scrapeOptions, emitEvents: true, officialProviders: this.officialProviders })
        : await scrapeProvider(this.database, scraper, { ...this.scrapeOptions, emitEvents: true });
      const failed = runs.some((r) => r.outcome === 'failed');
      const after = await providerHealth(db, scraper);
      const done = this.now();

      const events: OutboxEvent[] = [];
      if (after.consecutiveFailures >= this.threshold && before.consecutiveFailures < this.threshold) {
        events.push(scraperFailedEvent({
          provider,
          consecutiveFailures: after.consecutiveFailures,
          failingSince: after.failingSince,
          lastFailureAt: after.lastFailure?.at ?? done,
          reason: after.lastFailure?.reason ?? null,
          url: after.lastFailure?.url ?? null,
          lastSuccessAt: after.lastSuccessAt,
        }, done));
      }
      if (after.consecutiveFailures === 0 && before.consecutiveFailures >= this.threshold) {
        events.push(scraperRecoveredEvent({ provider, failedRuns: before.consecutiveFailures, failingSince: before.failingSince, recoveredAt: done }, done));
      }
      const skip = skipSlots(after.consecutiveFailures, this.maxSkip);
      const skipUntil = skip > 0 ? slots.nth(slot, skip + 1) : null;
      // Keep the slot marked done until well after it: a late instance must not scrape it again.
      const doneUntil = Math.max(slots.after(slot) ?? slot, done) + DAY;

      await db.transaction(async (tx) => {
        await writeEvents(tx, events);
        if (skipUntil !== null) await putMarker(tx, backoffName(provider), skipUntil);
        else if (after.consecutiveFailures === 0) await deleteLease(tx, backoffName(provider));
        await extendLease(tx, lease, this.instanceId, doneUntil);
        await pruneLeases(tx, 'scrape:', done - DAY);
      });
      this.heldLeases.delete(lease);
      if (events.length) this.onEvents?.();
      // Changes found by the scrape were written to the outbox by the pipeline.
      if (runs.some((r) => r.changes.length > 0)) this.onEvents?.();
      log.info({ provider, slot: toIso(slot), outcomes: runs.map((r) => r.outcome), streak: after.consecutiveFailures }, 'scheduled scrape done');
      return {
        provider,
        slot,
        outcome: 'ran',
        runs,
        failed,
        consecutiveFailures: after.consecutiveFailures,
        events: events.map((e) => e.type),
        ...(skipUntil !== null && { skipUntil }),
      };
    } catch (err) {
      // Let another instance (or the next catch-up) take the slot.
      await releaseLease(db, lease, this.instanceId).catch(() => undefined);
      this.heldLeases.delete(lease);
      throw err;
    }
  }

  private armNext(provider: string, after: number): void {
    const slot = this.slots.get(provider)?.after(after);
    if (slot == null) return;
    this.arm(provider, slot, slot + this.random() * this.jitterMs);
  }

  private arm(provider: string, slot: number, at: number): void {
    if (this.stopped) return;
    const wait = Math.max(0, at - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(provider);
      if (wait > MAX_TIMER_MS || this.now() < at) return this.arm(provider, slot, at); // woke early: re-arm
      this.runSlot(provider, slot)
        .catch((err) => log.error({ err, provider, slot: toIso(slot) }, 'scheduled scrape crashed'))
        .finally(() => this.armNext(provider, Math.max(slot, this.now())));
    }, Math.min(wait, MAX_TIMER_MS));
    timer.unref?.();
    this.timers.set(provider, timer);
  }
}

export function createScheduler(o: SchedulerOptions): Scheduler {
  return new Scheduler(o);
}
